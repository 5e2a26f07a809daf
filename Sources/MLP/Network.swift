import Activations

/// One hidden layer of a ``Network``.
public struct HiddenLayer: Sendable {
    public enum Kind: Sendable {
        /// Dense map followed by an element-wise activation.
        case activation(ActivationConfiguration)
        /// HD-FGD layer y = (W₁h + c₁) ⊙ q(W₂h + c₂) with gate q (docs/ACTIVATIONS.md §10.2).
        case gated(any Gate)
    }

    public var width: Int
    public var kind: Kind

    public init(width: Int, kind: Kind) {
        self.width = width
        self.kind = kind
    }
}

/// How dense weights are drawn (biases start at zero).
public enum Initialization: Sendable, Equatable {
    /// He (Kaiming) normal: N(0, 2/fan_in) — for ReLU-like activations.
    case he
    /// Xavier (Glorot) uniform: U(±√(6/(fan_in + fan_out))) — for tanh/sigmoid-like ones.
    case xavier
}

/// Targets of one batch, as pointers into contiguous storage.
public enum BatchTargets {
    case labels(UnsafeBufferPointer<Int32>)
    case values(UnsafeBufferPointer<Float>)
}

/// A multilayer perceptron: dense layers, activation layers (any catalog kernel, optionally
/// with learned parameters) and HD-FGD gated layers. Every learned value lives in one flat
/// `parameters` vector so that optimisers run one contiguous loop.
public struct Network: Sendable {
    enum Layer: Sendable {
        case dense(Dense)
        case activation(ActivationUnit)
        case gated(Gated)

        var inputWidth: Int {
            switch self {
            case .dense(let d): return d.inputs
            case .activation(let a): return a.width
            case .gated(let g): return g.inputs
            }
        }

        var outputWidth: Int {
            switch self {
            case .dense(let d): return d.outputs
            case .activation(let a): return a.width
            case .gated(let g): return g.outputs
            }
        }
    }

    struct Dense: Sendable {
        let inputs: Int, outputs: Int
        let weights: Int, bias: Int
    }

    struct ActivationUnit: Sendable {
        let width: Int
        var kernel: any ActivationKernel
        var parameters: ResolvedParameters
        let slots: [TrainableSlot]
        let makeKernel: @Sendable (ResolvedParameters) -> any ActivationKernel
    }

    struct Gated: Sendable {
        let inputs: Int, outputs: Int
        let w1: Int, b1: Int, w2: Int, b2: Int
        let gate: any Gate
    }

    public let inputCount: Int
    public let outputCount: Int
    /// Every learned value: dense weights and biases, then activation parameters, per layer.
    public private(set) var parameters: [Float]
    /// Named ranges of `parameters` (e.g. "dense1.weight", "activation1.beta"), in order.
    public let layout: [(name: String, range: Range<Int>)]
    var layers: [Layer]
    /// 1 for dense weights (subject to weight decay), 0 for biases and activation parameters.
    let decayMask: [Float]

