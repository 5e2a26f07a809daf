import Activations
import Codecs
import MLP

/// One epoch's progress as a job reports it.
public struct JobProgress: Sendable {
    /// 1-based, counted over all runs of the job.
    public var epoch: Int
    public var epochs: Int
    public var trainLoss: Double
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    /// Whether the values belong in the job's `metrics` arrays (train and fit jobs).
    public var recordsMetrics: Bool
    /// Extra fields for the progress event (compare: the activation and seed of the run).
    public var extra: [(key: String, value: JSONValue)]

    public var fraction: Double { epochs > 0 ? Double(epoch) / Double(epochs) : 0 }
}

/// How a job ended.
public enum JobOutcome: Sendable {
    case succeeded(JSONValue)
    case failed(JobProblem)
    case cancelled(epoch: Int)
}

extension JobSpec {
    /// Runs the job on the calling thread.
    ///
    /// - Parameters:
    ///   - isCancelled: polled before every batch.
    ///   - progress: called once per epoch.
    public func run(
        environment env: TrainingEnvironment,
        isCancelled: () -> Bool,
        progress: (JobProgress) -> Void
    ) -> JobOutcome {
        switch body {
        case .train(let job): return Self.runTrain(job, env: env, isCancelled: isCancelled, progress: progress)
        case .compare(let job): return Self.runCompare(job, env: env, isCancelled: isCancelled, progress: progress)
        case .fit(let job): return Self.runFit(job, env: env, isCancelled: isCancelled, progress: progress)
        }
    }

    private static func number(_ d: Double?) -> JSONValue { d.map { .number($0) } ?? .null }
    private static func numbers(_ ds: [Double]) -> JSONValue { .array(ds.map { .number($0) }) }

    private struct RunResult {
        var network: Network
        var reports: [EpochReport]
        var trainingCount: Int
        var validationCount: Int
    }

    /// One training run: split, build, train. Throws `TrainingInterruption` on divergence or
    /// cancellation, `JobSpecError` if the network cannot be built.
    private static func trainOnce(
        data: DataSource,
        samples: Samples,
        model: ModelSpec,
        activation: ActivationChoice,
        training: TrainingSettings,
        seed: UInt64,
        env: TrainingEnvironment,
        isCancelled: () -> Bool,
        onEpoch: (EpochReport) -> Void
    ) throws -> RunResult {
        let (train, validation) = Split.split(samples, fraction: training.validationFraction, seed: seed)
        var network = try NetworkFactory.make(
            data: data,
            model: model,
            activation: activation,
            seed: seed,
            environment: env
        )
        let config = TrainingConfiguration(
            epochs: training.epochs,
            batchSize: training.batchSize,
            optimizer: training.optimizer,
            seed: seed
        )
        let reports = try Trainer.train(
            &network,
            on: train,
            validation: validation,
            configuration: config,
            isCancelled: isCancelled,
            onEpoch: onEpoch
        )
        return RunResult(
            network: network,
            reports: reports,
            trainingCount: train.count,
            validationCount: validation?.count ?? 0
        )
    }

    private static func activationJSON(_ name: String, _ params: ResolvedParameters) -> JSONValue {
        .object([("name", .string(name)), ("params", JSONValue(params))])
    }

