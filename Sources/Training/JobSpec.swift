import Activations
import Codecs
import MLP

/// The three job kinds of docs/API.md "Training jobs".
public enum JobKind: String, Sendable, CaseIterable {
    case train, fit, compare
}

/// An activation named in a job body, validated against the catalog.
public struct ActivationChoice: Sendable {
    /// Canonical catalog name.
    public var name: String
    /// Every parameter with defaults filled in.
    public var parameters: ResolvedParameters
    /// The parameters as the client gave them (for rebuilding kernels through the catalog).
    public var given: [String: ParameterValue]
    public var trainable: Bool
}

/// Where the samples of a train/compare job come from.
public enum DataSource: Sendable {
    case builtIn(BuiltInDataset, samples: Int, noise: Double, seed: UInt64)
    case inline(Samples)

    public var sampleCount: Int {
        switch self {
        case .builtIn(_, let n, _, _): return n
        case .inline(let s): return s.count
        }
    }

    var features: Int {
        switch self {
        case .builtIn(let d, _, _, _): return d.features
        case .inline(let s): return s.features
        }
    }

    var outputs: Int {
        switch self {
        case .builtIn(let d, _, _, _): return d.outputs
        case .inline(let s): return s.targets.outputWidth
        }
    }

    var isClassification: Bool {
        switch self {
        case .builtIn(let d, _, _, _): return d.isClassification
        case .inline(let s):
            if case .labels = s.targets { return true }
            return false
        }
    }

    func samples() -> Samples {
        switch self {
        case .builtIn(let d, let n, let noise, let seed): return d.generate(samples: n, noise: noise, seed: seed)
        case .inline(let s): return s
        }
    }
}

/// Network shape of a train/compare job.
public struct ModelSpec: Sendable, Equatable {
    public var hidden: [Int]
    /// `"adversarial": "alternate"`: even hidden layers use the counterpart.
    public var alternate: Bool
    public var hdfgd: Bool
}

/// Optimisation settings of a job.
public struct TrainingSettings: Sendable, Equatable {
    public var epochs: Int
    /// For fit jobs 0 means "all points in one batch".
    public var batchSize: Int
    public var optimizer: OptimizerConfiguration
    public var validationFraction: Double
    public var seed: UInt64
}

/// A `train` job.
public struct TrainJob: Sendable {
    public var data: DataSource
    public var model: ModelSpec
    public var activation: ActivationChoice
    public var training: TrainingSettings
}

/// A `compare` job: the train setup for several activations over several seeds.
public struct CompareJob: Sendable {
    public var data: DataSource
    public var model: ModelSpec
    public var activations: [ActivationChoice]
    public var seeds: [UInt64]
    public var training: TrainingSettings
}

/// A `fit` job: an activation's trainable parameters fitted to a target curve by MSE.
public struct FitJob: Sendable {
    public var activation: ActivationChoice
    public var x: [Float]
    public var y: [Float]
    /// The target as the result reports it (`{"activation": …}` or `{"points": n}`).
    public var targetDescription: JSONValue
    public var training: TrainingSettings
    /// Weight of the environment's prior for this activation (if one is registered).
    public var regularization: Double
}

/// A validated job body, ready to run.
public struct JobSpec: Sendable {
    public enum Body: Sendable {
        case train(TrainJob)
        case fit(FitJob)
        case compare(CompareJob)
    }

    public let body: Body
    /// samples × epochs × parameters summed over runs (what `JobLimits.maxWork` bounds).
    public let work: Double
    /// Epochs over all runs (the denominator of `progress.fraction`).
    public let totalEpochs: Int

    public var kind: JobKind {
        switch body {
        case .train: return .train
        case .fit: return .fit
        case .compare: return .compare
        }
    }
}

extension JobSpec {
    /// Validates a job body (docs/API.md "Training jobs"), filling in defaults.
    ///
    /// - Throws: ``JobSpecError`` with the pointer of the first offending field; a body over a
    ///   configured limit gives `.limitExceeded` naming the limit.
    public static func parse(_ json: JSONValue, environment env: TrainingEnvironment) throws(JobSpecError) -> JobSpec {
        guard case .object = json else {
            throw JobSpecError(pointer: "", "the job body must be a JSON object, got \(JSONReading.describe(json))")
        }
        let kind =
            try json["kind"].map { v throws(JobSpecError) in
                JobKind(rawValue: try JSONReading.choice(v, at: "/kind", JobKind.allCases.map(\.rawValue)))!
            } ?? .train
        let parser = SpecParser(env: env)
        switch kind {
        case .train: return try parser.train(json)
        case .fit: return try parser.fit(json)
        case .compare: return try parser.compare(json)
        }
    }
}

