/// The standard activations of docs/ACTIVATIONS.md §5 with PyTorch's conventions (kinks, defaults).
extension ClosedFormActivations {
    static let relu = ActivationDescriptor(
        name: "relu",
        description: "Rectified linear unit. Derivative at the kink: f'(0) = 0 (PyTorch).",
        formula: "f(x) = max(0, x); f'(x) = 1 if x > 0 else 0",
        references: [pytorch("ReLU"), pytorchKernels],
        makeKernel: { _ in ReLUKernel() })

    static let leakyReLU = ActivationDescriptor(
        name: "leaky_relu",
        description: "Leaky ReLU with a fixed negative slope. f'(0) = negative_slope (PyTorch).",
        formula: "f(x) = x if x > 0 else s·x; f'(x) = 1 if x > 0 else s; ∂f/∂s = x if x ≤ 0 else 0",
        parameters: [
            ParameterSpec(
                name: "negative_slope", defaultValue: .number(0.01),
                description: "slope s for x ≤ 0 (any finite number)")
        ],
        references: [pytorch("LeakyReLU"), pytorchKernels],
        validate: float32Parameters,
        makeKernel: { r in PiecewiseLinearKernel(slope: r.number("negative_slope"), parameter: "negative_slope") })

    static let prelu = ActivationDescriptor(
        name: "prelu",
        description: "Parametric ReLU with one learnable slope (PyTorch num_parameters = 1, init 0.25). f'(0) = weight.",
        formula: "f(x) = x if x > 0 else w·x; f'(x) = 1 if x > 0 else w; ∂f/∂w = x if x ≤ 0 else 0",
        parameters: [
            ParameterSpec(
                name: "weight", defaultValue: .number(0.25), trainable: true,
                description: "slope w for x ≤ 0 (any finite number)")
        ],
        references: [
            Reference(
                title: "He et al., Delving Deep into Rectifiers (PReLU)", url: "https://arxiv.org/abs/1502.01852"),
            pytorch("PReLU"), pytorchKernels,
        ],
        validate: float32Parameters,
        makeKernel: { r in PiecewiseLinearKernel(slope: r.number("weight"), parameter: "weight") })

    static let elu = ActivationDescriptor(
        name: "elu",
        description: "Exponential linear unit. f'(0) = alpha (PyTorch takes the x ≤ 0 branch at 0).",
        formula: "f(x) = x if x > 0 else α(eˣ − 1); f'(x) = 1 if x > 0 else α·eˣ; ∂f/∂α = eˣ − 1 if x ≤ 0 else 0",
        parameters: [
            ParameterSpec(name: "alpha", defaultValue: .number(1), description: "saturation value −α for x → −∞ (any finite number)")
        ],
        references: [
            Reference(
                title: "Clevert, Unterthiner, Hochreiter, Fast and Accurate Deep Network Learning by Exponential Linear Units (ELUs)",
                url: "https://arxiv.org/abs/1511.07289"),
            pytorch("ELU"), pytorchKernels,
        ],
        validate: float32Parameters,
        makeKernel: { r in ELUKernel(alpha: r.number("alpha"), scale: 1, hasAlphaGradient: true) })

    /// SELU constants (PyTorch aten/src/ATen/native/Activation.cpp).
    static let seluAlpha = 1.6732632423543772848170429916717
    static let seluScale = 1.0507009873554804934193349852946

    static let selu = ActivationDescriptor(
        name: "selu",
        description: "Scaled ELU with the fixed self-normalising constants α = 1.6732632423543772, λ = 1.0507009873554805. f'(0) = λα.",
        formula: "f(x) = λx if x > 0 else λα(eˣ − 1); f'(x) = λ if x > 0 else λα·eˣ",
        references: [
            Reference(
                title: "Klambauer, Unterthiner, Mayr, Hochreiter, Self-Normalizing Neural Networks",
                url: "https://arxiv.org/abs/1706.02515"),
            pytorch("SELU"), pytorchKernels,
        ],
        makeKernel: { _ in ELUKernel(alpha: seluAlpha, scale: seluScale, hasAlphaGradient: false) })

