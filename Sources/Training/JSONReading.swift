import Activations
import Codecs

/// Typed readers over a `JSONValue` body that report failures as ``JobSpecError`` with the
/// JSON pointer of the field.
enum JSONReading {
    /// `base` followed by the member `token` (escaped as RFC 6901 says).
    static func pointer(_ base: String, _ token: String) -> String { JSONPointer.appending(token, to: base) }

    static func pointer(_ base: String, _ index: Int) -> String { base + "/\(index)" }

    static func describe(_ v: JSONValue) -> String {
        switch v {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        case .tensor: return "an array"
        }
    }

    /// The members of an object, rejecting keys outside `allowed`.
    static func object(
        _ v: JSONValue,
        at p: String,
        allowed: [String]
    ) throws(JobSpecError) -> [String: JSONValue] {
        guard case .object(let members) = v else {
            throw JobSpecError(pointer: p, "must be an object, got \(describe(v))")
        }
        var result: [String: JSONValue] = [:]
        for (key, value) in members {
            guard allowed.contains(key) else {
                throw JobSpecError(
                    pointer: pointer(p, key),
                    "unknown field '\(key)'; allowed: \(allowed.joined(separator: ", "))"
                )
            }
            result[key] = value
        }
        return result
    }

    static func number(_ v: JSONValue, at p: String) throws(JobSpecError) -> Double {
        switch v {
        case .number(let d):
            guard d.isFinite else { throw JobSpecError(pointer: p, "must be a finite number") }
            return d
        case .tensor(let t) where t.shape.isEmpty && t.count == 1:
            guard t.values[0].isFinite else { throw JobSpecError(pointer: p, "must be a finite number") }
            return Double(t.values[0])
        default:
            throw JobSpecError(pointer: p, "must be a number, got \(describe(v))")
        }
    }

    static func number(
        _ v: JSONValue,
        at p: String,
        min lo: Double,
        max hi: Double,
        exclusiveMin: Bool = false,
        exclusiveMax: Bool = false
    ) throws(JobSpecError) -> Double {
        let d = try number(v, at: p)
        let lowOK = exclusiveMin ? d > lo : d >= lo
        let highOK = exclusiveMax ? d < hi : d <= hi
        guard lowOK && highOK else {
            let l = exclusiveMin ? "(" : "["
            let h = exclusiveMax ? ")" : "]"
            throw JobSpecError(pointer: p, "must be in \(l)\(format(lo)), \(format(hi))\(h), got \(format(d))")
        }
        return d
    }

    static func integer(_ v: JSONValue, at p: String, min lo: Int, max hi: Int? = nil) throws(JobSpecError) -> Int {
        let d = try number(v, at: p)
        guard d.rounded() == d, abs(d) < 9.0e15 else { throw JobSpecError(pointer: p, "must be a whole number") }
        let i = Int(d)
        guard i >= lo else { throw JobSpecError(pointer: p, "must be at least \(lo), got \(i)") }
        if let hi, i > hi { throw JobSpecError(pointer: p, "must be at most \(hi), got \(i)") }
        return i
    }

    static func string(_ v: JSONValue, at p: String) throws(JobSpecError) -> String {
        guard case .string(let s) = v else { throw JobSpecError(pointer: p, "must be a string, got \(describe(v))") }
        return s
    }

    static func choice(_ v: JSONValue, at p: String, _ options: [String]) throws(JobSpecError) -> String {
        let s = try string(v, at: p)
        guard options.contains(s) else {
            throw JobSpecError(pointer: p, "must be one of \(options.joined(separator: ", ")), got '\(s)'")
        }
        return s
    }

    static func bool(_ v: JSONValue, at p: String) throws(JobSpecError) -> Bool {
        guard case .bool(let b) = v else { throw JobSpecError(pointer: p, "must be true or false, got \(describe(v))") }
        return b
    }

