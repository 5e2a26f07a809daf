import Foundation

/// GoLU, the Gompertz linear unit (docs/ACTIVATIONS.md §7 GoLU).
extension ClosedFormActivations {
    static let golu = ActivationDescriptor(
        name: "golu",
        description: "Gompertz linear unit x·α·exp(−β·e^{−γx}) with the official code's generalised gate (α scale, β displacement, γ growth). The official module does not train α, β, γ; this service lets training jobs learn them. Evaluated in the log domain (β·e^{−γx} = e^{ln β − γx}), so no inf·0 arises; negative parameters are rejected as the official docstring advises.",
        formula: "f = αx·G, G = exp(−βu), u = e^{−γx}; f' = αG(1 + βγxu); ∂f/∂α = xG; ∂f/∂β = −αxuG; ∂f/∂γ = αβx²uG",
        parameters: [
            ParameterSpec(
                name: "alpha", defaultValue: .number(1), minimum: 0, exclusiveMinimum: true, trainable: true,
                description: "gate scale / upper asymptote α > 0"),
            ParameterSpec(
                name: "beta", defaultValue: .number(1), minimum: 0, trainable: true,
                description: "displacement β ≥ 0 (β = 0: f = αx)"),
            ParameterSpec(
                name: "gamma", defaultValue: .number(1), minimum: 0, trainable: true,
                description: "growth rate γ ≥ 0 (γ = 0: constant gate e^{−β})"),
        ],
        references: [
            Reference(title: "Das, Safari, Adriaensen, Hutter, Gompertz Linear Units", url: "https://arxiv.org/abs/2502.03654"),
            Reference(title: "automl/GoLU (official implementation)", url: "https://github.com/automl/GoLU"),
        ],
        validate: float32Parameters,
        makeKernel: { r in GoLUKernel(alpha: r.number("alpha"), beta: r.number("beta"), gamma: r.number("gamma")) })
}

/// GoLU in the log domain: v = min(ln β − γx, 88), E = eᵛ (= βu), G = e^{−E}, q = E·G (= βuG).
/// G is ill-conditioned in E (relative error E·δE, with E up to ~100 where G still matters) and
/// f' = αG·(1 + γx·E) cancels near its zero: outside the float32 fast path, v and E are formed in
/// float64 (`DoubleMath.exp`, vectorisable) and G = e^{−E} takes E as a two-part float32 argument,
/// so the accuracy rule holds for every parameter value (docs/ACTIVATIONS.md, GoLU). The fast
/// path, where v is exact in float32 (β = 1, γ a power of two, e.g. the defaults), stays float32.
/// Limits at ±inf are precomputed from the parameters (the function is linear when β or γ is 0).
/// Gate values below 2.6e−38 are flushed to 0 (no subnormal arithmetic, which halves the speed
/// on typical inputs); that can matter only when α·|x| (α·x² for ∂f/∂γ) exceeds 4e30.
struct GoLUKernel: ActivationKernel {
    let alpha: Float
    let gamma: Float
    let logBeta: Float
    let logBetaD: Double, gammaD: Double
    /// β = 1 and γ a power of two (e.g. the defaults): v = −γx is exact in float32, so the
    /// forward pass skips the float64 argument.
    let exactArgument: Bool
    /// `exactArgument` and α ≤ 2: the derivative's float32 form meets the accuracy rule too.
    let floatDerivative: Bool
    /// 1/β (β > 0; +inf for β = 0).
    let inverseBeta: Float
    /// (negative, positive) limits of f, f', ∂α, ∂β, ∂γ.
    let limits: [(Float, Float)]
    /// γ = 0 or β = 0: the gate is the constant c = e^{−β} (1 when β = 0); αc for f and f'.
    let constantSlope: Float?
    /// γ = 0: (c, −αc, αβc) for the parameter derivatives, evaluated in float64.
    let constantGate: (c: Float, minusAC: Float, abc: Float)?

    init(alpha: Double, beta: Double, gamma: Double) {
        self.alpha = Float(alpha)
        self.gamma = Float(gamma)
        self.logBeta = Float(Foundation.log(beta))
        self.inverseBeta = beta > 0 ? Float(1 / beta) : .infinity
        (logBetaD, gammaD) = (Foundation.log(beta), gamma)
        exactArgument = beta == 1 && gamma > 0 && gamma.significand == 1 && Double(Float(gamma)) == gamma
        floatDerivative = exactArgument && alpha <= 2
        let inf = Float.infinity
        let c = Foundation.exp(-beta)
        constantSlope = gamma == 0 || beta == 0 ? Float(alpha * c) : nil
        constantGate = gamma == 0 ? (Float(c), Float(-alpha * c), Float(alpha * beta * c)) : nil
        if gamma == 0 {
            // Constant gate c = e^{−β}: f = αc·x.
            let ac = Float(alpha * c)
            limits = [(-inf, inf), (ac, ac), (-inf, inf), (inf, -inf), beta > 0 ? (inf, inf) : (0, 0)]
        } else if beta == 0 {
            // G = 1: f = αx; ∂f/∂β = −αx·e^{−γx}.
            let a = Float(alpha)
            limits = [(-inf, inf), (a, a), (-inf, inf), (inf, -0.0), (0, 0)]
        } else {
            let a = Float(alpha)
            limits = [(-0.0, inf), (0, a), (-0.0, inf), (0, -0.0), (0, 0)]
        }
    }