    /// Builds and initialises a network.
    ///
    /// - Throws: ``MLPError`` when a width is not positive or a trainable parameter has no
    ///   derivative (or a derivative of the wrong width) in its kernel.
    public init(
        inputs: Int,
        hidden: [HiddenLayer],
        outputs: Int,
        initialization: Initialization = .he,
        seed: UInt64
    ) throws(MLPError) {
        guard inputs > 0, outputs > 0 else {
            throw MLPError(.invalidShape, "a network needs at least one input and one output")
        }
        var rng = Xoshiro256(seed: seed)
        var params: [Float] = []
        var mask: [Float] = []
        var layout: [(name: String, range: Range<Int>)] = []
        var layers: [Layer] = []

        func appendWeights(_ name: String, fanIn: Int, fanOut: Int) -> Int {
            let start = params.count
            let count = fanIn * fanOut
            switch initialization {
            case .he:
                let s = (2 / Double(fanIn)).squareRoot()
                for _ in 0..<count { params.append(Float(s * rng.nextNormal())) }
            case .xavier:
                let a = (6 / Double(fanIn + fanOut)).squareRoot()
                for _ in 0..<count { params.append(Float(rng.nextUniform(in: -a, a))) }
            }
            mask.append(contentsOf: repeatElement(1, count: count))
            layout.append((name, start..<params.count))
            return start
        }
        func appendZeros(_ name: String, count: Int) -> Int {
            let start = params.count
            params.append(contentsOf: repeatElement(0, count: count))
            mask.append(contentsOf: repeatElement(0, count: count))
            layout.append((name, start..<params.count))
            return start
        }

        var previous = inputs
        for (index, h) in hidden.enumerated() {
            let n = index + 1
            guard h.width > 0 else {
                throw MLPError(.invalidShape, "hidden layer \(n) has width \(h.width); it must be positive")
            }
            switch h.kind {
            case .activation(let config):
                let w = appendWeights("dense\(n).weight", fanIn: previous, fanOut: h.width)
                let b = appendZeros("dense\(n).bias", count: h.width)
                layers.append(.dense(Dense(inputs: previous, outputs: h.width, weights: w, bias: b)))
                let shapes = config.kernel.parameterGradientShapes
                var slots: [TrainableSlot] = []
                for spec in config.trainable {
                    guard let k = shapes.firstIndex(where: { $0.name == spec.name }) else {
                        throw MLPError(
                            .untrainableParameter,
                            "parameter '\(spec.name)' is marked trainable but the kernel has no derivative for it"
                        )
                    }
                    let values: [Double]
                    switch config.parameters[spec.name] {
                    case .number(let v)?: values = [v]
                    case .numbers(let vs)?: values = vs
                    default:
                        throw MLPError(.untrainableParameter, "parameter '\(spec.name)' is not numeric")
                    }
                    guard values.count == shapes[k].width else {
                        throw MLPError(
                            .untrainableParameter,
                            "parameter '\(spec.name)' has \(values.count) values but its derivative has width \(shapes[k].width)"
                        )
                    }
                    let start = params.count
                    let slot = TrainableSlot(spec: spec, width: values.count, offset: start, gradientIndex: k)
                    for v in values { params.append(Float(slot.project(v))) }
                    mask.append(contentsOf: repeatElement(0, count: values.count))
                    layout.append(("activation\(n).\(spec.name)", start..<params.count))
                    slots.append(slot)
                }
                layers.append(
                    .activation(
                        ActivationUnit(
                            width: h.width,
                            kernel: config.kernel,
                            parameters: config.parameters,
                            slots: slots,
                            makeKernel: config.makeKernel
                        )
                    )
                )
            case .gated(let gate):
                let w1 = appendWeights("gated\(n).weight1", fanIn: previous, fanOut: h.width)
                let b1 = appendZeros("gated\(n).bias1", count: h.width)
                let w2 = appendWeights("gated\(n).weight2", fanIn: previous, fanOut: h.width)
                let b2 = appendZeros("gated\(n).bias2", count: h.width)
                layers.append(
                    .gated(Gated(inputs: previous, outputs: h.width, w1: w1, b1: b1, w2: w2, b2: b2, gate: gate))
                )
            }
            previous = h.width
        }
        let w = appendWeights("output.weight", fanIn: previous, fanOut: outputs)
        let b = appendZeros("output.bias", count: outputs)
        layers.append(.dense(Dense(inputs: previous, outputs: outputs, weights: w, bias: b)))

        self.inputCount = inputs
        self.outputCount = outputs
        self.parameters = params
        self.layout = layout
        self.layers = layers
        self.decayMask = mask
        synchronizeActivations()
    }

    public var parameterCount: Int { parameters.count }

    /// Replaces every parameter (same count), projecting activation parameters into their
    /// valid ranges and rebuilding the affected kernels.
    public mutating func setParameters(_ values: [Float]) {
        precondition(values.count == parameters.count, "parameter count mismatch")
        parameters = values
        synchronizeActivations()
    }

    /// The current (learned) parameters of every activation layer, in layer order.
    public var activationParameters: [ResolvedParameters] {
        layers.compactMap {
            if case .activation(let a) = $0 { return a.parameters }
            return nil
        }
    }

    /// Projects learned activation parameters into range and rebuilds their kernels.
    mutating func synchronizeActivations() {
        for l in layers.indices {
            guard case .activation(var unit) = layers[l], !unit.slots.isEmpty else { continue }
            var r = unit.parameters
            for slot in unit.slots {
                var values: [Double] = []
                values.reserveCapacity(slot.width)
                for j in 0..<slot.width {
                    let v = slot.project(Double(parameters[slot.offset + j]))
                    parameters[slot.offset + j] = Float(v)
                    values.append(Double(Float(v)))
                }
                r = r.replacing(slot.name, with: slot.isVector ? .numbers(values) : .number(values[0]))
            }
            unit.parameters = r
            unit.kernel = unit.makeKernel(r)
            layers[l] = .activation(unit)
        }
    }

    /// One optimiser step with `gradients` (same layout as `parameters`).
    public mutating func apply(_ optimizer: inout Optimizer, gradients: [Float]) {
        precondition(gradients.count == parameters.count, "gradient count mismatch")
        parameters.withUnsafeMutableBufferPointer { p in
            gradients.withUnsafeBufferPointer { g in
                decayMask.withUnsafeBufferPointer { m in optimizer.step(parameters: p, gradients: g, decayMask: m) }
            }
        }
        synchronizeActivations()
    }

    /// Whether every parameter is finite.
    public var parametersAreFinite: Bool {
        parameters.withUnsafeBufferPointer { p in
            var ok = true
            for v in p where !v.isFinite { ok = false }
            return ok
        }
    }
}
