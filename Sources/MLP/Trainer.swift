/// Settings of one training run.
public struct TrainingConfiguration: Sendable, Equatable {
    public var epochs: Int
    public var batchSize: Int
    public var optimizer: OptimizerConfiguration
    /// Seeds the per-epoch shuffling.
    public var seed: UInt64

    public init(epochs: Int, batchSize: Int, optimizer: OptimizerConfiguration, seed: UInt64) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.optimizer = optimizer
        self.seed = seed
    }
}

/// What one epoch achieved.
public struct EpochReport: Sendable, Equatable {
    /// 1-based.
    public var epoch: Int
    public var epochs: Int
    /// Mean of the batch losses seen during the epoch.
    public var trainLoss: Double
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    /// Wall time of the epoch including validation, in seconds.
    public var seconds: Double
}

/// Why a run stopped early.
public enum TrainingInterruption: Error, Sendable, Equatable {
    /// A loss or parameter became non-finite.
    case diverged(epoch: Int, reason: String)
    /// The cancellation check returned true (checked before every batch).
    case cancelled(epoch: Int)
}

/// Mini-batch training loop.
public enum Trainer {
    /// Trains `network` on `training`, evaluating on `validation` (if not empty) after each
    /// epoch. The loss follows the targets: labels → softmax cross-entropy, values → MSE.
    ///
    /// - Parameters:
    ///   - isCancelled: polled before every batch; true ends the run with `.cancelled`.
    ///   - onEpoch: called after every epoch with its report.
    /// - Returns: the report of every epoch.
    /// - Throws: ``TrainingInterruption`` on divergence or cancellation; the network keeps the
    ///   parameters it had at that point.
    public static func train(
        _ network: inout Network,
        on training: Samples,
        validation: Samples?,
        configuration: TrainingConfiguration,
        isCancelled: () -> Bool = { false },
        onEpoch: (EpochReport) -> Void = { _ in }
    ) throws(TrainingInterruption) -> [EpochReport] {
        precondition(training.features == network.inputCount, "feature count mismatch")
        precondition(training.targets.outputWidth == network.outputCount, "target width mismatch")
        precondition(configuration.epochs > 0 && configuration.batchSize > 0, "epochs and batch size must be positive")
        let rows = training.count
        precondition(rows > 0, "no training samples")
        let batch = min(configuration.batchSize, rows)
        let features = training.features
        let loss: Loss
        if case .labels = training.targets { loss = .softmaxCrossEntropy } else { loss = .meanSquaredError }
        let validation = validation.flatMap { $0.count > 0 ? $0 : nil }

        var ws = Workspace(for: network, capacity: batch)
        var evalWorkspace = Workspace(for: network, capacity: min(1024, max(batch, validation?.count ?? 1)))
        var optimizer = Optimizer(configuration.optimizer, parameterCount: network.parameterCount)
        var gradients: [Float]? = [Float](repeating: 0, count: network.parameterCount)
        var rng = Xoshiro256(seed: configuration.seed ^ 0x5EED_0F_5A11)
        var order = Array(0..<rows)
        var xBatch = [Float](repeating: 0, count: batch * features)
        var labelBatch = [Int32](repeating: 0, count: batch)
        var valueBatch = [Float](repeating: 0, count: batch * training.targets.outputWidth)
        var reports: [EpochReport] = []
        reports.reserveCapacity(configuration.epochs)
        let clock = ContinuousClock()

        for epoch in 1...configuration.epochs {
            let started = clock.now
            rng.shuffle(&order)
            var total = 0.0
            var start = 0
            while start < rows {
                if isCancelled() { throw .cancelled(epoch: epoch) }
                let n = min(batch, rows - start)
                // Gather the batch rows into contiguous buffers.
                training.inputs.withUnsafeBufferPointer { src in
                    xBatch.withUnsafeMutableBufferPointer { dst in
                        for r in 0..<n {
                            let i = order[start + r]
                            for f in 0..<features { dst[r * features + f] = src[i * features + f] }
                        }
                    }
                }
                let result: (loss: Double, correct: Int)
                switch training.targets {
                case .labels(let labels, _):
                    for r in 0..<n { labelBatch[r] = labels[order[start + r]] }
                    result = xBatch.withUnsafeBufferPointer { xb in
                        labelBatch.withUnsafeBufferPointer { lb in
                            network.lossAndGradient(
                                xb,
                                targets: .labels(lb),
                                rows: n,
                                loss: loss,
                                workspace: &ws,
                                gradients: &gradients
                            )
                        }
                    }
                case .values(let values, let w):
                    for r in 0..<n {
                        let i = order[start + r]
                        for j in 0..<w { valueBatch[r * w + j] = values[i * w + j] }
                    }
                    result = xBatch.withUnsafeBufferPointer { xb in
                        valueBatch.withUnsafeBufferPointer { vb in
                            network.lossAndGradient(
                                xb,
                                targets: .values(vb),
                                rows: n,
                                loss: loss,
                                workspace: &ws,
                                gradients: &gradients
                            )
                        }
                    }
                }
                guard result.loss.isFinite else {
                    throw .diverged(epoch: epoch, reason: "training loss became \(result.loss) at epoch \(epoch)")
                }
                total += result.loss * Double(n)
                // gradients is non-nil: it was created above and lossAndGradient keeps it.
                network.apply(&optimizer, gradients: gradients!)
                start += n
            }
            guard network.parametersAreFinite else {
                throw .diverged(epoch: epoch, reason: "parameters became non-finite at epoch \(epoch)")
            }
            var report = EpochReport(
                epoch: epoch,
                epochs: configuration.epochs,
                trainLoss: total / Double(rows),
                validationLoss: nil,
                validationAccuracy: nil,
                seconds: 0
            )
            if let v = validation {
                let r = network.evaluate(v, workspace: &evalWorkspace)
                guard r.loss.isFinite else {
                    throw .diverged(epoch: epoch, reason: "validation loss became \(r.loss) at epoch \(epoch)")
                }
                report.validationLoss = r.loss
                report.validationAccuracy = r.accuracy
            }
            let elapsed = clock.now - started
            report.seconds =
                Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            reports.append(report)
            onEpoch(report)
        }
        return reports
    }
}