/// The parsing rules, with the environment at hand.
private struct SpecParser {
    let env: TrainingEnvironment
    var limits: JobLimits { env.limits }

    /// Throws `.limitExceeded` naming the configured limit when `value` is above `maximum`;
    /// the message reads "<subject> exceeds <name> = <maximum>".
    func checkLimit(_ value: Int, _ subject: String, atMost maximum: Int, named name: String, at pointer: String)
        throws(JobSpecError)
    {
        guard value <= maximum else {
            throw JobSpecError(.limitExceeded, pointer: pointer, "\(subject) exceeds \(name) = \(maximum)", limit: name)
        }
    }

    func train(_ json: JSONValue) throws(JobSpecError) -> JobSpec {
        let o = try JSONReading.object(json, at: "", allowed: ["kind", "dataset", "model", "training"])
        let data = try dataset(o["dataset"], at: "/dataset")
        let (model, activation) = try model(o["model"], at: "/model", requireActivation: true)
        let training = try training(o["training"], at: "/training", fit: false)
        let parameters = try networkParameterCount(data: data, model: model, activation: activation!, at: "/model")
        let work = Double(data.sampleCount) * Double(training.epochs) * Double(parameters)
        try checkWork(work, "samples × epochs × parameters = \(data.sampleCount) × \(training.epochs) × \(parameters)")
        try checkSplit(data, training)
        return JobSpec(
            body: .train(TrainJob(data: data, model: model, activation: activation!, training: training)),
            work: work,
            totalEpochs: training.epochs
        )
    }

    func compare(_ json: JSONValue) throws(JobSpecError) -> JobSpec {
        let o = try JSONReading.object(
            json,
            at: "",
            allowed: ["kind", "dataset", "model", "training", "activations", "seeds"]
        )
        let data = try dataset(o["dataset"], at: "/dataset")
        let (model, _) = try model(o["model"], at: "/model", requireActivation: false)
        let training = try training(o["training"], at: "/training", fit: false)
        guard let list = o["activations"] else {
            throw JobSpecError(pointer: "/activations", "is required for compare jobs: [{\"name\": …}, …]")
        }
        guard case .array(let items) = list, !items.isEmpty else {
            throw JobSpecError(pointer: "/activations", "must be a non-empty array of activations")
        }
        var activations: [ActivationChoice] = []
        for (i, item) in items.enumerated() {
            activations.append(try activation(item, at: JSONReading.pointer("/activations", i), allowTrainable: true))
        }
        var seeds: [UInt64] = [0, 1, 2]
        if let s = o["seeds"] {
            let values = try JSONReading.numbers(s, at: "/seeds")
            guard !values.isEmpty else { throw JobSpecError(pointer: "/seeds", "must not be empty") }
            seeds = []
            for (i, v) in values.enumerated() {
                seeds.append(try seed(.number(v), at: JSONReading.pointer("/seeds", i)))
            }
        }
        let runs = activations.count * seeds.count
        try checkLimit(runs, "\(activations.count) activations × \(seeds.count) seeds = \(runs) runs", atMost: limits.maxRuns, named: "max_runs", at: "/activations")
        var work = 0.0
        var counts: [Int] = []
        for (i, a) in activations.enumerated() {
            let p = try networkParameterCount(
                data: data,
                model: model,
                activation: a,
                at: JSONReading.pointer("/activations", i)
            )
            counts.append(p)
            work += Double(data.sampleCount) * Double(training.epochs) * Double(p) * Double(seeds.count)
        }
        try checkWork(
            work,
            "samples × epochs × parameters × seeds = \(data.sampleCount) × \(training.epochs) × "
                + "[\(counts.map(String.init).joined(separator: ", "))] × \(seeds.count)"
        )
        try checkSplit(data, training)
        return JobSpec(
            body: .compare(
                CompareJob(data: data, model: model, activations: activations, seeds: seeds, training: training)
            ),
            work: work,
            totalEpochs: training.epochs * runs
        )
    }

