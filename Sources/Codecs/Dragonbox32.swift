// Shortest round-trip float32 → decimal conversion, fast path: Dragonbox (Junekey Jeon,
// "Dragonbox: A New Floating-Point Binary-to-Decimal Conversion Algorithm", 2020), the
// nearest-even, normal-interval case for float32. Powers of two (asymmetric interval) and
// subnormals go to Ryu. Trailing zeros are not removed here (the formatter drops them).
// Verified against Ryu on every float32 (see the report / FloatPrintingTests).

enum Dragonbox32 {
    /// ⌈10^k · 2^-(⌊k·log2 10⌋ - 63)⌉ for k = -31...46 (64-bit, top bit set).
    static let cache: [UInt64] = [
        0x81CEB32C4B43FCF5, 0xA2425FF75E14FC32, 0xCAD2F7F5359A3B3F,
        0xFD87B5F28300CA0E, 0x9E74D1B791E07E49, 0xC612062576589DDB,
        0xF79687AED3EEC552, 0x9ABE14CD44753B53, 0xC16D9A0095928A28,
        0xF1C90080BAF72CB2, 0x971DA05074DA7BEF, 0xBCE5086492111AEB,
        0xEC1E4A7DB69561A6, 0x9392EE8E921D5D08, 0xB877AA3236A4B44A,
        0xE69594BEC44DE15C, 0x901D7CF73AB0ACDA, 0xB424DC35095CD810,
        0xE12E13424BB40E14, 0x8CBCCC096F5088CC, 0xAFEBFF0BCB24AAFF,
        0xDBE6FECEBDEDD5BF, 0x89705F4136B4A598, 0xABCC77118461CEFD,
        0xD6BF94D5E57A42BD, 0x8637BD05AF6C69B6, 0xA7C5AC471B478424,
        0xD1B71758E219652C, 0x83126E978D4FDF3C, 0xA3D70A3D70A3D70B,
        0xCCCCCCCCCCCCCCCD, 0x8000000000000000, 0xA000000000000000,
        0xC800000000000000, 0xFA00000000000000, 0x9C40000000000000,
        0xC350000000000000, 0xF424000000000000, 0x9896800000000000,
        0xBEBC200000000000, 0xEE6B280000000000, 0x9502F90000000000,
        0xBA43B74000000000, 0xE8D4A51000000000, 0x9184E72A00000000,
        0xB5E620F480000000, 0xE35FA931A0000000, 0x8E1BC9BF04000000,
        0xB1A2BC2EC5000000, 0xDE0B6B3A76400000, 0x8AC7230489E80000,
        0xAD78EBC5AC620000, 0xD8D726B7177A8000, 0x878678326EAC9000,
        0xA968163F0A57B400, 0xD3C21BCECCEDA100, 0x84595161401484A0,
        0xA56FA5B99019A5C8, 0xCECB8F27F4200F3A, 0x813F3978F8940985,
        0xA18F07D736B90BE6, 0xC9F2C9CD04674EDF, 0xFC6F7C4045812297,
        0x9DC5ADA82B70B59E, 0xC5371912364CE306, 0xF684DF56C3E01BC7,
        0x9A130B963A6C115D, 0xC097CE7BC90715B4, 0xF0BDC21ABB48DB21,
        0x96769950B50D88F5, 0xBC143FA4E250EB32, 0xEB194F8E1AE525FE,
        0x92EFD1B8D0CF37BF, 0xB7ABC627050305AE, 0xE596B7B0C643C71A,
        0x8F7E32CE7BEA5C70, 0xB35DBF821AE4F38C, 0xE0352F62A19E306F,
    ]

    /// ⌊e · log10 2⌋ for |e| ≤ 2620.
    @inline(__always) static func floorLog10Pow2(_ e: Int) -> Int { (e &* 315_653) >> 20 }
    /// ⌊e · log2 10⌋ for |e| ≤ 1233.
    @inline(__always) static func floorLog2Pow10(_ e: Int) -> Int { (e &* 1_741_647) >> 19 }

    @inline(__always)
    static func shortest(mantissa: UInt32, exponent bq: UInt32) -> ShortestDecimal32 {
        guard bq != 0 && mantissa != 0 else {
            return Ryu32.shortest(mantissa: mantissa, exponent: bq)
        }
        let twoFc = (mantissa | 0x80_0000) << 1
        let e = Int(bq) &- 150
        let includeEndpoints = mantissa & 1 == 0  // round to nearest even: ties accepted

        // Step 1: Schubfach multiplier (κ = 1).
        let minusK = floorLog10Pow2(e) &- 1
        let phi = cache.withUnsafeBufferPointer { $0[31 &- minusK] }  // index of k = -minusK
        let beta = e &+ floorLog2Pow10(-minusK)  // 1...4 for float32
        let deltai = UInt32(truncatingIfNeeded: phi &>> UInt64(63 &- beta))
        // Upper 64 bits of the 96-bit product (2fc + 1)·2^β × φ.
        let u = UInt64((twoFc | 1) &<< UInt32(beta))
        let zProduct = u &* (phi >> 32) &+ ((u &* (phi & 0xFFFF_FFFF)) >> 32)
        let zi = UInt32(truncatingIfNeeded: zProduct >> 32)
        let zIsInteger = UInt32(truncatingIfNeeded: zProduct) == 0

        // Step 2: try the larger divisor 10^(κ+1).
        var significand = zi / 100
        var r = zi &- 100 &* significand
        var useLarger = false
        if r < deltai {
            if r == 0 && zIsInteger && !includeEndpoints {
                // The right endpoint is excluded.
                significand &-= 1
                r = 100
            } else {
                useLarger = true
            }
        } else if r == deltai {
            // Compare the fractional parts of the left endpoint.
            let (parity, isInteger) = mulParity(twoFc &- 1, phi, beta)
            useLarger = parity || (isInteger && includeEndpoints)
        }
        if useLarger {
            return ShortestDecimal32(digits: significand, exponent: Int32(minusK &+ 2))
        }

        // Step 3: the smaller divisor 10^κ.
        significand &*= 10
        var dist = r &- (deltai >> 1) &+ 5
        let approxYParity = (dist ^ 5) & 1 != 0
        let divisible = dist % 10 == 0
        dist /= 10
        significand &+= dist
        if divisible {
            let (yParity, yIsInteger) = mulParity(twoFc, phi, beta)
            if yParity != approxYParity {
                significand &-= 1
            } else if yIsInteger && significand & 1 != 0 {
                significand &-= 1  // a tie: round to even
            }
        }
        return ShortestDecimal32(digits: significand, exponent: Int32(minusK &+ 1))
    }

    /// Parity of the integer part of 2f·φ·2^(β-64-32)… and whether its fraction is zero
    /// (Dragonbox `compute_mul_parity` for float32, 1 ≤ β < 32).
    @inline(__always)
    static func mulParity(_ twoF: UInt32, _ phi: UInt64, _ beta: Int) -> (parity: Bool, isInteger: Bool) {
        let r = UInt64(twoF) &* phi  // the low 64 bits of the 96-bit product
        let parity = (r &>> UInt64(64 &- beta)) & 1 != 0
        let isInteger = (r &>> UInt64(32 &- beta)) & 0xFFFF_FFFF == 0
        return (parity, isInteger)
    }
}
