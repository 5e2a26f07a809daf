import Foundation

/// Sqish, the square-root form (docs/ACTIVATIONS.md §3 Decisions item 4; definitions and stable form in §8 Sqish).
extension ClosedFormActivations {
    static let sqish = ActivationDescriptor(
        name: "sqish",
        description: "Sqish, a smooth non-monotonic Leaky-ReLU: αx + (1−α)x·(1 + β·e^{−2γ(1−α)x})^{−1/2}. The paper's body could not be consulted; this is the square-root form (\"form A\"), the only published implementation that ships derivatives and the reading that fits the name and the non-monotonic shape. Its parameter derivatives are re-derived here (the published ones contain errors). Evaluated in the log domain s = ln β − 2γ(1−α)x.",
        formula: "f = αx + z·g(z), z = (1−α)x, g = (1 + βe^{−2γz})^{−1/2}; f' = α + (1−α)(g + z·g'(z)); ∂f/∂α = x(1 − g − z·g'); ∂f/∂β = −z·e^{−2γz}/(2D^{3/2}); ∂f/∂γ = z²·βe^{−2γz}/D^{3/2}, D = 1 + βe^{−2γz}",
        parameters: [
            ParameterSpec(
                name: "alpha", defaultValue: .number(0.01), minimum: 0, maximum: 1, exclusiveMaximum: true,
                trainable: true, description: "negative-side slope 0 ≤ α < 1 (monotone for α ≥ 0.115 when β = 1)"),
            ParameterSpec(
                name: "beta", defaultValue: .number(1), minimum: 0, exclusiveMinimum: true, trainable: true,
                description: "gate offset β > 0"),
            ParameterSpec(
                name: "gamma", defaultValue: .number(1), minimum: 0, exclusiveMinimum: true, trainable: true,
                description: "gate sharpness γ > 0"),
        ],
        references: [
            Reference(
                title: "Biswas, Karri, Bağcı, A Non-monotonic Smooth Activation Function", url: "https://arxiv.org/abs/2310.10126"),
            Reference(title: "ar5iv rendering of arXiv 2310.10126", url: "https://ar5iv.labs.arxiv.org/html/2310.10126"),
        ],
        validate: float32Parameters,
        makeKernel: { r in SqishKernel(alpha: r.number("alpha"), beta: r.number("beta"), gamma: r.number("gamma")) })
}

/// Sqish with m = −2γz, s = ln β + m = ln E, D = 1 + E: g = D^{−1/2}, z·g' = γz·E·D^{−3/2},
/// ∂f/∂β = −½z·e^{m}·D^{−3/2}, ∂f/∂γ = z²·E·D^{−3/2}. In float32, m is saturated to ±1e30 so
/// ±inf inputs and overflowing products never meet inf − inf.
struct SqishKernel: ActivationKernel {
    let alpha: Float
    let oneMinusAlpha: Float
    let gamma: Float
    let logBeta: Float
    let negativeLimit: Float
    let alphaD: Double, betaD: Double, gammaD: Double

    init(alpha: Double, beta: Double, gamma: Double) {
        self.alpha = Float(alpha)
        self.oneMinusAlpha = Float(1 - alpha)
        self.gamma = Float(gamma)
        self.logBeta = Float(Foundation.log(beta))
        negativeLimit = alpha > 0 ? -.infinity : -0.0
        (alphaD, betaD, gammaD) = (alpha, beta, gamma)
    }

    var parameterGradientShapes: [ParameterGradientShape] {
        [.init(name: "alpha", width: 1), .init(name: "beta", width: 1), .init(name: "gamma", width: 1)]
    }

    /// The gate g = D^{−1/2} (D = 1 + E, E = eˢ = h², h = e^{s/2} from one singly-scaled
    /// exponential), for the forward pass: E = inf (s > 88.7) gives g = 0, E below 1e−38 gives
    /// g = 1. √ is taken of 1/D, so LLVM sees a non-negative argument and keeps vsqrtps (of
    /// 1/√D it makes a sqrtf call per element, for errno).
    @inline(__always)
    static func forwardGate(_ s: Float) -> Float {
        let h = FloatMath.expAboveSubnormals(0.5 * s)
        return (1 / (1 + h * h)).squareRoot()
    }

    func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        let a = alpha, c = oneMinusAlpha, g = gamma, lb = logBeta, neg = negativeLimit
        mapElements(x, y) { x in
            let z = c * x
            let s = FloatMath.clamp(-g * (z + z), -1e30, 1e30) + lb
            return FloatMath.limits(x, a * x + z * Self.forwardGate(s), negative: neg, positive: .infinity)
        }
    }

    /// f' = α + (1 − α)(g + γz·E·D^{−3/2}) cancels near its zeros (Sqish is non-monotonic for
    /// small α), where the float32 rounding of s would be amplified: computed in float64 with
    /// `doubleGate`.
    func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        let a = alpha, aD = alphaD, c = 1 - alphaD, g = gammaD, lb = Foundation.log(betaD)
        mapElements(x, dydx) { xf in
            let z = c * Double(xf)
            let (gate, _, e3) = Self.doubleGate(lb - 2 * g * z)
            return FloatMath.limits(xf, Float(aD + c * (gate + g * (z * e3))), negative: a, positive: 1)
        }
    }

    /// The gate in float64 from one exponential h = e^{−|s|/2} (e = h², w = 1/(1 + e)):
    /// (g, 1 − g, E·D^{−3/2}), with 1 − g = e·w/(1 + √w) for s ≤ 0 (no cancellation in 1 − g).
    @inline(__always)
    static func doubleGate(_ s: Double) -> (gate: Double, oneMinusGate: Double, e3: Double) {
        let h = DoubleMath.exp(-0.5 * abs(s))
        let e = h * h
        let w = 1 / (1 + e)
        let sw = w.squareRoot()
        let gate = s <= 0 ? sw : h * sw
        return (gate, s <= 0 ? e * w / (1 + sw) : 1 - gate, (s <= 0 ? e * gate : gate) * w)
    }

    /// ∂f/∂α = x(1 − g − z·g') cancels near its zeros, with the error multiplied by x, so the
    /// parameter derivatives are computed in float64 (`doubleGate`).
    func parameterDerivatives(_ x: UnsafeBufferPointer<Float>, into outputs: [UnsafeMutableBufferPointer<Float>]) {
        let c = 1 - alphaD, g = gammaD, lb = Foundation.log(betaD), invBeta = 1 / betaD
        mapParameter3(x, outputs) { xf in
            let x = Double(xf)
            let z = c * x
            let (_, oneMinusGate, e3) = Self.doubleGate(lb - 2 * g * z)
            let ze3 = z * e3  // z·E·D^{−3/2}
            return (
                FloatMath.limits(xf, Float(x * (oneMinusGate - g * ze3)), negative: -.infinity, positive: 0),
                FloatMath.limits(xf, Float(-0.5 * ze3 * invBeta), negative: 0, positive: -0.0),
                FloatMath.limits(xf, Float(z * ze3), negative: 0, positive: 0)
            )
        }
    }
}
