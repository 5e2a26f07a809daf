/// A parameter value as a client supplies it (JSON number, string, or array of numbers).
public enum ParameterValue: Sendable, Equatable, Hashable {
    case number(Double)
    case string(String)
    case numbers([Double])
}

/// Describes one parameter of a catalog entry: its type, default and allowed range.
public struct ParameterSpec: Sendable {
    public enum Kind: Sendable, Equatable {
        /// A real number (float32 in kernels).
        case number
        /// A whole number (e.g. DiTAC `lut`).
        case integer
        /// One of a fixed set of strings (e.g. GELU `approximate`).
        case choice([String])
        /// A non-empty array of real numbers (e.g. DiTAC `velocities`).
        case numbers
    }

    public let name: String
    public let kind: Kind
    public let defaultValue: ParameterValue
    /// Inclusive lower bound, unless `exclusiveMinimum` is set.
    public let minimum: Double?
    public let exclusiveMinimum: Bool
    /// Inclusive upper bound, unless `exclusiveMaximum` is set.
    public let maximum: Double?
    public let exclusiveMaximum: Bool
    /// Whether training jobs may learn this parameter (`trainable: true`).
    public let trainable: Bool
    public let description: String

    public init(
        name: String, kind: Kind = .number, defaultValue: ParameterValue,
        minimum: Double? = nil, exclusiveMinimum: Bool = false,
        maximum: Double? = nil, exclusiveMaximum: Bool = false,
        trainable: Bool = false, description: String
    ) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.minimum = minimum
        self.exclusiveMinimum = exclusiveMinimum
        self.maximum = maximum
        self.exclusiveMaximum = exclusiveMaximum
        self.trainable = trainable
        self.description = description
    }
}

/// Every parameter of an activation, validated and with defaults filled in, in catalog order.
public struct ResolvedParameters: Sendable, Equatable, Hashable {
    public private(set) var entries: [(name: String, value: ParameterValue)]

    public init(_ entries: [(name: String, value: ParameterValue)]) { self.entries = entries }

    public subscript(name: String) -> ParameterValue? {
        entries.first { $0.name == name }?.value
    }

    /// The numeric parameter `name` (precondition: the catalog validated it as a number).
    public func number(_ name: String) -> Double {
        guard case .number(let v)? = self[name] else { preconditionFailure("no number parameter \(name)") }
        return v
    }

    public func string(_ name: String) -> String {
        guard case .string(let v)? = self[name] else { preconditionFailure("no string parameter \(name)") }
        return v
    }

    public func numbers(_ name: String) -> [Double] {
        guard case .numbers(let v)? = self[name] else { preconditionFailure("no array parameter \(name)") }
        return v
    }

    /// Returns a copy with `name` set to `value` (no validation; used by training updates).
    public func replacing(_ name: String, with value: ParameterValue) -> ResolvedParameters {
        var copy = self
        if let i = copy.entries.firstIndex(where: { $0.name == name }) {
            copy.entries[i].value = value
        }
        return copy
    }

    public static func == (l: ResolvedParameters, r: ResolvedParameters) -> Bool {
        l.entries.count == r.entries.count
            && zip(l.entries, r.entries).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for e in entries {
            hasher.combine(e.name)
            hasher.combine(e.value)
        }
    }
}
