// libFuzzer harness: the JSON parser (Codecs.JSONParser) with small limits.
// Invariants: parsing never crashes or hangs; a tensor's shape matches its element count;
// limits hold; a parsed document written back (JSONWriter) parses to the same value.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let limits = DecodingLimits(maxElements: 4096, maxDepth: 16)
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let value: JSONValue
    do {
        value = try JSONParser.parse(bytes, limits: limits)
    } catch {
        precondition(!error.message.isEmpty, "a codec error must explain itself")
        return 0
    }
    check(value, depth: 1, limits: limits)
    var writer = JSONWriter()
    writer.write(value)
    let again: JSONValue
    do {
        again = try JSONParser.parse(writer.bytes, limits: limits)
    } catch {
        fatalError("written JSON does not parse again: \(error) — \(String(decoding: writer.bytes, as: UTF8.self))")
    }
    precondition(same(value, again), "round trip changed the value: \(String(decoding: writer.bytes, as: UTF8.self))")
    return 0
}

private func check(_ value: JSONValue, depth: Int, limits: DecodingLimits) {
    precondition(depth <= limits.maxDepth + 1, "nesting beyond the depth limit")
    switch value {
    case .tensor(let t):
        precondition(t.shape.allSatisfy { $0 >= 0 }, "negative dimension")
        precondition(t.shape.reduce(1, *) == t.values.count, "shape \(t.shape) does not match \(t.values.count) elements")
        precondition(t.values.count <= limits.maxElements, "element limit exceeded")
        precondition(depth + t.shape.count - 1 <= limits.maxDepth + 1, "tensor nesting beyond the depth limit")
    case .array(let items):
        for item in items { check(item, depth: depth + 1, limits: limits) }
    case .object(let members):
        for member in members { check(member.value, depth: depth + 1, limits: limits) }
    case .number(let d):
        precondition(!d.isNaN, "a JSON number literal cannot be NaN")
    case .null, .bool, .string:
        break
    }
}

/// Structural equality where every NaN equals every NaN and float32 tensors compare bitwise
/// otherwise (so -0.0 and 0.0 differ).
private func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.tensor(let x), .tensor(let y)):
        return x.shape == y.shape && zip(x.values, y.values).allSatisfy { l, r in
            (l.isNaN && r.isNaN) || l.bitPattern == r.bitPattern
        }
    case (.array(let x), .array(let y)):
        return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
    case (.object(let x), .object(let y)):
        return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && same($0.value, $1.value) }
    default:
        return a == b
    }
}