    static let celu = ActivationDescriptor(
        name: "celu",
        description: "Continuously differentiable ELU. f'(0) = 1 (PyTorch: ELU with input scale 1/α).",
        formula: "f(x) = x if x > 0 else α(e^{x/α} − 1); f'(x) = 1 if x > 0 else e^{x/α}; ∂f/∂α = (e^{x/α} − 1) − (x/α)·e^{x/α} if x ≤ 0 else 0",
        parameters: [
            ParameterSpec(
                name: "alpha", defaultValue: .number(1), minimum: 0, exclusiveMinimum: true,
                description: "scale α > 0 (the input is divided by α)")
        ],
        references: [
            Reference(title: "Barron, Continuously Differentiable Exponential Linear Units", url: "https://arxiv.org/abs/1704.07483"),
            pytorch("CELU"), pytorchKernels,
        ],
        validate: float32Parameters,
        makeKernel: { r in CELUKernel(alpha: r.number("alpha")) })

    static let softplus = ActivationDescriptor(
        name: "softplus",
        description: "Softplus with PyTorch's threshold 20: where βx > 20 the result is x (derivative 1, ∂f/∂β = 0); elsewhere log1p(e^{βx})/β evaluated in the stable form max(βx,0) + log1p(e^{−|βx|}).",
        formula: "f(x) = (1/β)·ln(1 + e^{βx}) (x if βx > 20); f'(x) = σ(βx); ∂f/∂β = (βx·σ(βx) − ln(1 + e^{βx}))/β²",
        parameters: [
            ParameterSpec(
                name: "beta", defaultValue: .number(1), minimum: 0, exclusiveMinimum: true,
                description: "sharpness β > 0")
        ],
        references: [pytorch("Softplus"), pytorchKernels],
        validate: float32Parameters,
        makeKernel: { r in SoftplusKernel(beta: r.number("beta")) })

    static let silu = ActivationDescriptor(
        name: "silu", aliases: ["swish"],
        description: "Sigmoid-weighted linear unit; with a (trainable) β it is Swish. β = 1 is PyTorch's SiLU; β = 0 gives x/2.",
        formula: "f(x) = x·σ(βx); f'(x) = σ(βx) + βx·σ(βx)σ(−βx); ∂f/∂β = x²·σ(βx)σ(−βx)",
        parameters: [
            ParameterSpec(
                name: "beta", defaultValue: .number(1), minimum: 0, trainable: true,
                description: "gate sharpness β ≥ 0")
        ],
        references: [
            Reference(
                title: "Elfwing, Uchibe, Doya, Sigmoid-Weighted Linear Units for Neural Network Function Approximation in Reinforcement Learning",
                url: "https://arxiv.org/abs/1702.03118"),
            Reference(title: "Ramachandran, Zoph, Le, Searching for Activation Functions (Swish)", url: "https://arxiv.org/abs/1710.05941"),
            pytorch("SiLU"), pytorchKernels,
        ],
        validate: float32Parameters,
        makeKernel: { r in SiLUKernel(beta: r.number("beta")) })

    static let mish = ActivationDescriptor(
        name: "mish",
        description: "Mish: x·tanh(softplus(x)), evaluated through the rational form in n = eˣ (x > 20 gives x).",
        formula: "f(x) = x·tanh(ln(1 + eˣ)); f'(x) = tanh(sp(x)) + x·σ(x)·sech²(sp(x))",
        references: [
            Reference(title: "Misra, Mish: A Self Regularized Non-Monotonic Activation Function", url: "https://arxiv.org/abs/1908.08681"),
            pytorch("Mish"), pytorchKernels,
        ],
        makeKernel: { _ in MishKernel() })

    static let sigmoid = ActivationDescriptor(
        name: "sigmoid",
        description: "Logistic sigmoid, two-branch stable form; the derivative is σ(x)σ(−x) (full relative accuracy in the tails).",
        formula: "f(x) = 1/(1 + e^{−x}); f'(x) = σ(x)·σ(−x)",
        references: [pytorch("Sigmoid")],
        makeKernel: { _ in SigmoidKernel() })

    static let tanh = ActivationDescriptor(
        name: "tanh",
        description: "Hyperbolic tangent; the derivative is 4σ(2x)σ(−2x) = 1 − tanh²x.",
        formula: "f(x) = tanh x; f'(x) = 1 − tanh² x",
        references: [pytorch("Tanh")],
        makeKernel: { _ in TanhKernel() })