    func fit(_ json: JSONValue) throws(JobSpecError) -> JobSpec {
        let o = try JSONReading.object(
            json,
            at: "",
            allowed: ["kind", "activation", "target", "training", "regularization"]
        )
        guard let a = o["activation"] else {
            throw JobSpecError(pointer: "/activation", "is required for fit jobs: {\"name\": …, \"params\": {…}}")
        }
        var choice = try activation(a, at: "/activation", allowTrainable: false)
        choice.trainable = true
        let learned = try trainableShapes(choice, at: "/activation/name")
        guard let t = o["target"] else {
            throw JobSpecError(pointer: "/target", "is required: {\"x\": […], \"y\": […]} or {\"activation\": {…}}")
        }
        let (x, y, description) = try target(t, at: "/target")
        let training = try training(o["training"], at: "/training", fit: true)
        let regularization =
            try o["regularization"].map { v throws(JobSpecError) in
                try JSONReading.number(v, at: "/regularization", min: 0, max: 1e6)
            } ?? 0.1
        let width = learned.reduce(0) { $0 + $1.width }
        let work = Double(x.count) * Double(training.epochs) * Double(max(1, width))
        try checkWork(work, "points × epochs × parameters = \(x.count) × \(training.epochs) × \(width)")
        return JobSpec(
            body: .fit(
                FitJob(
                    activation: choice,
                    x: x,
                    y: y,
                    targetDescription: description,
                    training: training,
                    regularization: regularization
                )
            ),
            work: work,
            totalEpochs: training.epochs
        )
    }

    // MARK: - Pieces

    func checkWork(_ work: Double, _ formula: String) throws(JobSpecError) {
        guard work <= limits.maxWork else {
            throw JobSpecError(
                .limitExceeded,
                pointer: "",
                "\(formula) = \(work) exceeds the job size limit max_work = \(limits.maxWork)",
                limit: "max_work"
            )
        }
    }

    func checkSplit(_ data: DataSource, _ training: TrainingSettings) throws(JobSpecError) {
        let n = data.sampleCount
        let validation = Split.validationCount(samples: n, fraction: training.validationFraction)
        guard n - validation >= 1 else {
            throw JobSpecError(
                pointer: "/training/validation_fraction",
                "leaves no training samples out of \(n)"
            )
        }
    }

    func seed(_ v: JSONValue, at p: String) throws(JobSpecError) -> UInt64 {
        UInt64(try JSONReading.integer(v, at: p, min: 0, max: 9_007_199_254_740_992))
    }

    func dataset(_ v: JSONValue?, at p: String) throws(JobSpecError) -> DataSource {
        guard let v else {
            return .builtIn(.moons, samples: 512, noise: BuiltInDataset.moons.defaultNoise, seed: 0)
        }
        let o = try JSONReading.object(v, at: p, allowed: ["name", "samples", "noise", "seed", "inline", "task"])
        if let inline = o["inline"] {
            for key in ["name", "samples", "noise", "seed"] where o[key] != nil {
                throw JobSpecError(pointer: JSONReading.pointer(p, key), "not allowed with inline data")
            }
            let task =
                try o["task"].map { t throws(JobSpecError) in
                    try JSONReading.choice(t, at: p + "/task", ["classification", "regression"])
                } ?? "classification"
            return .inline(try inlineData(inline, at: p + "/inline", classification: task == "classification"))
        }
        if o["task"] != nil {
            throw JobSpecError(
                pointer: p + "/task",
                "only allowed with inline data (built-in datasets know their task)"
            )
        }
        let name =
            try o["name"].map { n throws(JobSpecError) in
                BuiltInDataset(
                    rawValue: try JSONReading.choice(n, at: p + "/name", BuiltInDataset.allCases.map(\.rawValue))
                )!
            } ?? .moons
        var samples = 512
        if let s = o["samples"] {
            samples = try JSONReading.integer(s, at: p + "/samples", min: 2)
            try checkLimit(samples, "\(samples) samples", atMost: limits.maxSamples, named: "max_samples", at: p + "/samples")
        }
        let noise =
            try o["noise"].map { n throws(JobSpecError) in
                try JSONReading.number(n, at: p + "/noise", min: 0, max: 10)
            } ?? name.defaultNoise
        let seed = try o["seed"].map { s throws(JobSpecError) in try self.seed(s, at: p + "/seed") } ?? 0
        return .builtIn(name, samples: samples, noise: noise, seed: seed)
    }

