import Foundation
import TestSupport
import Testing

@testable import Activations

/// Throughput of DiTAC exact vs. LUT evaluation next to an erfc-based GELU loop, 1M float32 elements.
/// Runs only with DITAC_BENCH set, in release mode:
///
///     DITAC_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter DiTACBenchmark
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["DITAC_BENCH"] != nil))
struct DiTACBenchmark {
    static let count = 1 << 20

    /// Inputs as a network would see them: N(0, 1.5²), so ~55% fall inside the default [−0.5, 2].
    static let inputs: [Float] = {
        var rng = SeededGenerator(seed: 12345)
        func uniform() -> Double { rng.uniform(0x1p-54, 1) }
        return (0..<count).map { _ in Float(1.5 * (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform())) }
    }()

    /// A field as DiTAC starts training: a draw from the initialisation prior (10 cells).
    static let velocities: [Double] = {
        var seeded = SeededGenerator(seed: 7)
        return DiTACPrior.sampleVelocities(cells: 10, using: &seeded)
    }()

    /// Best of `repeats` wall-clock runs, in elements per second.
    static func rate(repeats: Int = 5, _ body: (UnsafeBufferPointer<Float>, UnsafeMutableBufferPointer<Float>) -> Void)
        -> Double
    {
        var y = [Float](repeating: 0, count: count)
        var best = Double.infinity
        inputs.withUnsafeBufferPointer { x in
            y.withUnsafeMutableBufferPointer { out in
                for _ in 0..<repeats {
                    let start = ContinuousClock.now
                    body(x, out)
                    let elapsed = ContinuousClock.now - start
                    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                    best = min(best, seconds)
                }
            }
        }
        #expect(y.allSatisfy { !$0.isNaN })
        return Double(count) / best
    }

    static func report(_ name: String, _ r: Double) {
        print("DiTACBenchmark \(name): \(String(format: "%.1f", r / 1e6)) M elements/s")
    }

    @Test func throughput() throws {
        let v: ParameterValue = .numbers(Self.velocities)
        let exact = try Catalog.standard.kernel("ditac", params: ["velocities": v])
        let lut = try Catalog.standard.kernel("ditac", params: ["velocities": v, "lut": .number(2048)])
        Self.report("GELU forward, Double erfc loop", Self.rate { x, y in
            for i in x.indices {
                let xi = Double(x[i])
                y[i] = Float(xi * 0.5 * erfc(-xi * 0.7071067811865476))
            }
        })
        Self.report("GELU forward, Float erfcf loop", Self.rate { x, y in
            for i in x.indices { y[i] = x[i] * 0.5 * erfcf(-x[i] * 0.70710677) }
        })
        let zero = try Catalog.standard.kernel("ditac", params: [:])
        Self.report("ditac exact forward, zero field", Self.rate { zero.forward($0, into: $1) })
        Self.report("ditac exact forward", Self.rate { exact.forward($0, into: $1) })
        Self.report("ditac lut 2048 forward", Self.rate { lut.forward($0, into: $1) })
        Self.report("ditac exact derivative", Self.rate { exact.derivative($0, into: $1) })
        Self.report("ditac lut 2048 derivative", Self.rate { lut.derivative($0, into: $1) })
        let g = [Float](repeating: 1, count: Self.count)
        Self.report("ditac exact velocity VJP", Self.rate(repeats: 3) { x, _ in
            g.withUnsafeBufferPointer { _ = exact.parameterGradients(x, gradOutput: $0) }
        })
        print("DiTACBenchmark velocities: \(Self.velocities)")
        let start = ContinuousClock.now
        for _ in 0..<10 { _ = try Catalog.standard.kernel("ditac", params: ["velocities": v, "lut": .number(2048)]) }
        print("DiTACBenchmark lut 2048 table build: \((ContinuousClock.now - start) / 10)")
    }
}