    static let hardsigmoid = ActivationDescriptor(
        name: "hardsigmoid",
        description: "Piecewise-linear sigmoid ReLU6(x + 3)/6 (PyTorch). f'(±3) = 0.",
        formula: "f(x) = min(max(x + 3, 0), 6)/6; f'(x) = 1/6 on (−3, 3), 0 elsewhere",
        references: [pytorch("Hardsigmoid"), pytorchKernels],
        makeKernel: { _ in HardsigmoidKernel() })

    static let hardswish = ActivationDescriptor(
        name: "hardswish",
        description: "Hard swish x·ReLU6(x + 3)/6 (MobileNetV3). PyTorch's backward uses the closed interval: f'(−3) = −0.5, f'(3) = 1.5.",
        formula: "f(x) = x·min(max(x + 3, 0), 6)/6; f'(x) = 0 (x < −3), x/3 + 1/2 (−3 ≤ x ≤ 3), 1 (x > 3)",
        references: [
            Reference(title: "Howard et al., Searching for MobileNetV3", url: "https://arxiv.org/abs/1905.02244"),
            pytorch("Hardswish"), pytorchKernels,
        ],
        makeKernel: { _ in HardswishKernel() })

    static let softsign = ActivationDescriptor(
        name: "softsign",
        description: "Softsign x/(1 + |x|); ±inf give ±1.",
        formula: "f(x) = x/(1 + |x|); f'(x) = 1/(1 + |x|)²",
        references: [pytorch("Softsign")],
        makeKernel: { _ in SoftsignKernel() })
}

// MARK: - Kernels

/// ReLU: f'(0) = 0.
struct ReLUKernel: ActivationKernel {
    func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        mapElements(x, y) { x in x <= 0 ? 0 : x }
    }

    func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        mapElements(x, dydx) { x in FloatMath.propagateNaN(x, x > 0 ? 1 : 0) }
    }
}

/// Leaky ReLU and PReLU: x for x > 0, s·x otherwise; f'(0) = s; ∂f/∂s = x·[x ≤ 0].
struct PiecewiseLinearKernel: ActivationKernel {
    let slope: Float
    let parameter: String
    /// f(−∞): s·(−∞), or 0 when s = 0 (avoids 0·inf).
    let negativeLimit: Float

    init(slope: Double, parameter: String) {
        self.slope = Float(slope)
        self.parameter = parameter
        self.negativeLimit = slope == 0 ? 0 : (slope > 0 ? -.infinity : .infinity)
    }

    var parameterGradientShapes: [ParameterGradientShape] { [.init(name: parameter, width: 1)] }

    func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        let s = slope, neg = negativeLimit
        mapElements(x, y) { x in FloatMath.limits(x, x > 0 ? x : s * x, negative: neg, positive: .infinity) }
    }

    func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        let s = slope
        mapElements(x, dydx) { x in FloatMath.propagateNaN(x, x > 0 ? 1 : s) }
    }

    func parameterDerivatives(_ x: UnsafeBufferPointer<Float>, into outputs: [UnsafeMutableBufferPointer<Float>]) {
        mapParameter1(x, outputs) { x in x > 0 ? 0 : x }
    }
}

/// ELU (scale 1, α-gradient) and SELU (scale λ, fixed α): f'(0) = scale·α.
struct ELUKernel: ActivationKernel {
    let scale: Float
    let scaledAlpha: Float
    let hasAlphaGradient: Bool

    init(alpha: Double, scale: Double, hasAlphaGradient: Bool) {
        self.scale = Float(scale)
        self.scaledAlpha = Float(alpha * scale)
        self.hasAlphaGradient = hasAlphaGradient
    }

    var parameterGradientShapes: [ParameterGradientShape] {
        hasAlphaGradient ? [.init(name: "alpha", width: 1)] : []
    }

