/// NumPy `.npy` files (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html).
public enum NPY {
    private static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"

    /// Where a .npy file's values are and how they are stored: everything ``decode(_:limits:)``
    /// checks before it converts a value.
    public struct Layout: Sendable {
        public let shape: [Int]
        /// Number of elements (the product of `shape`), within the limit.
        public let count: Int
        /// Byte offset of the first value; the data runs to the end of the file.
        public let dataStart: Int
        let type: FloatElementType
        let bigEndian: Bool

        /// The values are IEEE float32 in the byte order of this machine, so they can be read
        /// where they lie (when the address is 4-byte aligned) instead of being converted.
        public var isNativeFloat32: Bool { type == .float32 && bigEndian == (1.littleEndian != 1) }
    }

    /// Validates a .npy file (format 1.0/2.0/3.0; dtype f2/f4/f8, little- or big-endian, C
    /// order) and returns where its values are. The header dictionary may list its keys in any
    /// order, with a trailing comma and any white-space padding. Errors: `.badHeader` (magic,
    /// version, header syntax, Fortran order), `.unsupportedDType`, `.tooManyElements`,
    /// `.badLength` (data size ≠ shape × item size).
    public static func layout(_ bytes: UnsafeRawBufferPointer, limits: DecodingLimits = .init()) throws(CodecError) -> Layout {
        guard bytes.count >= 10, bytes.prefix(6).elementsEqual(magic) else {
            throw CodecError(.badHeader, "not a .npy file (missing \\x93NUMPY magic)", offset: 0)
        }
        let major = bytes[6], minor = bytes[7]
        let headerStart: Int
        let headerLength: Int
        switch (major, minor) {
        case (1, 0):
            headerStart = 10
            headerLength = Int(bytes.loadUnaligned(fromByteOffset: 8, as: UInt16.self).littleEndian)
        case (2, 0), (3, 0):
            guard bytes.count >= 12 else { throw CodecError(.badHeader, "truncated .npy header", offset: bytes.count) }
            headerStart = 12
            headerLength = Int(bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian)
        default:
            throw CodecError(.badHeader, ".npy format version \(major).\(minor) is not supported (1.0, 2.0, 3.0 are)", offset: 6)
        }
        guard headerLength <= bytes.count - headerStart else {
            throw CodecError(.badHeader, ".npy header length \(headerLength) runs past the end of the file", offset: 8)
        }
        let header = try NPYHeader(parsing: UnsafeRawBufferPointer(rebasing: bytes[headerStart..<(headerStart + headerLength)]),
                                   offset: headerStart)

        // Element count, overflow-safe, checked against the limit before anything is allocated.
        var count = 1
        if header.shape.contains(0) {
            count = 0
        } else {
            for dim in header.shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: dim)
                guard !overflow, product <= limits.maxElements else {
                    throw CodecError(.tooManyElements, ".npy shape \(header.shape) has more than \(limits.maxElements) elements (the limit)")
                }
                count = product
            }
        }
        guard count <= limits.maxElements else {
            throw CodecError(.tooManyElements, ".npy shape \(header.shape) has more than \(limits.maxElements) elements (the limit)")
        }
        let dataStart = headerStart + headerLength
        let dataLength = bytes.count - dataStart
        guard dataLength == count * header.type.size else {
            throw CodecError(.badLength, ".npy data is \(dataLength) bytes; shape \(header.shape) of \(header.descr) needs \(count * header.type.size)",
                             offset: dataStart)
        }
        return Layout(shape: header.shape, count: count, dataStart: dataStart, type: header.type, bigEndian: header.bigEndian)
    }

    /// Decodes a .npy file (see ``layout(_:limits:)`` for what is accepted) to a float32 tensor.
    public static func decode(_ bytes: UnsafeRawBufferPointer, limits: DecodingLimits = .init()) throws(CodecError) -> Tensor {
        let layout = try layout(bytes, limits: limits)
        let values = ElementConversion.floats(from: UnsafeRawBufferPointer(rebasing: bytes[layout.dataStart...]),
                                              type: layout.type, bigEndian: layout.bigEndian, count: layout.count)
        return Tensor(shape: layout.shape, values: values)
    }

    /// Decodes a .npy file held in an array.
    public static func decode(_ bytes: [UInt8], limits: DecodingLimits = .init()) throws(CodecError) -> Tensor {
        try bytes.withUnsafeBytes { b in Result { () throws(CodecError) in try decode(b, limits: limits) } }.get()
    }

    /// Encodes a float32 tensor as a .npy file (format 1.0, '<f4', C order; format 2.0 only
    /// if the header would not fit 1.0). `values.count` must equal the product of `shape`.
    public static func encode(_ values: UnsafeBufferPointer<Float>, shape: [Int]) -> [UInt8] {
        precondition(shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) == values.count,
                     "NPY.encode: shape \(shape) does not match \(values.count) values")
        var out = header(shape: shape)
        out.reserveCapacity(out.count + values.count * 4)
        ElementConversion.littleEndianBytes(values, into: &out)
        return out
    }

    /// Just the header of a '<f4' C-order file of `shape`, padded so the data starts at a
    /// multiple of 64 bytes: callers may append the data area and write values in place.
    public static func header(shape: [Int]) -> [UInt8] {
        let shapeText: String
        switch shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(shape[0]),)"
        default: shapeText = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        var dict = Array("{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }".utf8)
        let version1 = 10 + dict.count + 1 <= 65_535 + 10
        let prefixLength = version1 ? 10 : 12
        let padding = (64 - (prefixLength + dict.count + 1) % 64) % 64
        dict.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padding))
        dict.append(UInt8(ascii: "\n"))
        var out = magic
        if version1 {
            out += [1, 0]
            withUnsafeBytes(of: UInt16(dict.count).littleEndian) { out.append(contentsOf: $0) }
        } else {
            out += [2, 0]
            withUnsafeBytes(of: UInt32(dict.count).littleEndian) { out.append(contentsOf: $0) }
        }
        return out + dict
    }
}