    func inlineData(_ v: JSONValue, at p: String, classification: Bool) throws(JobSpecError) -> Samples {
        let o = try JSONReading.object(v, at: p, allowed: ["x", "y"])
        guard let xv = o["x"] else { throw JobSpecError(pointer: p + "/x", "is required: an array of rows") }
        guard let yv = o["y"] else { throw JobSpecError(pointer: p + "/y", "is required: one target per row") }
        let x = try JSONReading.matrix(xv, at: p + "/x")
        guard x.rows >= 2 else { throw JobSpecError(pointer: p + "/x", "needs at least 2 rows, got \(x.rows)") }
        guard x.columns >= 1 else { throw JobSpecError(pointer: p + "/x/0", "rows must not be empty") }
        try checkLimit(x.rows, "\(x.rows) rows", atMost: limits.maxSamples, named: "max_samples", at: p + "/x")
        try checkLimit(x.columns, "\(x.columns) features", atMost: limits.maxFeatures, named: "max_features", at: p + "/x/0")
        let targets: Targets
        if classification {
            let ys = try JSONReading.numbers(yv, at: p + "/y")
            guard ys.count == x.rows else {
                throw JobSpecError(pointer: p + "/y", "has \(ys.count) labels but x has \(x.rows) rows")
            }
            var labels: [Int32] = []
            labels.reserveCapacity(ys.count)
            for (i, y) in ys.enumerated() {
                guard y >= 0, y.rounded() == y, y < Double(limits.maxWidth) else {
                    throw JobSpecError(
                        pointer: JSONReading.pointer(p + "/y", i),
                        "class labels must be whole numbers in 0..<\(limits.maxWidth), got \(JSONReading.format(y))"
                    )
                }
                labels.append(Int32(y))
            }
            let classes = Int(labels.max()!) + 1  // labels is non-empty: x has at least 2 rows
            guard Set(labels).count >= 2 else {
                throw JobSpecError(pointer: p + "/y", "classification needs at least two classes among the labels")
            }
            targets = .labels(labels, classes: classes)
        } else {
            let isMatrix: Bool
            switch yv {
            case .tensor(let t): isMatrix = t.shape.count == 2
            case .array(let items): isMatrix = items.first.map { if case .number = $0 { false } else { true } } ?? false
            default: isMatrix = false
            }
            if isMatrix {
                let m = try JSONReading.matrix(yv, at: p + "/y")
                guard m.rows == x.rows, m.columns >= 1 else {
                    throw JobSpecError(pointer: p + "/y", "has \(m.rows) rows but x has \(x.rows)")
                }
                targets = .values(m.values, width: m.columns)
            } else {
                let ys = try JSONReading.numbers(yv, at: p + "/y")
                guard ys.count == x.rows else {
                    throw JobSpecError(pointer: p + "/y", "has \(ys.count) values but x has \(x.rows) rows")
                }
                for (i, y) in ys.enumerated() where !Float(y).isFinite {
                    throw JobSpecError(pointer: JSONReading.pointer(p + "/y", i), "\(y) is outside the float32 range")
                }
                targets = .values(ys.map { Float($0) }, width: 1)
            }
        }
        do {
            return try Samples(features: x.columns, inputs: x.values, targets: targets)
        } catch {
            throw JobSpecError(pointer: p, error.message)
        }
    }

    func activation(_ v: JSONValue, at p: String, allowTrainable: Bool) throws(JobSpecError) -> ActivationChoice {
        let allowed = allowTrainable ? ["name", "params", "trainable"] : ["name", "params"]
        let o = try JSONReading.object(v, at: p, allowed: allowed)
        guard let n = o["name"] else { throw JobSpecError(pointer: p + "/name", "is required") }
        let name = try JSONReading.string(n, at: p + "/name")
        let given =
            try o["params"].map { v throws(JobSpecError) in try JSONReading.parameters(v, at: p + "/params") } ?? [:]
        let trainable =
            try o["trainable"].map { t throws(JobSpecError) in try JSONReading.bool(t, at: p + "/trainable") } ?? false
        let (descriptor, resolved): (ActivationDescriptor, ResolvedParameters)
        do {
            (descriptor, resolved) = try env.catalog.resolve(name, params: given)
        } catch {
            throw Self.mapActivationError(error, at: p)
        }
        if trainable && !descriptor.parameters.contains(where: \.trainable) {
            throw JobSpecError(
                pointer: p + "/trainable",
                "\(descriptor.name) has no trainable parameters; trainable entries: \(trainableNames())"
            )
        }
        return ActivationChoice(name: descriptor.name, parameters: resolved, given: given, trainable: trainable)
    }

