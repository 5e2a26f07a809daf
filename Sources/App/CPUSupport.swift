#if canImport(Glibc)
import Glibc
#endif

/// The instruction-set level the binary was compiled for, and whether this CPU has it.
///
/// `make release` builds for the highest x86-64 level of the build machine (v3: AVX2, FMA, BMI2;
/// v4: + AVX-512), the Docker image for x86-64-v3 (scripts/cpu-flags.sh): such a binary would
/// die with SIGILL at its first evaluation on an older CPU. The service checks `/proc/cpuinfo`
/// once at start-up instead and refuses to start with a message that says how to rebuild.
public enum CPUSupport {
    /// The name of the level this binary was built for.
    public static var buildLevel: String {
        #if arch(x86_64) && ACTIVATION_X86_64_V4
        return "x86-64-v4"
        #elseif arch(x86_64) && (ACTIVATION_X86_64_V3 || ACTIVATION_FMA)
        return "x86-64-v3"
        #else
        return "baseline"
        #endif
    }

    /// The CPU flags (as `/proc/cpuinfo` names them) the kernels of this build need.
    public static var requiredFlags: [String] {
        switch buildLevel {
        case "x86-64-v4": ["avx2", "fma", "bmi2", "avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"]
        case "x86-64-v3": ["avx2", "fma", "bmi2"]
        default: []
        }
    }

    /// The required flags missing from a `/proc/cpuinfo` text (empty when none is missing or
    /// the text has no `flags` line to judge by).
    public static func missingFlags(required: [String], cpuinfo: String) -> [String] {
        guard
            let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
            let colon = line.firstIndex(of: ":")
        else { return [] }
        let present = Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        return required.filter { !present.contains($0) }
    }

    /// Nil when this CPU runs this build; else a message naming the missing instructions.
    public static func unsupportedCPUMessage() -> String? {
        let required = requiredFlags
        guard !required.isEmpty, let cpuinfo = readCPUInfo() else { return nil }
        let missing = missingFlags(required: required, cpuinfo: cpuinfo)
        if missing.isEmpty { return nil }
        return "this binary was built for \(buildLevel) but the CPU lacks "
            + missing.joined(separator: ", ")
            + "; rebuild for the baseline: make release ACTIVATION_CPU=x86-64 (docker build --build-arg ACTIVATION_CPU=x86-64)"
    }

    private static func readCPUInfo() -> String? {
        #if canImport(Glibc)
        guard let file = fopen("/proc/cpuinfo", "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if n == 0 { break }
            bytes += chunk[0..<n]
            // The first processor's block holds its flags line; the rest repeats it.
            if bytes.count >= 65_536 { break }
        }
        return String(decoding: bytes, as: UTF8.self)
        #else
        return nil
        #endif
    }
}
