/// The activation catalog: every entry by canonical name and alias, parameter validation, and
/// kernel construction (plain or adversarial).
public struct Catalog: Sendable {
    public let entries: [ActivationDescriptor]
    private let byName: [String: Int]
    private let counterparts: [String: AdversarialCounterpart]
    /// Reasons given for entries without a counterpart (relu, hard variants, ditac).
    private let unsupportedReasons: [String: String]

    /// The service's catalog.
    public static let standard = Catalog(
        entries: ClosedFormActivations.descriptors + DiTACActivation.descriptors,
        counterparts: AdversarialCounterparts.table,
        unsupportedReasons: AdversarialCounterparts.unsupportedReasons
    )

    public init(
        entries: [ActivationDescriptor], counterparts: [String: AdversarialCounterpart],
        unsupportedReasons: [String: String]
    ) {
        self.entries = entries
        var byName: [String: Int] = [:]
        for (i, e) in entries.enumerated() {
            byName[e.name] = i
            for alias in e.aliases { byName[alias] = i }
        }
        self.byName = byName
        self.counterparts = counterparts
        self.unsupportedReasons = unsupportedReasons
    }

    /// Canonical names, in catalog order.
    public var names: [String] { entries.map(\.name) }

    /// The entry for a canonical name or alias.
    public func descriptor(named name: String) -> ActivationDescriptor? {
        byName[name].map { entries[$0] }
    }

    /// The counterpart of an entry, or nil when it has none.
    public func counterpart(of name: String) -> AdversarialCounterpart? {
        descriptor(named: name).flatMap { counterparts[$0.name] }
    }

    /// `global`, `split` or `unsupported`.
    public func adversarialSupport(of name: String) -> AdversarialSupport {
        counterpart(of: name)?.kind ?? .unsupported
    }

    /// Why an entry has no counterpart (for the 422 answer and the catalog text).
    public func unsupportedReason(of name: String) -> String {
        let canonical = descriptor(named: name)?.name ?? name
        return unsupportedReasons[canonical]
            ?? "\(canonical) has no network-adversarial counterpart"
    }

    /// Validates `params` against the entry's specs and fills in defaults.
    public func resolve(
        _ name: String, params: [String: ParameterValue]
    ) throws(ActivationError) -> (ActivationDescriptor, ResolvedParameters) {
        guard let d = descriptor(named: name) else {
            throw ActivationError(
                .unknownActivation,
                "unknown activation '\(name)'; known: \(names.joined(separator: ", "))")
        }
        for key in params.keys.sorted() where !d.parameters.contains(where: { $0.name == key }) {
            let known = d.parameters.map(\.name)
            throw ActivationError(
                .unknownParameter, parameter: key,
                "unknown parameter '\(key)' for \(d.name); "
                    + (known.isEmpty ? "it takes no parameters" : "known: \(known.joined(separator: ", "))"))
        }
        var resolved: [(name: String, value: ParameterValue)] = []
        for spec in d.parameters {
            let value = try Catalog.check(params[spec.name] ?? spec.defaultValue, against: spec, of: d.name)
            resolved.append((spec.name, value))
        }
        let r = ResolvedParameters(resolved)
        try d.validate(r)
        return (d, r)
    }

    /// A kernel for `name` with `params` (validated), or its adversarial counterpart.
    public func kernel(
        _ name: String, params: [String: ParameterValue] = [:], adversarial: Bool = false
    ) throws(ActivationError) -> any ActivationKernel {
        let (d, r) = try resolve(name, params: params)
        return try kernel(for: d, resolved: r, adversarial: adversarial)
    }

    /// A kernel for an already-resolved entry.
    public func kernel(
        for d: ActivationDescriptor, resolved r: ResolvedParameters, adversarial: Bool
    ) throws(ActivationError) -> any ActivationKernel {
        if !adversarial { return d.makeKernel(r) }
        guard let c = counterparts[d.name] else {
            throw ActivationError(.adversarialUnsupported, unsupportedReason(of: d.name))
        }
        return c.makeKernel(r)
    }

    private static func check(
        _ value: ParameterValue, against spec: ParameterSpec, of entry: String
    ) throws(ActivationError) -> ParameterValue {
        func invalid(_ why: String, at field: String? = nil) -> ActivationError {
            ActivationError(.invalidParameter, parameter: field ?? spec.name, "parameter '\(field ?? spec.name)' of \(entry) \(why)")
        }
        func checkRange(_ v: Double, field: String? = nil) throws(ActivationError) {
            guard v.isFinite else { throw invalid("must be a finite number", at: field) }
            if let lo = spec.minimum, spec.exclusiveMinimum ? !(v > lo) : !(v >= lo) {
                throw invalid("must be \(spec.exclusiveMinimum ? ">" : "≥") \(lo), got \(v)", at: field)
            }
            if let hi = spec.maximum, spec.exclusiveMaximum ? !(v < hi) : !(v <= hi) {
                throw invalid("must be \(spec.exclusiveMaximum ? "<" : "≤") \(hi), got \(v)", at: field)
            }
        }
        switch spec.kind {
        case .number:
            guard case .number(let v) = value else { throw invalid("must be a number") }
            try checkRange(v)
            return value
        case .integer:
            guard case .number(let v) = value, v.isFinite, v.rounded() == v else {
                throw invalid("must be a whole number")
            }
            try checkRange(v)
            return value
        case .choice(let options):
            guard case .string(let s) = value else {
                throw invalid("must be one of \(options.joined(separator: ", "))")
            }
            guard options.contains(s) else {
                throw invalid("must be one of \(options.joined(separator: ", ")), got '\(s)'")
            }
            return value
        case .numbers:
            guard case .numbers(let vs) = value else { throw invalid("must be an array of numbers") }
            guard !vs.isEmpty else { throw invalid("must have at least one element") }
            for (i, v) in vs.enumerated() { try checkRange(v, field: "\(spec.name)/\(i)") }
            return value
        }
    }
}
