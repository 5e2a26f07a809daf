/// Branch-free float32 elementary functions for the activation kernels (docs/ACTIVATIONS.md §4.3 Stable primitives).
///
/// Every function is `@inline(__always)` and built from plain arithmetic, comparisons, selects
/// and bit casts, so a loop that calls them over contiguous memory can be vectorised by LLVM
/// (no libm calls, no traps: no `Int(_:)` conversions, no checked integer arithmetic).
/// Non-finite handling is explicit: NaN propagates, ±inf gives the limit, and exponent
/// arguments are clamped so no `inf·0` or `inf − inf` can arise inside.
enum FloatMath {
    /// a·b + c: one fused multiply-add where the build targets a CPU that has the instruction
    /// (every arm64; x86-64 when built with `-D ACTIVATION_FMA` together with an AVX2/FMA
    /// `-target-cpu`, see the Makefile), else a multiply and an add. On a CPU without FMA,
    /// `addingProduct` would lower to a `fmaf` library call per element, so the choice is made
    /// at compile time. Fused is never less accurate (one rounding instead of two).
    @inline(__always)
    static func madd(_ a: Float, _ b: Float, _ c: Float) -> Float {
        #if ACTIVATION_FMA || arch(arm64)
        return c.addingProduct(a, b)
        #else
        return a * b + c
        #endif
    }

    /// 1.5·2²³: adding it rounds a float of magnitude < 2²² to an integer (round to nearest).
    @usableFromInline static let roundingMagic: Float = 12_582_912

    /// Clamps to [lo, hi]; NaN stays NaN (comparisons with NaN are false).
    @inline(__always)
    static func clamp(_ x: Float, _ lo: Float, _ hi: Float) -> Float {
        let a = x < lo ? lo : x
        return a > hi ? hi : a
    }

    /// `x` with ±inf replaced by ±`Float.greatestFiniteMagnitude`; NaN stays NaN.
    @inline(__always)
    static func finite(_ x: Float) -> Float {
        clamp(x, -.greatestFiniteMagnitude, .greatestFiniteMagnitude)
    }

    /// Selects the limit for ±inf inputs, `value` otherwise (NaN input keeps `value`).
    @inline(__always)
    static func limits(_ x: Float, _ value: Float, negative: Float, positive: Float) -> Float {
        x == .infinity ? positive : (x == -.infinity ? negative : value)
    }

    /// NaN if `x` is NaN, else `value` (for results computed by selects that would drop NaN).
    @inline(__always)
    static func propagateNaN(_ x: Float, _ value: Float) -> Float {
        x.isNaN ? x : value
    }

    /// e^(hi + lo) with |lo| ≪ |hi| allowed, accurate to about 1 ulp (Cephes expf polynomial,
    /// Cody–Waite reduction). `hi` carries the large part exactly (used by the Gaussian, where
    /// x² is split so that −x²/2 is not rounded before exponentiation). Results below the
    /// smallest normal are produced as correctly scaled subnormals; beyond ln(FLT_MAX) → +inf;
    /// −inf → 0; NaN → NaN.
    @inline(__always)
    static func exp(_ hi: Float, _ lo: Float) -> Float {
        let a = clamp(hi, -104, 88.8)
        let t = madd(a + lo, 1.442_695_04, roundingMagic)
        let n = t - roundingMagic
        // n·C1 is exact (C1 has 9 significant bits, |n| ≤ 151), and a − n·C1 is exact.
        let r = madd(n, 2.121_944_4e-4, madd(n, -0.693_359_375, a) + lo)
        return scaledTwice(reducedExp(r), t)
    }

    /// e^r for the reduced argument |r| ≤ ln2/2 (Cephes expf polynomial).
    @inline(__always)
    private static func reducedExp(_ r: Float) -> Float {
        var q = madd(1.987_569_15e-4, r, 1.398_199_95e-3)
        q = madd(q, r, 8.333_451_9e-3)
        q = madd(q, r, 4.166_579_59e-2)
        q = madd(q, r, 1.666_666_55e-1)
        q = madd(q, r, 5.000_000_12e-1)
        return madd(q, r * r, r + 1)
    }