    func trainableNames() -> String {
        env.catalog.entries.filter { $0.parameters.contains(where: \.trainable) }.map(\.name).joined(separator: ", ")
    }

    static func mapActivationError(_ error: ActivationError, at p: String) -> JobSpecError {
        switch error.code {
        case .unknownActivation: return JobSpecError(pointer: p + "/name", error.message)
        case .unknownParameter, .invalidParameter:
            let field = error.parameter.map { p + "/params/" + $0 } ?? p + "/params"
            return JobSpecError(pointer: field, error.message)
        default: return JobSpecError(pointer: p, error.message)
        }
    }

    /// The learned parameters of a fit activation (each with a derivative in the kernel).
    func trainableShapes(_ choice: ActivationChoice, at p: String) throws(JobSpecError) -> [ParameterGradientShape] {
        guard let d = env.catalog.descriptor(named: choice.name), d.parameters.contains(where: \.trainable) else {
            throw JobSpecError(
                pointer: p,
                "\(choice.name) has no trainable parameters to fit; trainable entries: \(trainableNames())"
            )
        }
        let kernel: any ActivationKernel
        do { kernel = try env.catalog.kernel(for: d, resolved: choice.parameters, adversarial: false) } catch {
            throw Self.mapActivationError(error, at: p)
        }
        let shapes = kernel.parameterGradientShapes
        var out: [ParameterGradientShape] = []
        for spec in d.parameters where spec.trainable {
            guard let s = shapes.first(where: { $0.name == spec.name }) else {
                throw JobSpecError(pointer: p, "\(choice.name) does not provide a derivative for '\(spec.name)'")
            }
            out.append(s)
        }
        return out
    }

    func model(
        _ v: JSONValue?,
        at p: String,
        requireActivation: Bool
    ) throws(JobSpecError) -> (ModelSpec, ActivationChoice?) {
        let allowed =
            requireActivation ? ["hidden", "activation", "adversarial", "hdfgd"] : ["hidden", "adversarial", "hdfgd"]
        let o: [String: JSONValue]
        if let v {
            if !requireActivation, case .object(let m) = v, m.contains(where: { $0.key == "activation" }) {
                throw JobSpecError(
                    pointer: p + "/activation",
                    "not allowed in compare jobs: list the activations in /activations"
                )
            }
            o = try JSONReading.object(v, at: p, allowed: allowed)
        } else {
            o = [:]
        }
        var hidden = [32, 32]
        if let h = o["hidden"] {
            let widths = try JSONReading.numbers(h, at: p + "/hidden")
            try checkLimit(widths.count, "\(widths.count) hidden layers", atMost: limits.maxHiddenLayers, named: "max_hidden_layers", at: p + "/hidden")
            hidden = []
            for (i, w) in widths.enumerated() {
                let wp = JSONReading.pointer(p + "/hidden", i)
                let width = try JSONReading.integer(.number(w), at: wp, min: 1)
                try checkLimit(width, "width \(width)", atMost: limits.maxWidth, named: "max_width", at: wp)
                hidden.append(width)
            }
        }
        let alternate =
            try o["adversarial"].map { a throws(JobSpecError) in
                try JSONReading.choice(a, at: p + "/adversarial", ["none", "alternate"]) == "alternate"
            } ?? false
        let hdfgd = try o["hdfgd"].map { h throws(JobSpecError) in try JSONReading.bool(h, at: p + "/hdfgd") } ?? false
        if hdfgd && hidden.isEmpty {
            throw JobSpecError(pointer: p + "/hdfgd", "needs at least one hidden layer")
        }
        var choice: ActivationChoice? = nil
        if requireActivation {
            if let a = o["activation"] {
                choice = try activation(a, at: p + "/activation", allowTrainable: true)
            } else {
                choice = try activation(
                    .object([("name", .string("relu"))]),
                    at: p + "/activation",
                    allowTrainable: true
                )
            }
        }
        return (ModelSpec(hidden: hidden, alternate: alternate, hdfgd: hdfgd), choice)
    }