/// The parsed header dictionary, e.g. `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`.
struct NPYHeader {
    var descr: String
    var type: FloatElementType
    var bigEndian: Bool
    var shape: [Int]

    /// A Python literal as it may appear in a header.
    private enum Literal {
        case string(String)
        case bool(Bool)
        case none
        case int(Int)
        case sequence([Literal])
    }

    /// Reader over the header text; `offset` is the header's position in the file (for errors).
    private struct Reader {
        let text: UnsafeRawBufferPointer
        let offset: Int
        var pos = 0

        func error(_ message: String) -> CodecError {
            CodecError(.badHeader, "corrupt .npy header: \(message)", offset: offset + pos)
        }

        mutating func skipWhitespace() {
            while pos < text.count, [0x20, 0x09, 0x0A, 0x0D].contains(text[pos]) { pos += 1 }
        }

        mutating func expect(_ c: UInt8) throws(CodecError) {
            skipWhitespace()
            guard pos < text.count, text[pos] == c else { throw error("expected '\(Character(UnicodeScalar(c)))'") }
            pos += 1
        }

        mutating func peek() -> UInt8? {
            skipWhitespace()
            return pos < text.count ? text[pos] : nil
        }

        mutating func literal(depth: Int = 0) throws(CodecError) -> Literal {
            guard depth < 8 else { throw error("nested too deeply") }
            guard let c = peek() else { throw error("unexpected end") }
            switch c {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                pos += 1
                let start = pos
                while pos < text.count && text[pos] != c {
                    guard text[pos] != UInt8(ascii: "\\") else { throw error("escapes in strings are not supported") }
                    pos += 1
                }
                guard pos < text.count else { throw error("unterminated string") }
                let s = String(decoding: UnsafeRawBufferPointer(rebasing: text[start..<pos]), as: UTF8.self)
                pos += 1
                return .string(s)
            case UInt8(ascii: "("), UInt8(ascii: "["):
                let close = c == UInt8(ascii: "(") ? UInt8(ascii: ")") : UInt8(ascii: "]")
                pos += 1
                var items: [Literal] = []
                while true {
                    if peek() == close {
                        pos += 1
                        return .sequence(items)
                    }
                    items.append(try literal(depth: depth + 1))
                    if peek() == UInt8(ascii: ",") {
                        pos += 1
                    } else {
                        try expect(close)
                        return .sequence(items)
                    }
                }
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                var v = 0
                while pos < text.count, text[pos] >= UInt8(ascii: "0"), text[pos] <= UInt8(ascii: "9") {
                    let (m, o1) = v.multipliedReportingOverflow(by: 10)
                    let (s, o2) = m.addingReportingOverflow(Int(text[pos] - UInt8(ascii: "0")))
                    guard !o1 && !o2 else { throw error("integer too large") }
                    v = s
                    pos += 1
                }
                if pos < text.count && (text[pos] == UInt8(ascii: "L") || text[pos] == UInt8(ascii: "l")) { pos += 1 }  // Python 2 long
                return .int(v)
            default:
                for (word, value) in [("True", Literal.bool(true)), ("False", .bool(false)), ("None", .none)] {
                    let w = Array(word.utf8)
                    if text.count - pos >= w.count && UnsafeRawBufferPointer(rebasing: text[pos..<(pos + w.count)]).elementsEqual(w) {
                        pos += w.count
                        return value
                    }
                }
                throw error("unexpected character")
            }
        }
    }

