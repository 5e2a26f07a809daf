// Shortest round-trip float32 → decimal conversion (Ryu, Ulf Adams, PLDI 2018, "f2s"),
// writing ASCII digits straight into a caller-provided byte buffer.

/// Shortest decimal digits of a finite, non-zero float32 magnitude: `digits × 10^exponent`.
struct ShortestDecimal32 {
    var digits: UInt32
    var exponent: Int32
}

enum Ryu32 {
    static let pow5InvSplit: [UInt64] = [
        0x0800000000000001, 0x0666666666666667, 0x051EB851EB851EB9,
        0x04189374BC6A7EFA, 0x068DB8BAC710CB2A, 0x053E2D6238DA3C22,
        0x0431BDE82D7B634E, 0x06B5FCA6AF2BD216, 0x055E63B88C230E78,
        0x044B82FA09B5A52D, 0x06DF37F675EF6EAE, 0x057F5FF85E592558,
        0x0465E6604B7A8447, 0x0709709A125DA071, 0x05A126E1A84AE6C1,
        0x0480EBE7B9D58567, 0x0734ACA5F6226F0B, 0x05C3BD5191B525A3,
        0x049C97747490EAE9, 0x0760F253EDB4AB0E, 0x05E72843249088D8,
        0x04B8ED0283A6D3E0, 0x078E480405D7B966, 0x060B6CD004AC9452,
        0x04D5F0A66A23A9DB, 0x07BCB43D769F762B, 0x063090312BB2C4EF,
        0x04F3A68DBC8F03F3, 0x07EC3DAF94180651, 0x065697BFA9ACD1DA,
        0x051212FFBAF0A7E2, 0x040E7599625A1FE8,
    ]

    static let pow5Split: [UInt64] = [
        0x1000000000000000, 0x1400000000000000, 0x1900000000000000,
        0x1F40000000000000, 0x1388000000000000, 0x186A000000000000,
        0x1E84800000000000, 0x1312D00000000000, 0x17D7840000000000,
        0x1DCD650000000000, 0x12A05F2000000000, 0x174876E800000000,
        0x1D1A94A200000000, 0x12309CE540000000, 0x16BCC41E90000000,
        0x1C6BF52634000000, 0x11C37937E0800000, 0x16345785D8A00000,
        0x1BC16D674EC80000, 0x1158E460913D0000, 0x15AF1D78B58C4000,
        0x1B1AE4D6E2EF5000, 0x10F0CF064DD59200, 0x152D02C7E14AF680,
        0x1A784379D99DB420, 0x108B2A2C28029094, 0x14ADF4B7320334B9,
        0x19D971E4FE8401E7, 0x1027E72F1F128130, 0x1431E0FAE6D7217C,
        0x193E5939A08CE9DB, 0x1F8DEF8808B02452, 0x13B8B5B5056E16B3,
        0x18A6E32246C99C60, 0x1ED09BEAD87C0378, 0x13426172C74D822B,
        0x1812F9CF7920E2B6, 0x1E17B84357691B64, 0x12CED32A16A1B11E,
        0x178287F49C4A1D66, 0x1D6329F1C35CA4BF, 0x125DFA371A19E6F7,
        0x16F578C4E0A060B5, 0x1CB2D6F618C878E3, 0x11EFC659CF7D4B8D,
        0x166BB7F0435C9E71, 0x1C06A5EC5433C60D, 0x118427B3B4A05BC8,
    ]

    /// ceil(log2(5^e)) for e > 0, 1 for e == 0 (valid for 0 ≤ e ≤ 3528).
    @inline(__always) static func pow5bits(_ e: Int32) -> Int32 {
        Int32(truncatingIfNeeded: ((UInt32(bitPattern: e) &* 1_217_359) >> 19) &+ 1)
    }
    /// floor(log10(2^e)) for 0 ≤ e ≤ 1650.
    @inline(__always) static func log10Pow2(_ e: Int32) -> UInt32 { (UInt32(bitPattern: e) &* 78_913) >> 18 }
    /// floor(log10(5^e)) for 0 ≤ e ≤ 2620.
    @inline(__always) static func log10Pow5(_ e: Int32) -> UInt32 { (UInt32(bitPattern: e) &* 732_923) >> 20 }

    @inline(__always) static func multipleOfPowerOf5(_ value: UInt32, _ p: UInt32) -> Bool {
        var v = value
        var count: UInt32 = 0
        while v % 5 == 0 {
            v /= 5
            count &+= 1
            if count >= p { return true }
        }
        return count >= p
    }

    @inline(__always) static func multipleOfPowerOf2(_ value: UInt32, _ p: UInt32) -> Bool {
        value & ((1 &<< p) &- 1) == 0
    }

    /// (m × factor) >> shift, with shift > 32; the product needs at most 96 bits.
    @inline(__always) static func mulShift(_ m: UInt32, _ factor: UInt64, _ shift: Int32) -> UInt32 {
        let lo = UInt64(m) &* (factor & 0xFFFF_FFFF)
        let hi = UInt64(m) &* (factor >> 32)
        let sum = (lo >> 32) &+ hi
        return UInt32(truncatingIfNeeded: sum &>> UInt64(truncatingIfNeeded: shift &- 32))  // shift ∈ 52...60 for every float32
    }