    /// Builds the network once (validating counterpart, gate and trainable parameters) and
    /// returns its parameter count.
    func networkParameterCount(
        data: DataSource,
        model: ModelSpec,
        activation: ActivationChoice,
        at p: String
    ) throws(JobSpecError) -> Int {
        let activationPointer = p.hasPrefix("/activations") ? p : p + "/activation"
        if model.alternate && model.hidden.count >= 2 && env.catalog.counterpart(of: activation.name) == nil {
            throw JobSpecError(
                pointer: p.hasPrefix("/activations") ? p + "/name" : p + "/adversarial",
                "\"alternate\" needs an adversarial counterpart: \(env.catalog.unsupportedReason(of: activation.name))"
            )
        }
        if model.hdfgd && activation.trainable {
            throw JobSpecError(
                pointer: activationPointer + "/trainable",
                "trainable activation parameters are not supported with hdfgd"
            )
        }
        // Validate on a copy with width-1 layers (same kernels, gates and trainable slots, no
        // large allocation on the caller's thread), then count the real network analytically.
        var probe = model
        probe.hidden = model.hidden.map { _ in 1 }
        let net = try NetworkFactory.make(
            data: data,
            model: probe,
            activation: activation,
            seed: 0,
            environment: env,
            activationPointer: activationPointer
        )
        let activationValues = net.layout.filter { $0.name.hasPrefix("activation") }.reduce(0) { $0 + $1.range.count }
        var count = activationValues
        var previous = data.features
        for width in model.hidden {
            count += (model.hdfgd ? 2 : 1) * (previous * width + width)
            previous = width
        }
        return count + previous * data.outputs + data.outputs
    }

    func target(_ v: JSONValue, at p: String) throws(JobSpecError) -> (x: [Float], y: [Float], JSONValue) {
        let o = try JSONReading.object(v, at: p, allowed: ["x", "y", "activation", "range", "points"])
        if let a = o["activation"] {
            if o["y"] != nil {
                throw JobSpecError(pointer: p + "/y", "not allowed with a target activation (it provides y)")
            }
            let choice = try activation(a, at: p + "/activation", allowTrainable: false)
            var xs: [Float]
            if let xv = o["x"] {
                for key in ["range", "points"] where o[key] != nil {
                    throw JobSpecError(pointer: JSONReading.pointer(p, key), "not allowed together with x")
                }
                xs = try JSONReading.numbers(xv, at: p + "/x").map { Float($0) }
                guard !xs.isEmpty else { throw JobSpecError(pointer: p + "/x", "must not be empty") }
            } else {
                var lo = -5.0, hi = 5.0
                if let r = o["range"] {
                    let bounds = try JSONReading.numbers(r, at: p + "/range")
                    guard bounds.count == 2, bounds[0] < bounds[1] else {
                        throw JobSpecError(pointer: p + "/range", "must be [low, high] with low < high")
                    }
                    (lo, hi) = (bounds[0], bounds[1])
                }
                let points =
                    try o["points"].map { n throws(JobSpecError) in
                        try JSONReading.integer(n, at: p + "/points", min: 2)
                    } ?? 256
                try checkLimit(points, "\(points) points", atMost: limits.maxSamples, named: "max_samples", at: p + "/points")
                xs = (0..<points).map { Float(lo + (hi - lo) * Double($0) / Double(points - 1)) }
            }
            try checkPoints(xs.count, at: p + "/x")
            let kernel: any ActivationKernel
            do { kernel = try env.catalog.kernel(choice.name, params: choice.given) } catch {
                throw Self.mapActivationError(error, at: p + "/activation")
            }
            var ys = [Float](repeating: 0, count: xs.count)
            xs.withUnsafeBufferPointer { xb in ys.withUnsafeMutableBufferPointer { kernel.forward(xb, into: $0) } }
            if let bad = ys.firstIndex(where: { !$0.isFinite }) {
                throw JobSpecError(
                    pointer: p + "/activation",
                    "the target is not finite at x = \(xs[bad]); narrow the range"
                )
            }
            let description: JSONValue = .object([
                ("activation", .object([("name", .string(choice.name)), ("params", JSONValue(choice.parameters))])),
                ("points", .number(Double(xs.count))),
            ])
            return (xs, ys, description)
        }
        for key in ["range", "points"] where o[key] != nil {
            throw JobSpecError(pointer: JSONReading.pointer(p, key), "only allowed with a target activation")
        }
        guard let xv = o["x"] else {
            throw JobSpecError(pointer: p + "/x", "is required (or give a target activation)")
        }
        guard let yv = o["y"] else { throw JobSpecError(pointer: p + "/y", "is required with x") }
        let xs = try JSONReading.numbers(xv, at: p + "/x")
        let ys = try JSONReading.numbers(yv, at: p + "/y")
        guard !xs.isEmpty else { throw JobSpecError(pointer: p + "/x", "must not be empty") }
        guard ys.count == xs.count else {
            throw JobSpecError(pointer: p + "/y", "has \(ys.count) values but x has \(xs.count)")
        }
        try checkPoints(xs.count, at: p + "/x")
        for (i, y) in ys.enumerated() where !Float(y).isFinite {
            throw JobSpecError(pointer: JSONReading.pointer(p + "/y", i), "\(y) is outside the float32 range")
        }
        for (i, x) in xs.enumerated() where !Float(x).isFinite {
            throw JobSpecError(pointer: JSONReading.pointer(p + "/x", i), "\(x) is outside the float32 range")
        }
        return (xs.map { Float($0) }, ys.map { Float($0) }, .object([("points", .number(Double(xs.count)))]))
    }

