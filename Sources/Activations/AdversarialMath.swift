import Foundation

/// Double-precision helpers shared by the adversarial counterparts and the gate API
/// (docs/ACTIVATIONS.md §4.3 Stable primitives, evaluated in Double).
enum AdversarialMath {
    static let ln2 = 0.69314718055994530942
    static let halfLog2Pi = 0.91893853320467274178  // ½·ln(2π)
    static let geluK = 0.79788456080286535588  // √(2/π)
    static let geluC = 0.044715
    static let quickGELUScale = 1.702
    static let seluAlpha = 1.6732632423543772848170429916717
    static let seluLambda = 1.0507009873554804934193349852946

    /// σ(x), two-branch form without overflow.
    @inline(__always)
    static func sigmoid(_ x: Double) -> Double {
        let e = exp(-abs(x))
        return x >= 0 ? 1 / (1 + e) : e / (1 + e)
    }

    /// log σ(x) = min(x,0) − log1p(e^{−|x|}).
    @inline(__always)
    static func logSigmoid(_ x: Double) -> Double {
        min(x, 0) - log1p(exp(-abs(x)))
    }

    /// softplus(x) = max(x,0) + log1p(e^{−|x|}).
    @inline(__always)
    static func softplus(_ x: Double) -> Double {
        max(x, 0) + log1p(exp(-abs(x)))
    }

    /// E1(z) = expm1(z)/z with E1(0) = 1; +∞ once e^z overflows.
    @inline(__always)
    static func expm1OverX(_ z: Double) -> Double {
        if abs(z) < 1e-5 { return 1 + z * (0.5 + z / 6) }
        if z > 700 { return .infinity }
        return expm1(z) / z
    }

    /// Γ(−1, v) = ∫_v^∞ e^{−w}/w² dw = e^{−v}/v − E₁(v) for v > 0 (+∞ at v = 0).
    ///
    /// v ≤ 1: the power series of E₁; v > 1: e^{−v}(1/v − e^{v}E₁(v)) with e^{v}E₁(v) from the
    /// continued fraction (modified Lentz), as in Numerical Recipes' `expint`.
    static func upperGammaMinusOne(_ v: Double) -> Double {
        if v.isNaN { return v }
        if v <= 0 { return .infinity }
        if v <= 1 {
            let eulerGamma = 0.57721566490153286061
            var sum = 0.0
            var term = 1.0
            for k in 1...60 {
                term *= -v / Double(k)
                let add = term / Double(k)
                sum += add
                if abs(add) < 1e-17 * abs(sum) { break }
            }
            let e1 = -eulerGamma - log(v) - sum
            return exp(-v) / v - e1
        }
        if v > 745 { return 0 }
        // e^{v}E₁(v) = 1/(v + 1 − 1/(v + 3 − 4/(v + 5 − …))).
        let tiny = 1e-300
        var b = v + 1
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        for i in 1...200 {
            let an = -Double(i * i)
            b += 2
            d = 1 / (an * d + b)
            c = b + an / c
            let del = c * d
            h *= del
            if abs(del - 1) < 1e-16 { break }
        }
        return exp(-v) * (1 / v - h)
    }

    /// The float32 input as Double with ±inf saturated to ±FLT_MAX (NaN stays NaN), so every
    /// formula sees a finite argument and overflows honestly to ±inf in Double (docs/ACTIVATIONS.md §4.4).
    @inline(__always)
    static func saturated(_ x: Float) -> Double {
        let m = Double(Float.greatestFiniteMagnitude)
        let d = Double(x)
        return d > m ? m : (d < -m ? -m : d)
    }

    /// 8-point Gauss–Legendre nodes and weights on [−1, 1] (positive half).
    static let gaussNodes: [Double] = [
        0.18343464249564980494, 0.52553240991632898582, 0.79666647741362673959, 0.96028985649753623168,
    ]
    static let gaussWeights: [Double] = [
        0.36268378337836198297, 0.31370664587788728734, 0.22238103445337447054, 0.10122853629037625915,
    ]

    /// ∫_a^{a+length} e^{ℓ(t) − ref} dt by 8-point Gauss–Legendre on `panels` equal panels
    /// (`length` is passed separately so a tiny interval keeps its full precision).
    static func integrateExp(
        from a: Double, length: Double, panels: Int, reference ref: Double, _ ell: (Double) -> Double
    ) -> Double {
        let width = length / Double(panels)
        var sum = 0.0
        for p in 0..<panels {
            let mid = a + (Double(p) + 0.5) * width
            let half = 0.5 * width
            var part = 0.0
            for k in 0..<4 {
                let d = half * gaussNodes[k]
                part += gaussWeights[k] * (exp(ell(mid - d) - ref) + exp(ell(mid + d) - ref))
            }
            sum += part * half
        }
        return sum
    }
}
