#if !DEBUG
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TestSupport
import Testing
@testable import Codecs

/// Throughput of the JSON float hot paths (release builds only; prints, asserts nothing
/// about speed): `swift test -c release --filter CodecsBenchmark`.
@Suite struct CodecsBenchmark {
    private static func threadSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    @Test func floatsPerSecond() throws {
        var rng = SeededGenerator(seed: 1)
        let n = 1_000_000
        let values = (0..<n).map { _ in Float.random(in: -8...8, using: &rng) }
        var text: [UInt8] = []
        var bestPrint = Double.infinity
        for _ in 0..<10 {
            let t0 = Self.threadSeconds()
            var w = JSONWriter()
            values.withUnsafeBufferPointer { w.writeFlatArray($0) }
            bestPrint = min(bestPrint, Self.threadSeconds() - t0)
            text = w.bytes
        }
        var bestParse = Double.infinity
        var parsed: [Float] = []
        for _ in 0..<10 {
            let t0 = Self.threadSeconds()
            guard case .tensor(let t) = try JSONParser.parse(text) else { return }
            bestParse = min(bestParse, Self.threadSeconds() - t0)
            parsed = t.values
        }
        #expect(parsed == values)
        print("JSON print: \(Double(n) / bestPrint / 1e6) M floats/s; parse: \(Double(n) / bestParse / 1e6) M floats/s "
              + "(1M random floats in [-8, 8], \(text.count) bytes, best of 10, thread CPU time)")
    }
}
#endif