    /// Cody–Waite reduction of a (|a| ≤ 151): a = n·ln2 + r, |r| ≤ ln2/2; returns r and
    /// t = n + roundingMagic (n is read back from t's bits by the scaling).
    @inline(__always)
    private static func reduce(_ a: Float) -> (r: Float, t: Float) {
        let t = madd(a, 1.442_695_04, roundingMagic)
        let n = t - roundingMagic
        // n·C1 is exact (C1 has 9 significant bits), and a − n·C1 is exact.
        return (madd(n, 2.121_944_4e-4, madd(n, -0.693_359_375, a)), t)
    }

    /// 2^(n + bias − 127) for t = n + roundingMagic (a normal power of two for n + bias ∈ [1, 254]).
    @inline(__always)
    private static func powerOfTwo(_ t: Float, bias: Int32) -> Float {
        Float(bitPattern: UInt32(bitPattern: (Int32(bitPattern: t.bitPattern) &- 0x4B40_0000 &+ bias) &<< 23))
    }

    /// p·2^n with n read from `t` (= n + roundingMagic), in two steps so that results down to
    /// the subnormal range and up to +inf come out right.
    @inline(__always)
    private static func scaledTwice(_ p: Float, _ t: Float) -> Float {
        let ni = Int32(bitPattern: t.bitPattern) &- 0x4B40_0000
        let n1 = ni &>> 1
        let n2 = ni &- n1
        let s1 = Float(bitPattern: UInt32(bitPattern: (n1 &+ 127) &<< 23))
        let s2 = Float(bitPattern: UInt32(bitPattern: (n2 &+ 127) &<< 23))
        return p * s1 * s2
    }

    /// e^x, flushed to 0 for x < −86.6 (results below 2.6e−38, just above the smallest normal):
    /// never forms a subnormal, which costs a microcode assist per element on x86, and needs a
    /// single scaling. Used where such tiny values only multiply bounded factors (GoLU's gate).
    @inline(__always)
    static func expFlushingSubnormals(_ x: Float) -> Float {
        x < -86.6 ? 0 : expAboveSubnormals(x)
    }

    /// e^x for x ≥ −86.6; below, some value in [0, 2.6e−38] (for sums with 1 and similar,
    /// where the select of `expFlushingSubnormals` is not worth its cost). +inf beyond ln(FLT_MAX).
    @inline(__always)
    static func expAboveSubnormals(_ x: Float) -> Float {
        let (r, t) = reduce(clamp(x, -86.6, 88.8))
        let p = reducedExp(r)
        // n ∈ [−125, 128]: (2p)·2^(n−1) keeps the scale normal and overflows to +inf only
        // when the result does.
        return (p + p) * powerOfTwo(t, bias: 126)
    }