    /// A flat array of finite numbers (parsed as a tensor or as an array of numbers).
    static func numbers(_ v: JSONValue, at p: String) throws(JobSpecError) -> [Double] {
        switch v {
        case .tensor(let t):
            guard t.shape.count <= 1 else { throw JobSpecError(pointer: p, "must be a flat array of numbers") }
            for (i, x) in t.values.enumerated() where !x.isFinite {
                throw JobSpecError(pointer: pointer(p, i), "must be a finite number")
            }
            return t.values.map(Double.init)
        case .array(let items):
            var out: [Double] = []
            out.reserveCapacity(items.count)
            for (i, item) in items.enumerated() {
                guard case .number = item else {
                    throw JobSpecError(pointer: pointer(p, i), "must be a number, got \(describe(item))")
                }
                out.append(try number(item, at: pointer(p, i)))
            }
            return out
        default:
            throw JobSpecError(pointer: p, "must be an array of numbers, got \(describe(v))")
        }
    }

    /// A rectangular 2-D array of finite numbers: (rows, columns, row-major values).
    static func matrix(_ v: JSONValue, at p: String) throws(JobSpecError) -> (rows: Int, columns: Int, values: [Float])
    {
        switch v {
        case .tensor(let t):
            guard t.shape.count == 2 else {
                if t.shape.count == 1 && t.count == 0 { throw JobSpecError(pointer: p, "must not be empty") }
                throw JobSpecError(pointer: p, "must be an array of rows (a 2-D array), got \(t.shape.count)-D")
            }
            for (i, x) in t.values.enumerated() where !x.isFinite {
                let c = max(t.shape[1], 1)
                throw JobSpecError(pointer: pointer(pointer(p, i / c), i % c), "must be a finite number")
            }
            return (t.shape[0], t.shape[1], t.values)
        case .array(let rows):
            var values: [Float] = []
            var columns = -1
            for (r, row) in rows.enumerated() {
                let rp = pointer(p, r)
                let xs = try numbers(row, at: rp)
                if columns < 0 { columns = xs.count }
                guard xs.count == columns else {
                    throw JobSpecError(
                        pointer: rp,
                        "row has \(xs.count) values but row 0 has \(columns): x must be rectangular"
                    )
                }
                for (c, x) in xs.enumerated() {
                    let f = Float(x)
                    guard f.isFinite else {
                        throw JobSpecError(pointer: pointer(rp, c), "\(x) is outside the float32 range")
                    }
                    values.append(f)
                }
            }
            return (rows.count, max(columns, 0), values)
        default:
            throw JobSpecError(pointer: p, "must be an array of rows, got \(describe(v))")
        }
    }

    /// `params` object → catalog parameter values.
    static func parameters(_ v: JSONValue, at p: String) throws(JobSpecError) -> [String: ParameterValue] {
        guard case .object(let members) = v else {
            throw JobSpecError(pointer: p, "must be an object, got \(describe(v))")
        }
        var out: [String: ParameterValue] = [:]
        for (key, value) in members {
            let kp = pointer(p, key)
            switch value {
            case .number(let d): out[key] = .number(d)
            case .string(let s): out[key] = .string(s)
            case .tensor(let t) where t.shape.isEmpty && t.count == 1: out[key] = .number(Double(t.values[0]))
            case .tensor, .array:
                out[key] = .numbers(try numbers(value, at: kp))
            default:
                throw JobSpecError(
                    pointer: kp,
                    "must be a number, a string or an array of numbers, got \(describe(value))"
                )
            }
        }
        return out
    }

    /// Short number formatting for messages (integers without a fraction).
    static func format(_ d: Double) -> String {
        if d.rounded() == d && abs(d) < 1e15 { return String(Int(d)) }
        return "\(d)"
    }
}

extension JSONValue {
    /// A parameter value as JSON.
    init(_ p: ParameterValue) {
        switch p {
        case .number(let d): self = .number(d)
        case .string(let s): self = .string(s)
        case .numbers(let ds): self = .array(ds.map { .number($0) })
        }
    }

    /// Every parameter as a JSON object, in catalog order.
    init(_ r: ResolvedParameters) {
        self = .object(r.entries.map { ($0.name, JSONValue($0.value)) })
    }
}