    static func runTrain(
        _ job: TrainJob,
        env: TrainingEnvironment,
        isCancelled: () -> Bool,
        progress: (JobProgress) -> Void
    ) -> JobOutcome {
        let samples = job.data.samples()
        do {
            let run = try trainOnce(
                data: job.data,
                samples: samples,
                model: job.model,
                activation: job.activation,
                training: job.training,
                seed: job.training.seed,
                env: env,
                isCancelled: isCancelled
            ) { r in
                progress(
                    JobProgress(
                        epoch: r.epoch,
                        epochs: r.epochs,
                        trainLoss: r.trainLoss,
                        validationLoss: r.validationLoss,
                        validationAccuracy: r.validationAccuracy,
                        recordsMetrics: true,
                        extra: []
                    )
                )
            }
            let last = run.reports.last!  // epochs ≥ 1, so there is at least one report
            var final: [(key: String, value: JSONValue)] = [("train_loss", .number(last.trainLoss))]
            if let v = last.validationLoss { final.append(("val_loss", .number(v))) }
            if let a = last.validationAccuracy { final.append(("val_accuracy", .number(a))) }
            let seconds = run.reports.reduce(0) { $0 + $1.seconds }
            var result: [(key: String, value: JSONValue)] = [
                ("task", .string(job.data.isClassification ? "classification" : "regression")),
                ("epochs", .number(Double(run.reports.count))),
                ("parameters", .number(Double(run.network.parameterCount))),
                (
                    "samples",
                    .object([
                        ("train", .number(Double(run.trainingCount))),
                        ("validation", .number(Double(run.validationCount))),
                    ])
                ),
                ("final", .object(final)),
                ("ms_per_epoch", .number(1000 * seconds / Double(run.reports.count))),
                ("activation", activationJSON(job.activation.name, job.activation.parameters)),
            ]
            if job.activation.trainable {
                // One learned parameter set per activation layer (counterpart layers included).
                result.append(
                    (
                        "learned_params",
                        .array(run.network.activationParameters.map { JSONValue($0) })
                    )
                )
            }
            return .succeeded(.object(result))
        } catch let stop as TrainingInterruption {
            switch stop {
            case .cancelled(let epoch): return .cancelled(epoch: epoch)
            case .diverged(let epoch, let reason): return .failed(.diverged(epoch: epoch, reason: reason))
            }
        } catch let e as JobSpecError {
            return .failed(.invalid(e.description))
        } catch {
            return .failed(.invalid("\(error)"))
        }
    }