    /// e^x (as `exp(x, 0)` without the extra addition, which the compiler may not drop).
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        let (r, t) = reduce(clamp(x, -104, 88.8))
        return scaledTwice(reducedExp(r), t)
    }

    /// e^x for |x| ≤ 80 only (no clamps, no overflow or subnormal handling: one scaling): for
    /// arguments known to be moderate, such as a polynomial's value.
    @inline(__always)
    static func expModerate(_ x: Float) -> Float {
        let (r, t) = reduce(x)
        return reducedExp(r) * powerOfTwo(t, bias: 127)
    }

    /// e^x − 1 with full relative accuracy near 0 (Taylor series for |x| < 0.35).
    @inline(__always)
    static func expm1(_ x: Float) -> Float {
        var p = madd(2.480_158_7e-5, x, 1.984_127e-4)
        p = madd(p, x, 1.388_888_9e-3)
        p = madd(p, x, 8.333_333_5e-3)
        p = madd(p, x, 4.166_666_8e-2)
        p = madd(p, x, 1.666_666_7e-1)
        p = madd(p, x, 0.5)
        let small = madd(p, x * x, x)
        let big = exp(x) - 1
        return abs(x) < 0.35 ? small : big
    }

    /// log(1 + e) for 0 ≤ e ≤ 1 via 2·atanh(e/(2+e)) (series in s² ≤ 1/9; ≈ 1.5 ulp).
    @inline(__always)
    static func log1pUnit(_ e: Float) -> Float {
        let s = e / (2 + e)
        let s2 = s * s
        var series = madd(0.066_666_67, s2, 0.076_923_08)
        series = madd(series, s2, 0.090_909_09)
        series = madd(series, s2, 0.111_111_11)
        series = madd(series, s2, 0.142_857_15)
        series = madd(series, s2, 0.2)
        series = madd(series, s2, 0.333_333_34)
        series = madd(series, s2, 1)
        return 2 * s * series
    }

    /// (σ(x), σ(−x)) from e = e^{−|x|}, both with full relative accuracy (docs/ACTIVATIONS.md §4.3).
    @inline(__always)
    static func sigmoidPair(_ x: Float) -> (Float, Float) {
        let e = exp(-abs(x))
        let d = 1 / (1 + e)
        let small = e * d
        return x >= 0 ? (d, small) : (small, d)
    }

    /// x·σ(t) as x / (1 + e^{−t}), for forward passes (SiLU, the GELU approximations): one
    /// singly-scaled exponential and a division, ~20% faster than `x·sigmoidPair(t).0`, and with
    /// full relative accuracy wherever |x·σ(t)| ≥ 4e−37 (t ≥ −88.7). Below that e^{−t} overflows
    /// and the result is ±0 (the true value is under 4e−37 there, far inside the 1e−7 absolute
    /// term of the accuracy rule). t may be ±inf; x = ±inf where e^{−t} = inf gives NaN, so
    /// callers clamp x or select the limit.
    @inline(__always)
    static func timesSigmoid(_ x: Float, _ t: Float) -> Float {
        x / (1 + expAboveSubnormals(-t))
    }

    /// log(1 + e^x), stable for all x (max(x,0) + log1p(e^{−|x|})).
    @inline(__always)
    static func softplus(_ x: Float) -> Float {
        (x > 0 ? x : 0) + log1pUnit(exp(-abs(x)))
    }

    /// Splits x into a 12-bit head and the exact rest so that x² = h² + (exact-ish) low part:
    /// returns (h², x² − h²) with h² exact. (The FMA split fl(x²), fma(x, x, −fl(x²)) measured
    /// slower across the module's kernels.)
    @inline(__always)
    static func squareSplit(_ x: Float) -> (Float, Float) {
        let h = Float(bitPattern: x.bitPattern & 0xFFFF_F000)
        let l = x - h
        return (h * h, l * (h + h + l))
    }

    /// The normal tail Q(x) = Φ(−|x|) = ½ erfc(|x|/√2) and the Gaussian e^{−x²/2}, both with a
    /// few ulp relative error (Numerical Recipes' erfcc fit erfc(z) = t·exp(−z² + P(t)),
    /// t = 1/(1 + z/2), fractional error < 1.2e−7, with −x²/2 taken from the split square so it
    /// is not rounded before exponentiation). For |x| ≤ 40 (callers clamp).
    @inline(__always)
    static func gaussianTail(_ x: Float) -> (tail: Float, gauss: Float) {
        let ax = abs(x)
        let (hh, hl) = squareSplit(ax)
        let t = 1 / (1 + ax * 0.353_553_39)  // 1 / (1 + z/2), z = |x|/√2
        let poly = erfcExponent(t)
        let gauss = exp(-0.5 * hh, -0.5 * hl)
        let tail = 0.5 * t * gauss * expModerate(poly)  // P(t) ∈ [−1.27, 0.01]
        return (tail, gauss)
    }

    /// The exponent polynomial P(t) of the erfcc fit above.
    @inline(__always)
    private static func erfcExponent(_ t: Float) -> Float {
        var p = madd(0.170_872_77, t, -0.822_152_23)
        p = madd(p, t, 1.488_515_87)
        p = madd(p, t, -1.135_203_98)
        p = madd(p, t, 0.278_868_07)
        p = madd(p, t, -0.186_288_06)
        p = madd(p, t, 0.096_784_18)
        p = madd(p, t, 0.374_091_96)
        p = madd(p, t, 1.000_023_68)
        return madd(p, t, -1.265_512_23)
    }

    /// Q(x) = ½ erfc(|x|/√2) only, with one exponential (forward GELU); |x| ≤ 40.
    @inline(__always)
    static func normalTail(_ x: Float) -> Float {
        let ax = abs(x)
        let (hh, hl) = squareSplit(ax)
        let t = 1 / (1 + ax * 0.353_553_39)
        let poly = erfcExponent(t)
        return 0.5 * t * exp(-0.5 * hh, poly - 0.5 * hl)
    }
}