    func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        let l = scale, la = scaledAlpha
        mapElements(x, y) { x in x > 0 ? l * x : la * FloatMath.expm1(x) }
    }

    func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        let l = scale, la = scaledAlpha
        mapElements(x, dydx) { x in x > 0 ? l : la * FloatMath.exp(x) }
    }

    func parameterDerivatives(_ x: UnsafeBufferPointer<Float>, into outputs: [UnsafeMutableBufferPointer<Float>]) {
        guard hasAlphaGradient else { return }
        mapParameter1(x, outputs) { x in x > 0 ? 0 : FloatMath.expm1(x) }
    }
}

/// CELU: α·expm1(x/α) for x ≤ 0; f'(0) = 1.
struct CELUKernel: ActivationKernel {
    let alpha: Float

    init(alpha: Double) { self.alpha = Float(alpha) }

    var parameterGradientShapes: [ParameterGradientShape] { [.init(name: "alpha", width: 1)] }

    func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        let a = alpha
        mapElements(x, y) { x in x > 0 ? x : a * FloatMath.expm1(x / a) }
    }

    func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        let a = alpha
        mapElements(x, dydx) { x in x > 0 ? 1 : FloatMath.exp(x / a) }
    }

    /// ∂f/∂α = expm1(u) − u·eᵘ = −u²·E2(u), u = x/α ≤ 0 (series for |u| < 0.5, where the
    /// direct form cancels).
    func parameterDerivatives(_ x: UnsafeBufferPointer<Float>, into outputs: [UnsafeMutableBufferPointer<Float>]) {
        let a = alpha
        mapParameter1(x, outputs) { x in
            let u = FloatMath.clamp(x / a, -200, 0)
            let e2 = 0.5 + u * (0.333_333_34 + u * (0.125 + u * (0.033_333_33 + u * (6.944_444_4e-3
                + u * (1.190_476_2e-3 + u * (1.736_111_1e-4 + u * (2.204_585_5e-5 + u * 2.480_158_7e-6)))))))
            let small = -(u * u) * e2
            let big = FloatMath.expm1(u) - u * FloatMath.exp(u)
            return x > 0 ? 0 : (abs(u) < 0.5 ? small : big)
        }
    }
}

/// Softplus with PyTorch's threshold: βx > 20 → x.
struct SoftplusKernel: ActivationKernel {
    let beta: Float
    static let threshold: Float = 20

    init(beta: Double) { self.beta = Float(beta) }

    var parameterGradientShapes: [ParameterGradientShape] { [.init(name: "beta", width: 1)] }

    func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        let b = beta, thr = Self.threshold
        mapElements(x, y) { x in
            let t = b * x
            return t > thr ? x : FloatMath.softplus(t) / b
        }
    }

    func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        let b = beta, thr = Self.threshold
        mapElements(x, dydx) { x in
            let t = b * x
            return t > thr ? 1 : FloatMath.sigmoidPair(t).0
        }
    }

    /// ∂f/∂β = (tσ(t) − sp(t))/β² = −(|t|σ(−|t|) + log1p(e^{−|t|}))/β², t = βx (no cancellation).
    func parameterDerivatives(_ x: UnsafeBufferPointer<Float>, into outputs: [UnsafeMutableBufferPointer<Float>]) {
        let b = beta, thr = Self.threshold
        mapParameter1(x, outputs) { x in
            let t = b * x
            let a = FloatMath.clamp(abs(t), 0, 200)
            let e = FloatMath.exp(-a)
            let h = -(a * (e / (1 + e)) + FloatMath.log1pUnit(e))
            return t > thr ? 0 : h / b / b
        }
    }
}

/// SiLU / Swish: x·σ(βx), β ≥ 0.
struct SiLUKernel: ActivationKernel {
    let beta: Float
    let negativeLimit: Float
    let betaGradientLimit: Float

    init(beta: Double) {
        self.beta = Float(beta)
        negativeLimit = beta > 0 ? -0.0 : -.infinity
        betaGradientLimit = beta > 0 ? 0 : .infinity
    }

    var parameterGradientShapes: [ParameterGradientShape] { [.init(name: "beta", width: 1)] }