    private static func stats(_ xs: [Double]) -> JSONValue {
        guard !xs.isEmpty else { return .null }
        let mean = xs.reduce(0, +) / Double(xs.count)
        // Sample standard deviation (n − 1); 0 for a single run.
        let sd =
            xs.count > 1
            ? (xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count - 1)).squareRoot() : 0
        return .object([("mean", .number(mean)), ("std", .number(sd))])
    }

    static func runCompare(
        _ job: CompareJob,
        env: TrainingEnvironment,
        isCancelled: () -> Bool,
        progress: (JobProgress) -> Void
    ) -> JobOutcome {
        let samples = job.data.samples()
        let epochs = job.training.epochs
        let total = epochs * job.activations.count * job.seeds.count
        var runIndex = 0
        var table: [JSONValue] = []
        for activation in job.activations {
            var trainLoss: [Double] = [], valLoss: [Double] = [], valAccuracy: [Double] = [], ms: [Double] = []
            var failures: [JSONValue] = []
            for seed in job.seeds {
                let offset = runIndex * epochs
                runIndex += 1
                do {
                    let run = try trainOnce(
                        data: job.data,
                        samples: samples,
                        model: job.model,
                        activation: activation,
                        training: job.training,
                        seed: seed,
                        env: env,
                        isCancelled: isCancelled
                    ) { r in
                        progress(
                            JobProgress(
                                epoch: offset + r.epoch,
                                epochs: total,
                                trainLoss: r.trainLoss,
                                validationLoss: r.validationLoss,
                                validationAccuracy: r.validationAccuracy,
                                recordsMetrics: false,
                                extra: [("activation", .string(activation.name)), ("seed", .number(Double(seed)))]
                            )
                        )
                    }
                    let last = run.reports.last!  // epochs ≥ 1
                    trainLoss.append(last.trainLoss)
                    if let v = last.validationLoss { valLoss.append(v) }
                    if let a = last.validationAccuracy { valAccuracy.append(a) }
                    ms.append(1000 * run.reports.reduce(0) { $0 + $1.seconds } / Double(run.reports.count))
                } catch let stop as TrainingInterruption {
                    switch stop {
                    case .cancelled(let epoch): return .cancelled(epoch: offset + epoch)
                    case .diverged(let epoch, let reason):
                        failures.append(
                            .object([
                                ("seed", .number(Double(seed))), ("epoch", .number(Double(epoch))),
                                ("detail", .string(reason)),
                            ])
                        )
                    }
                } catch let e as JobSpecError {
                    return .failed(.invalid(e.description))
                } catch {
                    return .failed(.invalid("\(error)"))
                }
            }
            var row: [(key: String, value: JSONValue)] = [
                ("activation", activationJSON(activation.name, activation.parameters)),
                ("runs", .number(Double(job.seeds.count))),
                ("failed", .number(Double(failures.count))),
                ("train_loss", stats(trainLoss)),
                ("val_loss", stats(valLoss)),
            ]
            if job.data.isClassification { row.append(("val_accuracy", stats(valAccuracy))) }
            row.append(("ms_per_epoch", stats(ms)))
            if !failures.isEmpty { row.append(("failures", .array(failures))) }
            table.append(.object(row))
        }
        return .succeeded(
            .object([
                ("task", .string(job.data.isClassification ? "classification" : "regression")),
                ("epochs", .number(Double(epochs))),
                ("seeds", .array(job.seeds.map { .number(Double($0)) })),
                ("table", .array(table)),
            ])
        )
    }

    static func runFit(
        _ job: FitJob,
        env: TrainingEnvironment,
        isCancelled: () -> Bool,
        progress: (JobProgress) -> Void
    ) -> JobOutcome {
        let catalog = env.catalog
        guard let descriptor = catalog.descriptor(named: job.activation.name) else {
            return .failed(.invalid("unknown activation \(job.activation.name)"))
        }
        func makeKernel(_ r: ResolvedParameters) -> any ActivationKernel {
            // try!: non-adversarial kernels are always available for a catalog entry.
            try! catalog.kernel(for: descriptor, resolved: r, adversarial: false)
        }
        var params = job.activation.parameters
        var kernel = makeKernel(params)
        let shapes = kernel.parameterGradientShapes
        // Learned parameters: (spec, index into the kernel's gradient list, offset, width).
        var slots: [(spec: ParameterSpec, k: Int, offset: Int, width: Int)] = []
        var theta: [Double] = []
        for spec in descriptor.parameters where spec.trainable {
            guard let k = shapes.firstIndex(where: { $0.name == spec.name }) else {
                return .failed(.invalid("\(descriptor.name) has no derivative for '\(spec.name)'"))
            }
            let values: [Double]
            switch params[spec.name] {
            case .number(let v)?: values = [v]
            case .numbers(let vs)?: values = vs
            default: return .failed(.invalid("parameter '\(spec.name)' is not numeric"))
            }
            slots.append((spec, k, theta.count, values.count))
            theta += values.map { spec.project($0) }
        }
        let regularizer = job.regularization > 0 ? env.regularizers[descriptor.name] : nil
        func rebuild() {
            for s in slots {
                let v = Array(theta[s.offset..<s.offset + s.width])
                params = params.replacing(s.spec.name, with: s.spec.kind == .numbers ? .numbers(v) : .number(v[0]))
            }
            kernel = makeKernel(params)
        }
        rebuild()

        let n = job.x.count
        let batch = job.training.batchSize == 0 ? n : min(job.training.batchSize, n)
        var yhat = [Float](repeating: 0, count: batch)
        var gout = [Float](repeating: 0, count: batch)
        var xb = [Float](repeating: 0, count: batch)
        var yb = [Float](repeating: 0, count: batch)
        var order = Array(0..<n)
        var rng = Xoshiro256(seed: job.training.seed)
        var m = [Double](repeating: 0, count: theta.count)
        var v = [Double](repeating: 0, count: theta.count)
        var b1Power = 1.0, b2Power = 1.0

        func dataLoss() -> Double {
            var out = [Float](repeating: 0, count: n)
            job.x.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { kernel.forward(x, into: $0) } }
            var total = 0.0
            for i in 0..<n {
                let d = Double(out[i]) - Double(job.y[i])
                total += d * d
            }
            return total / Double(n)
        }
        let initialLoss = dataLoss()

        for epoch in 1...job.training.epochs {
            if batch < n { rng.shuffle(&order) }
            var total = 0.0
            var start = 0
            while start < n {
                if isCancelled() { return .cancelled(epoch: epoch) }
                let count = min(batch, n - start)
                for i in 0..<count {
                    xb[i] = job.x[order[start + i]]
                    yb[i] = job.y[order[start + i]]
                }
                let sums: [[Double]] = xb.withUnsafeBufferPointer { xAll in
                    let x = UnsafeBufferPointer(rebasing: xAll[0..<count])
                    yhat.withUnsafeMutableBufferPointer { out in
                        kernel.forward(x, into: UnsafeMutableBufferPointer(rebasing: out[0..<count]))
                    }
                    var loss = 0.0
                    for i in 0..<count {
                        let d = yhat[i] - yb[i]
                        loss += Double(d) * Double(d)
                        gout[i] = 2 * d / Float(count)
                    }
                    total += loss
                    return gout.withUnsafeBufferPointer { g in
                        kernel.parameterGradients(x, gradOutput: UnsafeBufferPointer(rebasing: g[0..<count]))
                    }
                }
                var grad = [Double](repeating: 0, count: theta.count)
                for s in slots {
                    for j in 0..<s.width { grad[s.offset + j] = sums[s.k][j] }
                }
                if let regularizer {
                    let (penalty, g) = regularizer(params)
                    total += job.regularization * penalty * Double(count)
                    for s in slots {
                        if let gs = g[s.spec.name] {
                            for j in 0..<min(s.width, gs.count) { grad[s.offset + j] += job.regularization * gs[j] }
                        }
                    }
                }
                guard grad.allSatisfy(\.isFinite) else {
                    return .failed(.diverged(epoch: epoch, reason: "the parameter gradient became non-finite"))
                }
                let lr = job.training.optimizer.learningRate
                switch job.training.optimizer.method {
                case .adam(let b1, let b2, let eps):
                    b1Power *= b1
                    b2Power *= b2
                    let c1 = 1 - b1Power, c2 = 1 - b2Power
                    for i in theta.indices {
                        m[i] = b1 * m[i] + (1 - b1) * grad[i]
                        v[i] = b2 * v[i] + (1 - b2) * grad[i] * grad[i]
                        theta[i] -= lr * (m[i] / c1) / ((v[i] / c2).squareRoot() + eps)
                    }
                case .sgd(let momentum):
                    for i in theta.indices {
                        m[i] = momentum * m[i] + grad[i]
                        theta[i] -= lr * m[i]
                    }
                }
                for s in slots {
                    for j in 0..<s.width { theta[s.offset + j] = s.spec.project(theta[s.offset + j]) }
                }
                rebuild()
                start += count
            }
            let epochLoss = total / Double(n)
            guard epochLoss.isFinite else {
                return .failed(.diverged(epoch: epoch, reason: "the loss became \(epochLoss)"))
            }
            progress(
                JobProgress(
                    epoch: epoch,
                    epochs: job.training.epochs,
                    trainLoss: epochLoss,
                    validationLoss: nil,
                    validationAccuracy: nil,
                    recordsMetrics: true,
                    extra: []
                )
            )
        }
        let finalLoss = dataLoss()
        guard finalLoss.isFinite else {
            return .failed(.diverged(epoch: job.training.epochs, reason: "the final loss is \(finalLoss)"))
        }
        var result: [(key: String, value: JSONValue)] = [
            ("activation", activationJSON(descriptor.name, params)),
            ("final_loss", .number(finalLoss)),
            ("initial_loss", .number(initialLoss)),
            ("epochs", .number(Double(job.training.epochs))),
            ("points", .number(Double(n))),
            ("target", job.targetDescription),
        ]
        if let regularizer {
            result.append(
                (
                    "regularization",
                    .object([("weight", .number(job.regularization)), ("penalty", .number(regularizer(params).loss))])
                )
            )
        }
        return .succeeded(.object(result))
    }
}
