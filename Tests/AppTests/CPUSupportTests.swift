import Foundation
import Testing

@testable import App

@Suite struct CPUSupportTests {
    let cpuinfo = """
        processor\t: 0
        vendor_id\t: AuthenticAMD
        flags\t\t: fpu vme sse sse2 ssse3 fma sse4_1 sse4_2 avx bmi1 avx2 bmi2 avx512f
        bugs\t\t: sysret_ss_attrs

        """

    @Test func allFlagsPresent() {
        #expect(CPUSupport.missingFlags(required: ["avx2", "fma", "bmi2"], cpuinfo: cpuinfo).isEmpty)
    }

    @Test func missingFlagsAreNamedInOrder() {
        let old = cpuinfo.replacingOccurrences(of: " fma", with: "").replacingOccurrences(of: " avx2", with: "")
        #expect(CPUSupport.missingFlags(required: ["avx2", "fma", "bmi2"], cpuinfo: old) == ["avx2", "fma"])
    }

    @Test func flagNamesMatchWholeWords() {
        // "avx512f" must not count as "avx".
        let text = "flags\t\t: sse2 avx512f\n"
        #expect(CPUSupport.missingFlags(required: ["avx"], cpuinfo: text) == ["avx"])
    }

    @Test func noFlagsLineMeansNoJudgement() {
        #expect(CPUSupport.missingFlags(required: ["avx2"], cpuinfo: "Processor\t: ARMv8\n").isEmpty)
    }

    @Test func thisMachineRunsThisBuild() {
        // The tests run on the machine they were built on.
        #expect(CPUSupport.unsupportedCPUMessage() == nil)
    }
}
