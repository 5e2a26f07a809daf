#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A JSON number split into sign, decimal significand and exponent while it is scanned.
/// `value = (negative ? -1 : 1) × mantissa × 10^exponent` exactly when `isExact`; otherwise
/// more than 19 significant digits were present and the text at `start..<end` must be
/// converted by a correctly rounding library routine.
struct ScannedNumber {
    var mantissa: UInt64
    var exponent: Int
    var negative: Bool
    var isExact: Bool
    var start: Int
    var end: Int
}

enum DecimalParsing {
    /// 10^0 … 10^22, all exactly representable as Double.
    static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Smallest normal float32 as Double (2^-126).
    static let leastNormalFloat = Double(Float.leastNormalMagnitude)

    /// Correctly rounded float32 of a scanned number, or nil when the literal is finite but
    /// beyond the float32 range (it would round to ±infinity). Underflow gives 0 or a
    /// subnormal.
    @inline(__always)
    static func float(_ n: ScannedNumber, in base: UnsafeRawPointer) -> Float? {
        if n.mantissa == 0 { return n.negative ? -0.0 : 0.0 }
        if n.isExact && n.mantissa <= 1 << 53 && n.exponent >= -22 && n.exponent <= 22 {
            // Clinger's fast path: both operands are exact Doubles, so `d` is the correctly
            // rounded Double of the decimal value. Rounding `d` to Float again is correct
            // unless `d` sits exactly on a float32 rounding midpoint (midpoints are Doubles,
            // so the decimal and `d` lie on the same side of every other midpoint). The
            // midpoint test below is valid for the normal float32 range; smaller values and
            // overflow take the slow path.
            let m = Double(n.mantissa)
            let d = n.exponent >= 0
                ? m * powersOfTen.withUnsafeBufferPointer { $0[n.exponent] }
                : m / powersOfTen.withUnsafeBufferPointer { $0[-n.exponent] }
            let f = Float(d)
            if d >= leastNormalFloat && f.isFinite && d.bitPattern & 0x1FFF_FFFF != 0x1000_0000 {
                return n.negative ? -f : f
            }
        }
        return slowFloat(n, in: base)
    }

    /// Correctly rounded Double of a scanned number, or nil when it overflows Double.
    static func double(_ n: ScannedNumber, in base: UnsafeRawPointer) -> Double? {
        if n.mantissa == 0 { return n.negative ? -0.0 : 0.0 }
        if n.isExact && n.mantissa <= 1 << 53 && n.exponent >= -22 && n.exponent <= 22 {
            let m = Double(n.mantissa)
            let d = n.exponent >= 0 ? m * powersOfTen[n.exponent] : m / powersOfTen[-n.exponent]
            return n.negative ? -d : d
        }
        let d = withCString(n, in: base) { strtod($0, nil) }
        return d.isFinite ? d : nil
    }

    @inline(never)
    static func slowFloat(_ n: ScannedNumber, in base: UnsafeRawPointer) -> Float? {
        // glibc's strtof is correctly rounded (round-to-nearest-even) for any digit count.
        let f = withCString(n, in: base) { strtof($0, nil) }
        return f.isFinite ? f : nil
    }

    /// Calls `body` with a NUL-terminated copy of the number's text. JSON number syntax is a
    /// subset of what strtod/strtof accept, and Swift programs run in the "C" locale.
    private static func withCString<R>(_ n: ScannedNumber, in base: UnsafeRawPointer, _ body: (UnsafePointer<CChar>) -> R) -> R {
        let length = n.end - n.start
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer in
            let p = buffer.baseAddress!  // capacity ≥ 1
            UnsafeMutableRawPointer(p).copyMemory(from: base + n.start, byteCount: length)
            p[length] = 0
            return body(p)
        }
    }
}