    init(parsing text: UnsafeRawBufferPointer, offset: Int) throws(CodecError) {
        var reader = Reader(text: text, offset: offset)
        try reader.expect(UInt8(ascii: "{"))
        var descr: Literal?, fortran: Literal?, shape: Literal?
        while true {
            if reader.peek() == UInt8(ascii: "}") {
                reader.pos += 1
                break
            }
            guard case .string(let key) = try reader.literal() else { throw reader.error("dictionary keys must be strings") }
            try reader.expect(UInt8(ascii: ":"))
            let value = try reader.literal()
            switch key {
            case "descr": descr = value
            case "fortran_order": fortran = value
            case "shape": shape = value
            default: throw reader.error("unexpected key '\(key)'")
            }
            if reader.peek() == UInt8(ascii: ",") {
                reader.pos += 1
            } else {
                try reader.expect(UInt8(ascii: "}"))
                break
            }
        }
        reader.skipWhitespace()
        guard reader.pos == text.count else { throw reader.error("unexpected data after the dictionary") }
        guard let descr, let fortran, let shape else {
            throw CodecError(.badHeader, "corrupt .npy header: it must have the keys 'descr', 'fortran_order' and 'shape'", offset: offset)
        }

        guard case .sequence(let dims) = shape else {
            throw CodecError(.badHeader, "corrupt .npy header: 'shape' must be a tuple of integers", offset: offset)
        }
        var parsedShape: [Int] = []
        for dim in dims {
            guard case .int(let n) = dim else {
                throw CodecError(.badHeader, "corrupt .npy header: 'shape' must be a tuple of integers", offset: offset)
            }
            parsedShape.append(n)
        }
        self.shape = parsedShape

        guard case .bool(let isFortran) = fortran else {
            throw CodecError(.badHeader, "corrupt .npy header: 'fortran_order' must be True or False", offset: offset)
        }
        // Fortran order only differs from C order when two or more dimensions exceed 1.
        if isFortran && parsedShape.filter({ $0 > 1 }).count > 1 {
            throw CodecError(.badHeader, ".npy arrays in Fortran order are not supported; save a C-order array (numpy.ascontiguousarray)",
                             offset: offset)
        }

        guard case .string(let d) = descr else {
            throw CodecError(.unsupportedDType, ".npy structured dtypes are not supported; use float32, float64 or float16")
        }
        self.descr = d
        var chars = Array(d.utf8)
        var order: UInt8 = UInt8(ascii: "=")
        if let first = chars.first, [UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "="), UInt8(ascii: "|")].contains(first) {
            order = first
            chars.removeFirst()
        }
        switch chars {
        case Array("f2".utf8), Array("e".utf8): type = .float16
        case Array("f4".utf8), Array("f".utf8): type = .float32
        case Array("f8".utf8), Array("d".utf8): type = .float64
        default:
            throw CodecError(.unsupportedDType, ".npy dtype '\(d)' is not supported; use float32 ('<f4'), float64 or float16")
        }
        switch order {
        case UInt8(ascii: "<"): bigEndian = false
        case UInt8(ascii: ">"): bigEndian = true
        case UInt8(ascii: "="): bigEndian = 1.littleEndian != 1
        default:
            // '|' means "byte order not applicable", which is only valid for 1-byte types.
            throw CodecError(.unsupportedDType, ".npy dtype '\(d)' is invalid: '|' is only for single-byte types")
        }
    }
}