    var parameterGradientShapes: [ParameterGradientShape] {
        [.init(name: "alpha", width: 1), .init(name: "beta", width: 1), .init(name: "gamma", width: 1)]
    }

    /// (E, G) for v = ln β − γx given in float64: E = eᵛ in float64 (v clamped to [−200, 88], where
    /// G is 0 and 1 to float32 precision), G = e^{−E} in float32 from the two-part argument
    /// −(E_hi + E_lo), flushed to 0 below 2.6e−38 (E > 86.6).
    @inline(__always)
    static func gate(_ w: Double) -> (e: Double, g: Float) {
        let e = DoubleMath.exp(w > 88 ? 88 : (w < -200 ? -200 : w))
        let eh = Float(e)
        let g = eh > 86.6 ? 0 : FloatMath.exp(-eh, Float(Double(eh) - e))
        return (e, g)
    }

    func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        let a = alpha, g = gamma, lb = logBeta, (n0, p0) = limits[0]
        if let k = constantSlope {
            return mapElements(x, y) { x in FloatMath.limits(x, k * x, negative: n0, positive: p0) }
        }
        if exactArgument {
            return mapElements(x, y) { x in
                let w = lb - g * x
                let v = w > 88 ? 88 : w
                let G = FloatMath.expFlushingSubnormals(-FloatMath.expFlushingSubnormals(v))
                return FloatMath.limits(x, a * (x * G), negative: n0, positive: p0)
            }
        }
        let lbD = logBetaD, gD = gammaD
        mapElements(x, y) { x in
            let (_, G) = Self.gate(lbD - gD * Double(x))
            return FloatMath.limits(x, a * (x * G), negative: n0, positive: p0)
        }
    }

    func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        let a = alpha, (n1, p1) = limits[1]
        if let k = constantSlope {
            return mapElements(x, dydx) { x in FloatMath.propagateNaN(x, k) }
        }
        if floatDerivative {
            // β = 1, γ a power of two: v = −γx is exact in float32, and αG ≈ 0.17α at the zero
            // (measured worst case at α = 2: 0.43 of the accuracy rule).
            let g = gamma
            return mapElements(x, dydx) { x in
                let w = FloatMath.clamp(-g * x, -1e30, 88)  // e^88 is finite; G(88) = 0
                let e = FloatMath.expFlushingSubnormals(w)
                let G = FloatMath.expFlushingSubnormals(-e)
                return FloatMath.limits(x, a * (G - w * (e * G)), negative: n1, positive: p1)
            }
        }
        // f' = αG·(1 + γx·E) cancels near its zero, where the rounding of v = ln β − γx in
        // float32 would be amplified (by α, too): v and 1 + γx·E are formed in float64, and E
        // comes from the two-part argument (v_hi, v_lo).
        let lbD = logBetaD, gD = gammaD
        mapElements(x, dydx) { x in
            let xd = Double(x)
            let (e, G) = Self.gate(lbD - gD * xd)
            let y = 1 + gD * xd * e
            let inner = Float(y < -1e38 ? -1e38 : y)  // where it is that large, G is 0
            return FloatMath.limits(x, a * G * inner, negative: n1, positive: p1)
        }
    }

    func parameterDerivatives(_ x: UnsafeBufferPointer<Float>, into outputs: [UnsafeMutableBufferPointer<Float>]) {
        let a = alpha
        let (na, pa) = limits[2], (nb, pb) = limits[3], (ng, pg) = limits[4]
        if let k = constantGate {
            return mapParameter3(x, outputs) { x in
                (
                    FloatMath.limits(x, k.c * x, negative: na, positive: pa),
                    FloatMath.limits(x, k.minusAC * x, negative: nb, positive: pb),
                    FloatMath.limits(x, k.abc * x * x, negative: ng, positive: pg)
                )
            }
        }
        if inverseBeta == .infinity {
            // β = 0: G = 1, ∂f/∂β = −αx·e^{−γx}, ∂f/∂γ = 0.
            let gD = gammaD
            return mapParameter3(x, outputs) { x in
                // e^{−γx} with the argument in float64 (its rounding is amplified by |γx|).
                let w = -gD * Double(x)
                let vd = w > 100 ? 100 : (w < -200 ? -200 : w)
                let vh = Float(vd)
                let u = FloatMath.exp(vh, Float(vd - Double(vh)))
                return (
                    FloatMath.limits(x, x, negative: na, positive: pa),
                    FloatMath.limits(x, -a * (x * u), negative: nb, positive: pb),
                    FloatMath.propagateNaN(x, 0)
                )
            }
        }
        let ib = inverseBeta, lbD = logBetaD, gD = gammaD
        mapParameter3(x, outputs) { x in
            // x·G and x²·q can be large where G is tiny and ill-conditioned in E.
            let (e, G) = Self.gate(lbD - gD * Double(x))
            let q = Float(e) * G  // β·u·G ≤ 1/e
            return (
                FloatMath.limits(x, x * G, negative: na, positive: pa),
                FloatMath.limits(x, -a * (x * (q * ib)), negative: nb, positive: pb),
                FloatMath.limits(x, a * (x * (x * q)), negative: ng, positive: pg)
            )
        }
    }
}
