/// A citation shown in the catalog.
public struct Reference: Sendable, Equatable {
    public let title: String
    public let url: String
    public init(title: String, url: String) {
        self.title = title
        self.url = url
    }
}

/// How an entry's network-adversarial counterpart is built (docs/ACTIVATIONS.md §10).
public enum AdversarialSupport: String, Sendable, Equatable {
    case global, split, unsupported
}

/// One catalog entry: metadata plus a factory that turns resolved parameters into a kernel.
public struct ActivationDescriptor: Sendable {
    public let name: String
    public let aliases: [String]
    public let description: String
    public let formula: String
    public let parameters: [ParameterSpec]
    public let references: [Reference]
    /// Extra cross-parameter validation run after the per-parameter checks (e.g. DiTAC a < b).
    let validate: @Sendable (ResolvedParameters) throws(ActivationError) -> Void
    let makeKernel: @Sendable (ResolvedParameters) -> any ActivationKernel

    public init(
        name: String, aliases: [String] = [], description: String, formula: String,
        parameters: [ParameterSpec] = [], references: [Reference] = [],
        validate: @escaping @Sendable (ResolvedParameters) throws(ActivationError) -> Void = { _ throws(ActivationError) in },
        makeKernel: @escaping @Sendable (ResolvedParameters) -> any ActivationKernel
    ) {
        self.name = name
        self.aliases = aliases
        self.description = description
        self.formula = formula
        self.parameters = parameters
        self.references = references
        self.validate = validate
        self.makeKernel = makeKernel
    }
}

/// An adversarial counterpart registered for a catalog entry (docs/ACTIVATIONS.md §10).
public struct AdversarialCounterpart: Sendable {
    public let kind: AdversarialSupport
    /// Catalog text: the construction, and that it follows the paper's abstract.
    public let description: String
    public let formula: String
    let makeKernel: @Sendable (ResolvedParameters) -> any ActivationKernel

    public init(
        kind: AdversarialSupport, description: String, formula: String,
        makeKernel: @escaping @Sendable (ResolvedParameters) -> any ActivationKernel
    ) {
        self.kind = kind
        self.description = description
        self.formula = formula
        self.makeKernel = makeKernel
    }
}
