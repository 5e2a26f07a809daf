import Activations

/// One hidden layer's activation: the kernel, its full parameter set, which parameters are
/// learned, and how to rebuild the kernel after a parameter update.
public struct ActivationConfiguration: Sendable {
    public var kernel: any ActivationKernel
    /// Every parameter of the activation (defaults filled in), in catalog order.
    public var parameters: ResolvedParameters
    /// The specs of the parameters learned in training (`.number` or `.numbers` kinds). Each
    /// must appear in `kernel.parameterGradientShapes` with a matching width.
    public var trainable: [ParameterSpec]
    /// Rebuilds the kernel from updated parameters (already projected into their ranges).
    public var makeKernel: @Sendable (ResolvedParameters) -> any ActivationKernel

    /// A fixed activation (nothing learned).
    public init(kernel: any ActivationKernel) {
        self.kernel = kernel
        self.parameters = ResolvedParameters([])
        self.trainable = []
        self.makeKernel = { [kernel] _ in kernel }
    }

    public init(
        kernel: any ActivationKernel,
        parameters: ResolvedParameters,
        trainable: [ParameterSpec],
        makeKernel: @escaping @Sendable (ResolvedParameters) -> any ActivationKernel
    ) {
        self.kernel = kernel
        self.parameters = parameters
        self.trainable = trainable
        self.makeKernel = makeKernel
    }

    /// Builds the configuration for a catalog entry. With `trainable`, every parameter whose
    /// spec is marked trainable is learned; with `adversarial`, the counterpart is used.
    public static func catalogEntry(
        _ name: String,
        params: [String: ParameterValue] = [:],
        trainable: Bool = false,
        adversarial: Bool = false,
        in catalog: Catalog
    ) throws(ActivationError) -> ActivationConfiguration {
        let (descriptor, resolved) = try catalog.resolve(name, params: params)
        let kernel = try catalog.kernel(for: descriptor, resolved: resolved, adversarial: adversarial)
        let specs = trainable ? descriptor.parameters.filter(\.trainable) : []
        return ActivationConfiguration(
            kernel: kernel,
            parameters: resolved,
            trainable: specs,
            makeKernel: { r in
                // try!: the first call above succeeded with the same descriptor and flag, and
                // kernel(for:resolved:adversarial:) only fails when no counterpart exists.
                try! catalog.kernel(for: descriptor, resolved: r, adversarial: adversarial)
            }
        )
    }
}

/// A learned parameter's place in the flat parameter vector and its valid range.
struct TrainableSlot: Sendable {
    let name: String
    let isVector: Bool
    let width: Int
    let offset: Int
    /// Index into the kernel's `parameterGradientShapes`.
    let gradientIndex: Int
    let lower: Double?
    let upper: Double?

    init(spec: ParameterSpec, width: Int, offset: Int, gradientIndex: Int) {
        name = spec.name
        isVector = spec.kind == .numbers
        self.width = width
        self.offset = offset
        self.gradientIndex = gradientIndex
        lower = spec.projectionBounds.lower
        upper = spec.projectionBounds.upper
    }

    /// Clamps `v` into the spec's range (NaN is left for the divergence check to report).
    func project(_ v: Double) -> Double {
        var r = v
        if let lo = lower, r < lo { r = lo }
        if let hi = upper, r > hi { r = hi }
        return r
    }
}

extension ParameterSpec {
    /// The closed interval a learned value is projected into after each update: the spec's
    /// bounds, with exclusive bounds moved a relative 1e-6 inside the open interval.
    public var projectionBounds: (lower: Double?, upper: Double?) {
        func margin(_ b: Double) -> Double { 1e-6 * max(1, abs(b)) }
        return (
            minimum.map { exclusiveMinimum ? $0 + margin($0) : $0 },
            maximum.map { exclusiveMaximum ? $0 - margin($0) : $0 }
        )
    }

    /// `v` clamped into ``projectionBounds`` (NaN passes through).
    public func project(_ v: Double) -> Double {
        let (lo, hi) = projectionBounds
        var r = v
        if let lo, r < lo { r = lo }
        if let hi, r > hi { r = hi }
        return r
    }
}
