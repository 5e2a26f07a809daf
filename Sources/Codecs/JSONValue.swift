/// A parsed JSON document. Rectangular arrays of numbers (and of the strings "NaN",
/// "Infinity", "-Infinity") are parsed straight into a packed float32 `Tensor` without an
/// intermediate tree, which is what makes large float payloads fast.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// Members in document order (duplicate keys: the last one wins on lookup).
    case object([(key: String, value: JSONValue)])
    /// A (possibly nested) rectangular numeric array.
    case tensor(Tensor)

    public static func == (l: JSONValue, r: JSONValue) -> Bool {
        switch (l, r) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b || (a.isNaN && b.isNaN)
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.tensor(let a), .tensor(let b)): return a == b
        default: return false
        }
    }

    /// The member `key` of an object (nil for other values or a missing key).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }
}
