import MLP
import TestSupport
import Testing

@testable import Training

#if DEBUG
private let isRelease = false
#else
private let isRelease = true
#endif

/// Training throughput of a 2×32 MLP on moons, in training samples × epochs per second.
/// Run with `swift test -c release --filter ThroughputTests`; skipped in debug builds.
@Suite struct ThroughputTests {
    @Test(.enabled(if: isRelease), arguments: ["relu", "tanh"])
    func moonsTwoByThirtyTwo(_ activation: String) throws {
        let epochs = 200
        let spec = try parse([
            "dataset": ["name": "moons", "samples": 512],
            "model": ["hidden": [32, 32], "activation": ["name": activation]],
            "training": ["epochs": epochs, "batch_size": 32],
        ])
        _ = runNow(try parse(["dataset": ["name": "moons", "samples": 64], "training": ["epochs": 2]]))  // warm-up
        let clock = ContinuousClock()
        let start = clock.now
        let (outcome, _) = runNow(spec)
        let elapsed = clock.now - start
        guard case .succeeded = outcome else { Issue.record("\(outcome)"); return }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let throughput = Double(410 * epochs) / seconds  // 410 training samples (20% validation)
        print("moons 2×32 \(activation): \(Int(throughput)) samples·epochs/s (\(epochs) epochs in \(seconds) s)")
        #expect(throughput > 100_000)
    }
}
