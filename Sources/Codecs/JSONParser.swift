#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A byte-level RFC 8259 JSON parser.
///
/// - Objects keep their member order; duplicate keys are kept (the last one wins on lookup).
/// - An array whose first leaf is a number or one of the strings "NaN", "Infinity",
///   "-Infinity" (or that holds only empty arrays, like `[[]]`) is parsed on a fast path
///   straight into a packed float32 `Tensor`; it must be rectangular and hold only such
///   leaves. `[]` alone is `.array([])`.
/// - Numbers elsewhere become `.number(Double)`, correctly rounded; tensor elements are
///   correctly rounded float32, and a finite literal beyond the float32 range is an error.
/// - A UTF-8 byte order mark at the very start is skipped; anywhere else it is an error.
/// - Nesting deeper than `DecodingLimits.maxDepth` is `.tooDeep`; the parser is iterative,
///   so no input can overflow the stack.
public enum JSONParser {
    /// Parses a whole JSON document (trailing white space allowed, anything else → `.trailingData`).
    public static func parse(_ bytes: UnsafeRawBufferPointer, limits: DecodingLimits = .init()) throws(CodecError) -> JSONValue {
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            throw CodecError(.syntax, "empty JSON document", offset: 0)
        }
        var parser = JSONParserCore(base: base, count: bytes.count, limits: limits)
        return try parser.parseDocument()
    }

    /// Parses a whole JSON document held in an array.
    public static func parse(_ bytes: [UInt8], limits: DecodingLimits = .init()) throws(CodecError) -> JSONValue {
        try bytes.withUnsafeBytes { b in Result { () throws(CodecError) in try parse(b, limits: limits) } }.get()
    }
}

enum ASCII {
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let comma = UInt8(ascii: ",")
    static let colon = UInt8(ascii: ":")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let minus = UInt8(ascii: "-")
    static let plus = UInt8(ascii: "+")
    static let dot = UInt8(ascii: ".")
    static let zero = UInt8(ascii: "0")
    static let nine = UInt8(ascii: "9")
}

/// One open container of the generic (non-tensor) path.
struct Frame {
    var isObject: Bool
    var elements: [JSONValue] = []
    var members: [(key: String, value: JSONValue)] = []
    /// Key of the member being parsed (objects only).
    var key: String = ""
}

/// Parser state over one document. Every read of `base` is preceded by a check against
/// `count` (or a loop bound derived from it), which is what makes the unchecked pointer
/// reads safe.
struct JSONParserCore {
    let base: UnsafeRawPointer
    let count: Int
    let limits: DecodingLimits
    var pos = 0
    var stack: [Frame] = []

    init(base: UnsafeRawPointer, count: Int, limits: DecodingLimits) {
        self.base = base
        self.count = count
        self.limits = limits
    }

    @inline(__always) func byte(_ i: Int) -> UInt8 { base.load(fromByteOffset: i, as: UInt8.self) }