    func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        let b = beta
        guard b > 0 else { return mapElements(x, y) { x in 0.5 * x } }  // β = 0: x·σ(0)
        mapElements(x, y) { x in
            // −inf meets e^{−βx} = inf: −FLT_MAX/inf gives the limit −0 without a select per
            // limit (+inf: e^{−βx} = 0, +inf/1 = +inf; NaN stays NaN).
            FloatMath.timesSigmoid(x < -.greatestFiniteMagnitude ? -.greatestFiniteMagnitude : x, b * x)
        }
    }

    func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        let b = beta
        mapElements(x, dydx) { x in
            let t = FloatMath.clamp(b * x, -200, 200)
            let (s, sm) = FloatMath.sigmoidPair(t)
            return s + t * (s * sm)
        }
    }

    func parameterDerivatives(_ x: UnsafeBufferPointer<Float>, into outputs: [UnsafeMutableBufferPointer<Float>]) {
        let b = beta, lim = betaGradientLimit
        mapParameter1(x, outputs) { x in
            let (s, sm) = FloatMath.sigmoidPair(FloatMath.clamp(b * x, -200, 200))
            return FloatMath.limits(x, x * (x * (s * sm)), negative: lim, positive: lim)
        }
    }
}

/// Mish via n = eˣ: tanh(sp(x)) = N/D with N = n(n + 2), D = N + 2, and σ(x)·sech²(sp(x)) =
/// 4n(n + 1)/D², so f' = n·((n + 2)·D + 4x(n + 1))/D² (one division; x > 20 gives x and 1).
struct MishKernel: ActivationKernel {
    func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        mapElements(x, y) { x in
            let xm = FloatMath.clamp(x, -200, 20)
            let n = FloatMath.exp(xm)
            let nn = n * (n + 2)
            return x > 20 ? x : xm * (nn / (nn + 2))
        }
    }

    func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        mapElements(x, dydx) { x in
            let xm = FloatMath.clamp(x, -200, 20)
            let n = FloatMath.exp(xm)
            let np2 = n + 2
            let d = n * np2 + 2
            let d1 = n * (np2 * d + 4 * xm * (n + 1)) / (d * d)
            return x > 20 ? 1 : d1
        }
    }
}

struct SigmoidKernel: ActivationKernel {
    func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        mapElements(x, y) { x in FloatMath.sigmoidPair(x).0 }
    }

    func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        mapElements(x, dydx) { x in
            let (s, sm) = FloatMath.sigmoidPair(x)
            return s * sm
        }
    }
}

/// tanh via expm1 (full relative accuracy near 0); derivative 4e/(1 + e)², e = e^{−2|x|}.
struct TanhKernel: ActivationKernel {
    func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        mapElements(x, y) { x in
            let em = FloatMath.expm1(-2 * abs(x))
            return Float(signOf: x, magnitudeOf: -em / (em + 2))
        }
    }

    func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        mapElements(x, dydx) { x in
            let e = FloatMath.exp(-2 * abs(x))
            let d = 1 / (1 + e)
            return 4 * e * d * d
        }
    }
}

/// ReLU6(x + 3)/6; f'(±3) = 0.
struct HardsigmoidKernel: ActivationKernel {
    func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        mapElements(x, y) { x in x <= -3 ? 0 : (x >= 3 ? 1 : (x + 3) / 6) }
    }

    func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        mapElements(x, dydx) { x in FloatMath.propagateNaN(x, (x > -3 && x < 3) ? 1.0 / 6.0 : 0) }
    }
}

/// x·ReLU6(x + 3)/6; PyTorch kinks f'(−3) = −0.5, f'(3) = 1.5.
struct HardswishKernel: ActivationKernel {
    func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        mapElements(x, y) { x in x <= -3 ? 0 : (x >= 3 ? x : x * (x + 3) / 6) }
    }

    func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        mapElements(x, dydx) { x in
            FloatMath.propagateNaN(x, x < -3 ? 0 : (x <= 3 ? x / 3 + 0.5 : 1))
        }
    }
}

/// x/(1 + |x|); the input is saturated to ±FLT_MAX so ±inf give ±1 and f' → 0.
struct SoftsignKernel: ActivationKernel {
    func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        mapElements(x, y) { x in
            let xc = FloatMath.finite(x)
            return xc / (1 + abs(xc))
        }
    }

    func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        mapElements(x, dydx) { x in
            let d = 1 + abs(FloatMath.finite(x))
            return 1 / (d * d)
        }
    }
}