/// Branch-free float64 functions for the few chains whose float32 rounding is amplified too much
/// (a double exponential such as GoLU's e^{−β·e^{−γx}}: an inner exponent E with relative error δ
/// gives the gate a relative error E·δ, and 1 + γx·E cancels near the derivative's zero). Plain
/// arithmetic and bit casts as in `FloatMath`, so the loops that use them still vectorise.
enum DoubleMath {
    /// 1.5·2⁵²: adding it rounds a double of magnitude < 2⁵¹ to an integer (round to nearest).
    @usableFromInline static let roundingMagic: Double = 6_755_399_441_055_744

    /// e^x to about 1 ulp for x ∈ [−708, 709] (clamped there, so the result is a normal double;
    /// NaN stays NaN): Cody–Waite reduction with fdlibm's split ln 2, then the degree-13 Taylor
    /// polynomial of e^r on |r| ≤ ln2/2 (truncation below 5e−18 relative).
    @inline(__always)
    static func exp(_ x: Double) -> Double {
        let a = x < -708 ? -708 : (x > 709 ? 709 : x)
        let t = a * 1.442_695_040_888_963_4 + roundingMagic
        let n = t - roundingMagic
        // n·ln2_hi is exact (ln2_hi has 32 significant bits, |n| ≤ 1023), and so is a − n·ln2_hi.
        let r = (a - n * 6.931_471_803_691_238_2e-1) - n * 1.908_214_929_270_587_7e-10
        var p = 1.0 / 6_227_020_800
        p = p * r + 1.0 / 479_001_600
        p = p * r + 1.0 / 39_916_800
        p = p * r + 1.0 / 3_628_800
        p = p * r + 1.0 / 362_880
        p = p * r + 1.0 / 40_320
        p = p * r + 1.0 / 5_040
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        // 2^n from n's bits in t (n ∈ [−1022, 1023] after the clamp: a normal power of two).
        let bits = (Int64(bitPattern: t.bitPattern) &- Int64(bitPattern: roundingMagic.bitPattern) &+ 1023) &<< 52
        return p * Double(bitPattern: UInt64(bitPattern: bits))
    }
}

// MARK: - Loops

/// y[i] = body(x[i]) over contiguous memory (y may alias x).
@inline(__always)
func mapElements(
    _ x: UnsafeBufferPointer<Float>, _ y: UnsafeMutableBufferPointer<Float>, _ body: (Float) -> Float
) {
    precondition(y.count >= x.count, "output buffer shorter than input")
    guard let xp = x.baseAddress, let yp = y.baseAddress else { return }
    if UnsafeMutablePointer(mutating: xp) == yp {
        // In place: one pointer, so the vectoriser needs no overlap check (which would fail).
        for i in 0..<x.count { yp[i] = body(yp[i]) }
    } else {
        for i in 0..<x.count { yp[i] = body(xp[i]) }
    }
}

/// The output buffers of `parameterDerivatives`, checked against the kernel's shapes.
@inline(__always)
func checkedOutputs(
    _ outputs: [UnsafeMutableBufferPointer<Float>], count: Int, expected: Int
) -> [UnsafeMutablePointer<Float>]? {
    precondition(outputs.count == expected, "expected \(expected) parameter derivative buffers")
    guard count > 0 else { return nil }
    return outputs.map { buffer in
        precondition(buffer.count >= count, "parameter derivative buffer shorter than input")
        return buffer.baseAddress!  // non-nil: count > 0 elements
    }
}

/// Writes one scalar parameter derivative per element.
@inline(__always)
func mapParameter1(
    _ x: UnsafeBufferPointer<Float>, _ outputs: [UnsafeMutableBufferPointer<Float>],
    _ body: (Float) -> Float
) {
    guard let out = checkedOutputs(outputs, count: x.count, expected: 1), let xp = x.baseAddress else { return }
    let o0 = out[0]
    for i in 0..<x.count { o0[i] = body(xp[i]) }
}

/// Writes three scalar parameter derivatives per element.
@inline(__always)
func mapParameter3(
    _ x: UnsafeBufferPointer<Float>, _ outputs: [UnsafeMutableBufferPointer<Float>],
    _ body: (Float) -> (Float, Float, Float)
) {
    guard let out = checkedOutputs(outputs, count: x.count, expected: 3), let xp = x.baseAddress else { return }
    let o0 = out[0], o1 = out[1], o2 = out[2]
    for i in 0..<x.count {
        let (a, b, c) = body(xp[i])
        o0[i] = a
        o1[i] = b
        o2[i] = c
    }
}