    /// The shortest decimal that rounds back to the float with these IEEE fields
    /// (finite, not zero). Ties between equally short candidates go to the closest one.
    @inline(__always)
    static func shortest(mantissa ieeeMantissa: UInt32, exponent ieeeExponent: UInt32) -> ShortestDecimal32 {
        let e2: Int32
        let m2: UInt32
        if ieeeExponent == 0 {
            e2 = 1 - 127 - 23 - 2
            m2 = ieeeMantissa
        } else {
            e2 = Int32(ieeeExponent) - 127 - 23 - 2
            m2 = (1 << 23) | ieeeMantissa
        }
        let acceptBounds = m2 & 1 == 0

        let mv = 4 &* m2
        let mp = 4 &* m2 &+ 2
        let mmShift: UInt32 = (ieeeMantissa != 0 || ieeeExponent <= 1) ? 1 : 0
        let mm = 4 &* m2 &- 1 &- mmShift

        var vr: UInt32, vp: UInt32, vm: UInt32
        let e10: Int32
        var vmIsTrailingZeros = false
        var vrIsTrailingZeros = false
        var lastRemovedDigit: UInt32 = 0
        if e2 >= 0 {
            let q = log10Pow2(e2)
            e10 = Int32(q)
            let k = 59 &+ pow5bits(Int32(q)) &- 1
            let i = -e2 &+ Int32(q) &+ k
            let f = pow5InvSplit[Int(q)]
            vr = mulShift(mv, f, i)
            vp = mulShift(mp, f, i)
            vm = mulShift(mm, f, i)
            if q != 0 && (vp &- 1) / 10 <= vm / 10 {
                let l = 59 &+ pow5bits(Int32(q) &- 1) &- 1
                lastRemovedDigit = mulShift(mv, pow5InvSplit[Int(q) &- 1], -e2 &+ Int32(q) &- 1 &+ l) % 10
            }
            if q <= 9 {
                // Only one of mp, mv and mm can be a multiple of 5, if any.
                if mv % 5 == 0 {
                    vrIsTrailingZeros = multipleOfPowerOf5(mv, q)
                } else if acceptBounds {
                    vmIsTrailingZeros = multipleOfPowerOf5(mm, q)
                } else if multipleOfPowerOf5(mp, q) {
                    vp &-= 1
                }
            }
        } else {
            let q = log10Pow5(-e2)
            e10 = Int32(q) &+ e2
            let i = -e2 &- Int32(q)
            let k = pow5bits(i) &- 61
            var j = Int32(q) &- k
            let f = pow5Split[Int(i)]
            vr = mulShift(mv, f, j)
            vp = mulShift(mp, f, j)
            vm = mulShift(mm, f, j)
            if q != 0 && (vp &- 1) / 10 <= vm / 10 {
                j = Int32(q) &- 1 &- (pow5bits(i &+ 1) &- 61)
                lastRemovedDigit = mulShift(mv, pow5Split[Int(i) &+ 1], j) % 10
            }
            if q <= 1 {
                // mv = 4·m2 has at least two trailing zero bits.
                vrIsTrailingZeros = true
                if acceptBounds {
                    vmIsTrailingZeros = mmShift == 1
                } else {
                    vp &-= 1
                }
            } else if q < 31 {
                vrIsTrailingZeros = multipleOfPowerOf2(mv, q &- 1)
            }
        }

        var removed: Int32 = 0
        let output: UInt32
        if vmIsTrailingZeros || vrIsTrailingZeros {
            // Rare general case (~4%).
            while vp / 10 > vm / 10 {
                vmIsTrailingZeros = vmIsTrailingZeros && vm % 10 == 0
                vrIsTrailingZeros = vrIsTrailingZeros && lastRemovedDigit == 0
                lastRemovedDigit = vr % 10
                vr /= 10; vp /= 10; vm /= 10
                removed &+= 1
            }
            if vmIsTrailingZeros {
                while vm % 10 == 0 {
                    vrIsTrailingZeros = vrIsTrailingZeros && lastRemovedDigit == 0
                    lastRemovedDigit = vr % 10
                    vr /= 10; vp /= 10; vm /= 10
                    removed &+= 1
                }
            }
            if vrIsTrailingZeros && lastRemovedDigit == 5 && vr % 2 == 0 {
                lastRemovedDigit = 4  // exactly ...50…0: round half to even
            }
            let roundUp = (vr == vm && (!acceptBounds || !vmIsTrailingZeros)) || lastRemovedDigit >= 5
            output = vr &+ (roundUp ? 1 : 0)
        } else {
            // Common case.
            while vp / 10 > vm / 10 {
                lastRemovedDigit = vr % 10
                vr /= 10; vp /= 10; vm /= 10
                removed &+= 1
            }
            output = vr &+ ((vr == vm || lastRemovedDigit >= 5) ? 1 : 0)
        }
        return ShortestDecimal32(digits: output, exponent: e10 &+ removed)
    }
}
