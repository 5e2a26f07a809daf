/// Appends JSON text to a byte buffer. Floats are printed shortest-round-trip (Python `repr`
/// style: "1.0", "0.1", "1e-05"); non-finite floats as the strings "NaN", "Infinity",
/// "-Infinity".
public struct JSONWriter: Sendable {
    /// The JSON text written so far.
    public private(set) var bytes: [UInt8] = []

    /// Bytes of the stack chunk floats are formatted into before they are appended.
    private static let chunkSize = 8192

    public init(reservingCapacity n: Int = 256) { bytes.reserveCapacity(n) }

    /// Writes any JSON value (objects keep their member order).
    public mutating func write(_ value: JSONValue) {
        switch value {
        case .null: writeRaw("null")
        case .bool(let b): writeRaw(b ? "true" : "false")
        case .number(let d): writeNumber(d)
        case .string(let s): writeString(s)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                write(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (i, member) in members.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                writeString(member.key)
                bytes.append(UInt8(ascii: ":"))
                write(member.value)
            }
            bytes.append(UInt8(ascii: "}"))
        case .tensor(let tensor):
            tensor.values.withUnsafeBufferPointer { writeTensor($0, shape: tensor.shape) }
        }
    }

    /// Appends `s` verbatim (it must already be valid JSON text).
    public mutating func writeRaw(_ s: String) { bytes.append(contentsOf: s.utf8) }

    /// Writes `s` as a JSON string, escaping '"', '\\' and control characters.
    public mutating func writeString(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { utf8 in
            var runStart = 0
            for (i, c) in utf8.enumerated() where c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
                runStart = i + 1
                bytes.append(UInt8(ascii: "\\"))
                switch c {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(c)
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(c >> 4)], hex[Int(c & 15)]])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes a Double: integral values up to 2^53 in magnitude as integers ("3"), others
    /// as the shortest text that round-trips ("0.1", "1e-07"); non-finite as strings.
    public mutating func writeNumber(_ v: Double) {
        guard v.isFinite else {
            writeNonFinite(isNaN: v.isNaN, isNegative: v < 0)
            return
        }
        if v.rounded(.towardZero) == v && v.magnitude <= 9_007_199_254_740_992 && !(v == 0 && v.sign == .minus) {
            writeRaw(String(Int64(v)))
        } else {
            writeRaw(v.description)  // Swift's Double.description is shortest round-trip
        }
    }

    /// Writes a float32 as the shortest text that parses back to exactly `v`.
    public mutating func writeFloat(_ v: Float) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: FloatFormatting.maxFloatLength) { chunk in
            let out = chunk.baseAddress!  // capacity > 0
            let n = Self.formatElement(v, to: out)
            bytes.append(contentsOf: UnsafeBufferPointer(start: out, count: n))
        }
    }

    /// Writes `values` as nested arrays following `shape` (flat when shape has one dimension,
    /// a bare number when `shape` is empty). `values.count` must equal the product of `shape`.
    public mutating func writeTensor(_ values: UnsafeBufferPointer<Float>, shape: [Int]) {
        let elementCount = shape.reduce(1, *)
        precondition(shape.allSatisfy { $0 >= 0 } && elementCount == values.count,
                     "writeTensor: shape \(shape) does not match \(values.count) values")
        guard let rowLength = shape.last else {
            writeFloat(values[0])
            return
        }
        bytes.reserveCapacity(bytes.count + values.count * 11 + 16)
        writeLevel(values, shape: shape, level: 0, offset: 0, rowLength: rowLength)
    }

    private mutating func writeLevel(_ values: UnsafeBufferPointer<Float>, shape: [Int], level: Int, offset: Int, rowLength: Int) {
        if level == shape.count - 1 {
            writeRow(values.baseAddress.map { $0 + offset }, count: rowLength)
            return
        }
        let stride = shape[(level + 1)...].reduce(1, *)
        bytes.append(UInt8(ascii: "["))
        for i in 0..<shape[level] {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            writeLevel(values, shape: shape, level: level + 1, offset: offset + i * stride, rowLength: rowLength)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes `values` as one flat array.
    public mutating func writeFlatArray(_ values: UnsafeBufferPointer<Float>) {
        bytes.reserveCapacity(bytes.count + values.count * 11 + 2)
        writeRow(values.baseAddress, count: values.count)
    }

    /// The hot loop: formats floats into a stack chunk and appends it in large pieces.
    private mutating func writeRow(_ values: UnsafePointer<Float>?, count: Int) {
        guard let values, count > 0 else {
            bytes.append(UInt8(ascii: "["))
            bytes.append(UInt8(ascii: "]"))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.chunkSize) { chunk in
            let out = chunk.baseAddress!  // capacity chunkSize > 0
            // Each element needs at most 1 (comma) + maxFloatLength bytes.
            let flushAt = Self.chunkSize - FloatFormatting.maxFloatLength - 8
            out[0] = UInt8(ascii: "[")
            var k = 1
            k &+= Self.formatElement(values[0], to: out + k)
            for i in 1..<count {
                if k > flushAt {
                    bytes.append(contentsOf: UnsafeBufferPointer(start: out, count: k))
                    k = 0
                }
                out[k] = UInt8(ascii: ",")
                k &+= 1
                k &+= Self.formatElement(values[i], to: out + k)
            }
            out[k] = UInt8(ascii: "]")
            bytes.append(contentsOf: UnsafeBufferPointer(start: out, count: k &+ 1))
        }
    }

    /// Formats one float (finite or not) into `out` (room for `maxFloatLength` bytes),
    /// returning the byte count.
    @inline(__always)
    private static func formatElement(_ v: Float, to out: UnsafeMutablePointer<UInt8>) -> Int {
        if _fastPath(v.isFinite) { return FloatFormatting.writeFinite(v, to: out) }
        return formatNonFinite(v, to: out)
    }

    @inline(never)
    private static func formatNonFinite(_ v: Float, to out: UnsafeMutablePointer<UInt8>) -> Int {
        let text: StaticString = v.isNaN ? "\"NaN\"" : (v < 0 ? "\"-Infinity\"" : "\"Infinity\"")
        out.initialize(from: text.utf8Start, count: text.utf8CodeUnitCount)
        return text.utf8CodeUnitCount
    }

    private mutating func writeNonFinite(isNaN: Bool, isNegative: Bool) {
        writeRaw(isNaN ? "\"NaN\"" : (isNegative ? "\"-Infinity\"" : "\"Infinity\""))
    }
}
