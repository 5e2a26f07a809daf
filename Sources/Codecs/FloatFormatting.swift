// Text output of float32 values into raw byte buffers (no String, no allocation per
// number): shortest digits from Dragonbox (Ryu for the few cases it does not cover), laid
// out Python-`repr` style with a handful of unaligned 8-byte stores.

enum FloatFormatting {
    /// Bytes `writeFinite(_:to:)` may touch: the text is at most 19 bytes
    /// ("-1234567800000000.0"), but zero padding is stored 8 bytes at a time.
    static let maxFloatLength = 32

    /// 10^0 … 10^9.
    static let powersOfTen32: [UInt32] = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000]

    /// Eight ASCII '0' bytes.
    static let eightZeros: UInt64 = 0x3030_3030_3030_3030

    /// Number of decimal digits of `v` (1...10), branch-free.
    @inline(__always)
    static func decimalLength(_ v: UInt32) -> Int {
        // floor(log10(v)) is t or t - 1 for t = ⌊bits · log10(2)⌋ (1233/4096 ≈ log10 2).
        let bits = 32 &- (v | 1).leadingZeroBitCount
        let t = (bits &* 1233) >> 12
        let below = powersOfTen32.withUnsafeBufferPointer { v < $0[t] }
        return t &+ (below ? 0 : 1)
    }

    /// The 8 decimal digits of `n < 10^8` (with leading zeros) as ASCII, digit i in byte i
    /// of the little-endian value, computed in parallel lanes (SWAR) without a table.
    @inline(__always)
    static func eightDigits(_ n: UInt32) -> UInt64 {
        // Each step splits every lane into quotient and remainder with one multiply-add:
        // (x << s) + q·(1 - d·2^s) = q + (x - d·q) << s, exact in wrapping arithmetic because
        // every lane of the result is non-negative and fits.
        // Lanes of 32 bits: [n / 10^4, n % 10^4].
        let q = UInt64(n / 10_000)
        let merged = (UInt64(n) << 32) &+ q &* (1 &- (10_000 << 32))
        // Each lane / 100 (x·10486 >> 20 is exact for x < 10^4), and % 100: lanes of 16 bits
        // [hi/100, hi%100, lo/100, lo%100].
        let top = ((merged &* 10_486) >> 20) & 0x0000_007F_0000_007F
        let hundreds = (merged << 16) &+ top &* (1 &- (100 << 16))
        // Each lane / 10 (x·103 >> 10 is exact for x < 100), then lanes of 8 bits.
        let tens = ((hundreds &* 103) >> 10) & 0x000F_000F_000F_000F
        return ((hundreds << 8) &+ tens &* (1 &- (10 << 8))) | 0x3030_3030_3030_3030
    }

    /// "0.000000" as a little-endian 8-byte store.
    static let zeroPointZeros: UInt64 = 0x3030_3030_3030_2E30

    @inline(__always)
    static func store(_ ascii: UInt64, at p: UnsafeMutablePointer<UInt8>) {
        UnsafeMutableRawPointer(p).storeBytes(of: ascii.littleEndian, as: UInt64.self)
    }

    /// The shortest digits normalised to nine (`nine` in 10^8 ..< 10^9, value = nine × 10^(e-8))
    /// for the cases `Dragonbox32.scaledDigits` leaves out.
    @inline(never)
    static func nineDigitsGeneral(mantissa: UInt32, exponent: UInt32) -> (nine: UInt32, e: Int) {
        let d = Dragonbox32.shortest(mantissa: mantissa, exponent: exponent)
        let length = decimalLength(d.digits)  // 1...9
        let nine = d.digits &* powersOfTen32.withUnsafeBufferPointer { $0[9 &- length] }
        return (nine, Int(d.exponent) &+ length &- 1)
    }

    /// Writes the shortest decimal that parses back (as float32) to exactly `v`, in Python
    /// `repr` style: "1.0", "0.1", "-2.5", "1e-05", "3.4028235e+38". `v` must be finite.
    /// Returns the number of bytes written; up to `maxFloatLength` bytes may be touched.
    ///
    /// The digits are normalised to exactly nine, D0 D1…D8 (D1…D8 as eight ASCII bytes in one
    /// register), so every layout is a few overlapping unaligned stores with no loop, and the
    /// count of significant digits comes from the zero bytes at the top of that register.
    @inline(__always)
    static func writeFinite(_ v: Float, to out: UnsafeMutablePointer<UInt8>) -> Int {
        let bits = v.bitPattern
        out[0] = UInt8(ascii: "-")
        let p = out + Int(bits >> 31)  // branch-free sign
        let ieeeMantissa = bits & 0x7F_FFFF
        let ieeeExponent = (bits >> 23) & 0xFF
        if ieeeMantissa == 0 && ieeeExponent == 0 {
            p[0] = UInt8(ascii: "0"); p[1] = UInt8(ascii: "."); p[2] = UInt8(ascii: "0")
            return p + 3 - out
        }
        let nine: UInt32
        let e: Int  // value = D0.D1…D8 × 10^e
        if let s = Dragonbox32.scaledDigits(mantissa: ieeeMantissa, exponent: ieeeExponent) {
            // 7, 8 or 9 digits: scaled by 100, 10 or 1 with arithmetic, not branches.
            let below8: UInt32 = s.digits < 100_000_000 ? 1 : 0
            let below7: UInt32 = s.digits < 10_000_000 ? 1 : 0
            nine = s.digits &* (1 &+ 9 &* below8 &+ 90 &* below7)
            e = s.exponent &+ 8 &- Int(below8 &+ below7)
        } else {
            (nine, e) = nineDigitsGeneral(mantissa: ieeeMantissa, exponent: ieeeExponent)
        }
        let first = nine / 100_000_000
        let ascii = eightDigits(nine &- first &* 100_000_000)
        let d0 = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: first)
        // Significant digits: 9 minus the trailing '0's (zero bytes at the top after the xor).
        let digitCount = 9 &- ((ascii ^ eightZeros).leadingZeroBitCount >> 3)

        if UInt(bitPattern: e &+ 4) < 12 {
            // -4 ≤ e ≤ 7: "D0…De.De+1…" or "0.000D0D1…", one straight-line path for both
            // (values around 1 mix them at random, so a branch on the sign of e would
            // mispredict), with selects by mask (all ones when e < 0; the compiler turns `?:`
            // here into branches):
            //   e ≥ 0: D0 D1…D7, then D(e+1)… again at e + 2, then '.' at e + 1;
            //   e < 0: "0.000000", D0 at 1 - e, D1… at 2 - e, then '.' again at 1.
            let small = e &>> 63
            let small64 = UInt64(bitPattern: Int64(small))
            let magnitude = (e ^ small) &- small  // |e|
            store((zeroPointZeros & small64) | (((ascii &<< 8) | UInt64(d0)) & ~small64), at: p)
            p[(1 &+ magnitude) & small] = d0  // e ≥ 0: rewrites p[0]
            store(ascii &>> UInt64(truncatingIfNeeded: (e &* 8) & ~small), at: p + (2 &+ magnitude))
            p[1 &+ (e & ~small)] = UInt8(ascii: ".")
            let length = ((1 &+ magnitude &+ digitCount) & small) | (max(digitCount &+ 1, e &+ 3) & ~small)
            return p + length - out
        }
        if e == 8 {
            // D0…D8 ".0"
            p[0] = d0
            store(ascii, at: p + 1)
            p[9] = UInt8(ascii: ".")
            p[10] = UInt8(ascii: "0")
            return p + 11 - out
        }
        if e > 8 && e < 16 {
            // D0…D8 then zeros, ".0" (at most 7 zeros: one 8-byte store).
            p[0] = d0
            store(ascii, at: p + 1)
            store(eightZeros, at: p + 9)
            p[e &+ 1] = UInt8(ascii: ".")
            p[e &+ 2] = UInt8(ascii: "0")
            return p + (e &+ 3) - out
        }
        // D0[.D1…]e±XX (|e| ≤ 45 for float32: always two exponent digits).
        p[0] = d0
        var q = p + 1
        if digitCount > 1 {
            p[1] = UInt8(ascii: ".")
            store(ascii, at: p + 2)
            q = p + (digitCount &+ 1)
        }
        q[0] = UInt8(ascii: "e")
        q[1] = e < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+")
        let magnitude = e < 0 ? -e : e
        q[2] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude / 10)
        q[3] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
        return q + 4 - out
    }
}