    @inline(__always) static func isWhitespace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
    }

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- ASCII.zero < 10 }

    @inline(__always) mutating func skipWhitespace() {
        while pos < count && Self.isWhitespace(byte(pos)) { pos &+= 1 }
    }

    // MARK: - Errors and pointers

    /// JSON pointer of the value currently being parsed on the generic path.
    func currentPointer() -> String {
        var out = ""
        for frame in stack {
            if frame.isObject {
                out = JSONPointer.appending(frame.key, to: out)
            } else {
                out += "/\(frame.elements.count)"
            }
        }
        return out
    }

    func syntax(_ message: String, at offset: Int? = nil) -> CodecError {
        let at = offset ?? pos
        return CodecError(.syntax, "invalid JSON at byte \(at): \(message)", pointer: currentPointer(), offset: at)
    }

    func unexpectedEnd() -> CodecError { syntax("unexpected end of input", at: count) }

    func tooDeep(at offset: Int) -> CodecError {
        CodecError(.tooDeep, "JSON nesting deeper than the limit of \(limits.maxDepth) levels",
                   pointer: currentPointer(), offset: offset)
    }

    func describe(_ c: UInt8) -> String {
        switch c {
        case ASCII.openBracket: return "an array"
        case ASCII.openBrace: return "an object"
        case ASCII.quote: return "a string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "a boolean"
        case UInt8(ascii: "n"): return "null"
        case ASCII.minus, ASCII.zero...ASCII.nine: return "a number"
        default: return "an invalid character"
        }
    }

    // MARK: - Document

    mutating func parseDocument() throws(CodecError) -> JSONValue {
        if count >= 3 && byte(0) == 0xEF && byte(1) == 0xBB && byte(2) == 0xBF { pos = 3 }
        let value = try parseValue()
        skipWhitespace()
        if pos < count {
            throw CodecError(.trailingData, "unexpected data after the JSON document at byte \(pos)", offset: pos)
        }
        return value
    }

    /// Parses one value iteratively (explicit container stack, no recursion).
    mutating func parseValue() throws(CodecError) -> JSONValue {
        while true {
            skipWhitespace()
            guard pos < count else { throw unexpectedEnd() }
            var value: JSONValue
            let c = byte(pos)
            switch c {
            case ASCII.openBrace:
                guard stack.count < limits.maxDepth else { throw tooDeep(at: pos) }
                pos &+= 1
                skipWhitespace()
                if pos < count && byte(pos) == ASCII.closeBrace {
                    pos &+= 1
                    value = .object([])
                } else {
                    stack.append(Frame(isObject: true))
                    stack[stack.count - 1].key = try parseKey()
                    continue
                }
            case ASCII.openBracket:
                if let tensor = try parseTensorIfNumeric() {
                    value = .tensor(tensor)
                } else {
                    guard stack.count < limits.maxDepth else { throw tooDeep(at: pos) }
                    pos &+= 1
                    skipWhitespace()
                    if pos < count && byte(pos) == ASCII.closeBracket {
                        pos &+= 1
                        value = .array([])
                    } else {
                        stack.append(Frame(isObject: false))
                        continue
                    }
                }
            case ASCII.quote:
                value = .string(try parseString())
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                value = .null
            case ASCII.minus, ASCII.zero...ASCII.nine:
                let n = try scanNumber()
                guard let d = DecimalParsing.double(n, in: base) else {
                    throw CodecError(.wrongType, "number at byte \(n.start) is out of range", pointer: currentPointer(), offset: n.start)
                }
                value = .number(d)
            default:
                throw syntax("unexpected character '\(Self.printable(c))'")
            }

            // Attach the finished value to the open containers, closing as many as end here.
            while true {
                guard !stack.isEmpty else { return value }
                let top = stack.count - 1
                let isObject = stack[top].isObject
                if isObject {
                    stack[top].members.append((key: stack[top].key, value: value))
                } else {
                    stack[top].elements.append(value)
                }
                skipWhitespace()
                guard pos < count else { throw unexpectedEnd() }
                let c = byte(pos)
                if c == ASCII.comma {
                    pos &+= 1
                    if isObject { stack[top].key = try parseKey() }
                    break
                }
                if c == (isObject ? ASCII.closeBrace : ASCII.closeBracket) {
                    pos &+= 1
                    let frame = stack.removeLast()
                    value = frame.isObject ? .object(frame.members) : .array(frame.elements)
                    continue
                }
                throw syntax(isObject ? "expected ',' or '}'" : "expected ',' or ']'")
            }
        }
    }

    static func printable(_ c: UInt8) -> String {
        c >= 0x20 && c < 0x7F ? String(UnicodeScalar(c)) : "\\u{\(String(c, radix: 16))}"
    }

    mutating func expectLiteral(_ literal: StaticString) throws(CodecError) {
        let n = literal.utf8CodeUnitCount
        guard pos + n <= count else { throw syntax("invalid literal") }
        let p = literal.utf8Start
        for i in 0..<n where byte(pos + i) != p[i] {
            throw syntax("invalid literal", at: pos + i)
        }
        pos += n
    }

    /// Parses `"key"` `:` at the current position (after skipping white space).
    mutating func parseKey() throws(CodecError) -> String {
        skipWhitespace()
        guard pos < count else { throw unexpectedEnd() }
        guard byte(pos) == ASCII.quote else { throw syntax("expected a string key") }
        let key = try parseString()
        skipWhitespace()
        guard pos < count else { throw unexpectedEnd() }
        guard byte(pos) == ASCII.colon else { throw syntax("expected ':'") }
        pos &+= 1
        return key
    }

    // MARK: - Strings

    /// Parses a string starting at the opening quote at `pos`.
    mutating func parseString() throws(CodecError) -> String {
        pos &+= 1
        let start = pos
        // Fast scan: plain ASCII without escapes.
        while pos < count {
            let c = byte(pos)
            if c == ASCII.quote {
                let s = String(decoding: UnsafeRawBufferPointer(start: base + start, count: pos - start), as: UTF8.self)
                pos &+= 1
                return s
            }
            if c == ASCII.backslash || c < 0x20 || c >= 0x80 { break }
            pos &+= 1
        }
        var buffer = [UInt8](UnsafeRawBufferPointer(start: base + start, count: pos - start))
        while true {
            guard pos < count else { throw syntax("unterminated string", at: count) }
            let c = byte(pos)
            if c == ASCII.quote {
                pos &+= 1
                return String(decoding: buffer, as: UTF8.self)
            } else if c == ASCII.backslash {
                try parseEscape(into: &buffer)
            } else if c < 0x20 {
                throw syntax("unescaped control character in string")
            } else if c < 0x80 {
                buffer.append(c)
                pos &+= 1
            } else {
                let n = try validateUTF8Sequence()
                buffer.append(contentsOf: UnsafeRawBufferPointer(start: base + pos, count: n))
                pos &+= n
            }
        }
    }

    /// Length of the valid UTF-8 sequence starting at `pos` (its first byte is ≥ 0x80).
    func validateUTF8Sequence() throws(CodecError) -> Int {
        let c = byte(pos)
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF  // range of the second byte
        switch c {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw syntax("invalid UTF-8 in string")
        }
        guard pos + length <= count else { throw syntax("invalid UTF-8 in string") }
        let second = byte(pos + 1)
        guard second >= low && second <= high else { throw syntax("invalid UTF-8 in string", at: pos + 1) }
        for i in 2..<max(2, length) where byte(pos + i) & 0xC0 != 0x80 {
            throw syntax("invalid UTF-8 in string", at: pos + i)
        }
        return length
    }

    mutating func parseEscape(into buffer: inout [UInt8]) throws(CodecError) {
        guard pos + 1 < count else { throw syntax("unterminated string", at: count) }
        let e = byte(pos + 1)
        switch e {
        case ASCII.quote, ASCII.backslash, UInt8(ascii: "/"): buffer.append(e)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4(at: pos + 2)
            var consumed = 6
            if scalar >= 0xD800 && scalar <= 0xDBFF {
                guard pos + 7 < count && byte(pos + 6) == ASCII.backslash && byte(pos + 7) == UInt8(ascii: "u") else {
                    throw syntax("unpaired UTF-16 surrogate in \\u escape")
                }
                let low = try hex4(at: pos + 8)
                guard low >= 0xDC00 && low <= 0xDFFF else { throw syntax("unpaired UTF-16 surrogate in \\u escape") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                consumed = 12
            } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                throw syntax("unpaired UTF-16 surrogate in \\u escape")
            }
            Self.appendUTF8(scalar, to: &buffer)
            pos &+= consumed
            return
        default:
            throw syntax("invalid escape sequence")
        }
        pos &+= 2
    }

    func hex4(at offset: Int) throws(CodecError) -> UInt32 {
        guard offset + 4 <= count else { throw syntax("invalid \\u escape", at: offset) }
        var v: UInt32 = 0
        for i in 0..<4 {
            let c = byte(offset + i)
            let d: UInt8
            switch c {
            case ASCII.zero...ASCII.nine: d = c - ASCII.zero
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw syntax("invalid \\u escape", at: offset + i)
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    static func appendUTF8(_ v: UInt32, to buffer: inout [UInt8]) {
        switch v {
        case 0..<0x80:
            buffer.append(UInt8(v))
        case 0x80..<0x800:
            buffer.append(UInt8(0xC0 | v >> 6))
            buffer.append(UInt8(0x80 | v & 0x3F))
        case 0x800..<0x10000:
            buffer.append(UInt8(0xE0 | v >> 12))
            buffer.append(UInt8(0x80 | (v >> 6) & 0x3F))
            buffer.append(UInt8(0x80 | v & 0x3F))
        default:
            buffer.append(UInt8(0xF0 | v >> 18))
            buffer.append(UInt8(0x80 | (v >> 12) & 0x3F))
            buffer.append(UInt8(0x80 | (v >> 6) & 0x3F))
            buffer.append(UInt8(0x80 | v & 0x3F))
        }
    }

    // MARK: - Numbers

    /// Scans a number per the JSON grammar `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    /// starting at `pos`, leaving `pos` after it. Up to 19 significant digits are kept
    /// exactly; more set `isExact = false`.
    @inline(__always)
    mutating func scanNumber() throws(CodecError) -> ScannedNumber {
        let start = pos
        var i = pos
        var negative = false
        if byte(i) == ASCII.minus {
            negative = true
            i &+= 1
        }
        guard i < count else { throw syntax("digit expected after '-'", at: i) }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var isExact = true
        var c = byte(i)
        if Self.isDigit(c) && i &+ 1 < count && byte(i &+ 1) == ASCII.dot {
            // One integer digit, then the fraction ("1.0367526", "0.25"): the usual shape of
            // float text, without a SWAR block for a single digit.
            mantissa = UInt64(c &- ASCII.zero)
            digits = 1
            i &+= 1
        } else if Self.isDigit(c) {
            // A leading '0' goes the same way as other digits (values below 1 and above mix at
            // random, so a branch on it would mispredict); "01" is rejected after the fact.
            let integerStart = i
            consumeEightDigitBlocks(&i, &mantissa, &digits)
            while i < count {
                c = byte(i)
                guard Self.isDigit(c) else { break }
                let d = UInt64(c &- ASCII.zero)
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ d
                    digits &+= 1
                } else {
                    exponent &+= 1
                    if d != 0 { isExact = false }
                }
                i &+= 1
            }
            // Zero exactly when the first digit is '0' and more digits follow (one test, so
            // the compiler cannot split it into a branch on the first digit).
            let notZero = UInt(byte(integerStart) ^ ASCII.zero)
            let oneDigit = UInt(bitPattern: i &- integerStart &- 2) >> 63
            if notZero | oneDigit == 0 { throw syntax("leading zeros are not allowed in numbers", at: start) }
        } else {
            throw syntax("invalid number", at: start)
        }
        if i < count && byte(i) == ASCII.dot {
            i &+= 1
            guard i < count && Self.isDigit(byte(i)) else { throw syntax("digit expected after '.'", at: i) }
            let fractionStart = i
            consumeEightDigitBlocks(&i, &mantissa, &digits)
            exponent &-= i &- fractionStart
            while i < count && Self.isDigit(byte(i)) {
                let d = UInt64(byte(i) &- ASCII.zero)
                if digits < 19 {
                    if mantissa != 0 || d != 0 {
                        mantissa = mantissa &* 10 &+ d
                        digits &+= 1
                    }
                    exponent &-= 1
                } else if d != 0 {
                    isExact = false
                }
                i &+= 1
            }
        }
        if i < count && byte(i) | 0x20 == UInt8(ascii: "e") {
            i &+= 1
            var exponentNegative = false
            if i < count && (byte(i) == ASCII.minus || byte(i) == ASCII.plus) {
                exponentNegative = byte(i) == ASCII.minus
                i &+= 1
            }
            guard i < count && Self.isDigit(byte(i)) else { throw syntax("digit expected in exponent", at: i) }
            var e = 0
            repeat {
                if e < 1_000_000 { e = e &* 10 &+ Int(byte(i) &- ASCII.zero) }
                i &+= 1
            } while i < count && Self.isDigit(byte(i))
            exponent &+= exponentNegative ? -e : e
        }
        return finishNumber(start: start, end: i, mantissa: mantissa, exponent: exponent, negative: negative, isExact: isExact)
    }

    @inline(__always)
    mutating func finishNumber(start: Int, end: Int, mantissa: UInt64, exponent: Int, negative: Bool, isExact: Bool) -> ScannedNumber {
        pos = end
        return ScannedNumber(mantissa: mantissa, exponent: exponent, negative: negative, isExact: isExact, start: start, end: end)
    }

    /// Consumes digits eight bytes at a time (SWAR) while at least eight bytes remain and
    /// the mantissa has room for eight more digits (so it stays exact), stopping after the
    /// first block that is not all digits. Fraction digits are counted as significant even
    /// when they are leading zeros; that only sends very long literals to the slow path.
    @inline(__always)
    func consumeEightDigitBlocks(_ i: inout Int, _ mantissa: inout UInt64, _ digits: inout Int) {
        while i &+ 8 <= count && digits <= 11 {
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            // High bit of each byte that is not an ASCII digit; the lowest flagged byte is the
            // first non-digit exactly (borrows and carries only run from it upwards).
            let nonDigits = ((word &+ 0x4646_4646_4646_4646) | (word &- 0x3030_3030_3030_3030)) & 0x8080_8080_8080_8080
            let k = nonDigits.trailingZeroBitCount >> 3  // leading digit bytes, 0...8
            guard k > 0 else { return }
            // Move the k digit values to the top bytes (zeros in front), then combine them.
            var v = (word &- 0x3030_3030_3030_3030) &<< UInt64((8 &- k) &* 8)
            v = (v &* 10) &+ (v >> 8)
            v = (((v & 0x0000_00FF_0000_00FF) &* 0x000F_4240_0000_0064)
                &+ (((v >> 16) & 0x0000_00FF_0000_00FF) &* 0x0000_2710_0000_0001)) >> 32
            mantissa = mantissa &* Self.powersOfTen64.withUnsafeBufferPointer { $0[k] } &+ v
            digits &+= k
            i &+= k
            if k < 8 { return }
        }
    }

    static let powersOfTen64: [UInt64] = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000]
}