    func checkPoints(_ n: Int, at p: String) throws(JobSpecError) {
        try checkLimit(n, "\(n) points", atMost: limits.maxSamples, named: "max_samples", at: p)
    }

    func training(_ v: JSONValue?, at p: String, fit: Bool) throws(JobSpecError) -> TrainingSettings {
        let allowed =
            fit
            ? ["epochs", "batch_size", "optimizer", "learning_rate", "momentum", "seed"]
            : [
                "epochs", "batch_size", "optimizer", "learning_rate", "momentum", "weight_decay", "validation_fraction",
                "seed",
            ]
        let o = try v.map { v throws(JobSpecError) in try JSONReading.object(v, at: p, allowed: allowed) } ?? [:]
        var epochs = fit ? 500 : 100
        if let e = o["epochs"] {
            epochs = try JSONReading.integer(e, at: p + "/epochs", min: 1)
            try checkLimit(epochs, "\(epochs) epochs", atMost: limits.maxEpochs, named: "max_epochs", at: p + "/epochs")
        }
        let batch =
            try o["batch_size"].map { b throws(JobSpecError) in
                try JSONReading.integer(b, at: p + "/batch_size", min: 1, max: 1_000_000)
            } ?? (fit ? 0 : 32)
        let optimizer =
            try o["optimizer"].map { m throws(JobSpecError) in
                try JSONReading.choice(m, at: p + "/optimizer", ["adam", "sgd"])
            } ?? "adam"
        let rate =
            try o["learning_rate"].map { r throws(JobSpecError) in
                try JSONReading.number(r, at: p + "/learning_rate", min: 0, max: 10, exclusiveMin: true)
            } ?? (optimizer == "adam" ? (fit ? 0.02 : 0.01) : 0.1)
        var momentum = 0.9
        if let m = o["momentum"] {
            guard optimizer == "sgd" else {
                throw JobSpecError(pointer: p + "/momentum", "only applies to optimizer \"sgd\"")
            }
            momentum = try JSONReading.number(m, at: p + "/momentum", min: 0, max: 1, exclusiveMax: true)
        }
        let decay =
            try o["weight_decay"].map { d throws(JobSpecError) in
                try JSONReading.number(d, at: p + "/weight_decay", min: 0, max: 1)
            } ?? 0
        let fraction =
            try o["validation_fraction"].map { f throws(JobSpecError) in
                try JSONReading.number(f, at: p + "/validation_fraction", min: 0, max: 0.9)
            } ?? (fit ? 0 : 0.2)
        let seed = try o["seed"].map { s throws(JobSpecError) in try self.seed(s, at: p + "/seed") } ?? 0
        let method: OptimizerConfiguration.Method = optimizer == "adam" ? .adam : .sgd(momentum: momentum)
        return TrainingSettings(
            epochs: epochs,
            batchSize: batch,
            optimizer: OptimizerConfiguration(method: method, learningRate: rate, weightDecay: decay),
            validationFraction: fraction,
            seed: seed
        )
    }
}
