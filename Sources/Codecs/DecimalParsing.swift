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

    /// 10^-65 … 10^38 as Double, each correctly rounded (exact up to 10^22): every power a
    /// literal of at most 19 significant digits needs to land in the float32 range.
    static let powersOfTenForFloat: [Double] = [
        1e-65, 1e-64, 1e-63, 1e-62, 1e-61, 1e-60, 1e-59, 1e-58, 1e-57, 1e-56, 1e-55, 1e-54,
        1e-53, 1e-52, 1e-51, 1e-50, 1e-49, 1e-48, 1e-47, 1e-46, 1e-45, 1e-44, 1e-43, 1e-42,
        1e-41, 1e-40, 1e-39, 1e-38, 1e-37, 1e-36, 1e-35, 1e-34, 1e-33, 1e-32, 1e-31, 1e-30,
        1e-29, 1e-28, 1e-27, 1e-26, 1e-25, 1e-24, 1e-23, 1e-22, 1e-21, 1e-20, 1e-19, 1e-18,
        1e-17, 1e-16, 1e-15, 1e-14, 1e-13, 1e-12, 1e-11, 1e-10, 1e-9, 1e-8, 1e-7, 1e-6,
        1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6,
        1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
        1e19, 1e20, 1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28, 1e29, 1e30,
        1e31, 1e32, 1e33, 1e34, 1e35, 1e36, 1e37, 1e38,
    ]

    /// Correctly rounded float32 of a scanned number, or nil when the literal is finite but
    /// beyond the float32 range (it would round to ±infinity). Underflow gives 0 or a
    /// subnormal.
    @inline(__always)
    static func float(_ n: ScannedNumber, in base: UnsafeRawPointer) -> Float? {
        if let f = fastFloat(n) { return f }
        return slowFloat(n, in: base)
    }

    /// The correctly rounded float32 of `n` when one Double multiplication decides it, else
    /// nil (the caller then uses `slowFloat`).
    ///
    /// `d = fl(fl(m) · fl(10^e))` is within 3 units in the last place (of d) of the exact
    /// value m·10^e: three roundings, each at most half a unit relative. Rounding d to float32
    /// then gives the correctly rounded float32 unless a float32 rounding midpoint (or the
    /// overflow threshold, also a midpoint) lies within those 3 units of d; the bits of d
    /// below float32 precision say how far the nearest midpoint is. Every literal with at
    /// most 19 significant digits whose value is at least 2^-149 takes this path except
    /// about 1 in 10^7 (and exact midpoints, which need the slow path by design).
    @inline(__always)
    static func fastFloat(_ n: ScannedNumber) -> Float? {
        if n.mantissa == 0 { return n.negative ? -0.0 : 0.0 }
        guard n.isExact && n.exponent >= -65 && n.exponent <= 38 else { return nil }
        let d = Double(n.mantissa) * powersOfTenForFloat.withUnsafeBufferPointer { $0[n.exponent &+ 65] }
        let bits = d.bitPattern
        let biasedExponent = Int(truncatingIfNeeded: bits >> 52)  // d > 0 and finite
        // Bits of d's significand below float32 precision: 29 in the normal range, one more
        // per binade below 2^-126 (float32 subnormals), all 52 at 2^-149.
        let dropped = 29 &+ max(0, 897 &- biasedExponent)  // 897 = 1023 - 126
        guard dropped <= 52 else { return nil }
        let half: UInt64 = 1 &<< UInt64(dropped &- 1)
        let low = bits & ((half &<< 1) &- 1)
        guard low &- half &+ 4 > 8 else { return nearMidpoint(n, dropped: dropped) }  // within 4 units of one
        let f = Float(d)
        guard f.isFinite else { return nil }  // beyond float32: the slow path says so
        // The sign as a bit, not a branch (random signs would mispredict).
        let sign: UInt32 = n.negative ? 0x8000_0000 : 0
        return Float(bitPattern: f.bitPattern | sign)
    }

    /// `fastFloat` for a value within a few units of a float32 midpoint: decided when the
    /// literal is a Clinger case (≤ 2^53, |exponent| ≤ 22), where one correctly rounded
    /// operation gives the Double of the value and a fused multiply-add says whether it is
    /// exact. Exact: rounding it to float32 is the answer (ties to even included; large
    /// integers printed shortest often sit exactly on a midpoint). Inexact: the answer too,
    /// unless the Double is itself the midpoint. Otherwise nil.
    @inline(never)
    static func nearMidpoint(_ n: ScannedNumber, dropped: Int) -> Float? {
        guard n.mantissa <= 1 << 53 && n.exponent >= -22 && n.exponent <= 22 else { return nil }
        let m = Double(n.mantissa)
        let p = powersOfTen[abs(n.exponent)]
        let d = n.exponent >= 0 ? m * p : m / p
        let residual = n.exponent >= 0 ? (-d).addingProduct(m, p) : (-m).addingProduct(d, p)
        let half: UInt64 = 1 &<< UInt64(dropped &- 1)
        guard residual == 0 || d.bitPattern & ((half &<< 1) &- 1) != half else { return nil }
        let f = Float(d)
        guard f.isFinite else { return nil }
        return n.negative ? -f : f
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
