import Foundation

/// One gate q of a self-gated activation f(x) = x·q(x) with its counterpart gate
/// q̃(x) = q(0) + ∫₀ˣ dt / q′(t) (docs/ACTIVATIONS.md §10.2), evaluated in Double on non-NaN input.
protocol ScalarGate: Sendable {
    /// q(0).
    var originValue: Double { get }
    /// q(x).
    func gate(_ x: Double) -> Double
    /// q′(x).
    func gateDerivative(_ x: Double) -> Double
    /// (q̃(x), 1/q′(x)).
    func counterpart(_ x: Double) -> (gate: Double, inverseSlope: Double)
}

extension ScalarGate {
    /// The split counterpart g(x) = x·q̃(x) and g′(x) = q̃(x) + x/q′(x); g(0) = 0, g′(0) = q(0).
    @inline(__always)
    func split(_ x: Double) -> (value: Double, slope: Double) {
        if x == 0 { return (x * originValue, originValue) }
        let (qt, w) = counterpart(x)
        // For x ≠ 0, q̃ − q(0) and x/q′ have the same sign, so no ∞ − ∞ can arise.
        return (x * qt, qt + x * w)
    }
}

/// q = σ(βx) (SiLU, GELU-sigmoid with β = 1.702); q̃ = ½ + (2x + 2 sinh(βx)/β)/β, 1/q′ = (2 + 2 cosh βx)/β.
struct LogisticGate: ScalarGate {
    let beta: Double
    var originValue: Double { 0.5 }

    @inline(__always)
    func gate(_ x: Double) -> Double { AdversarialMath.sigmoid(beta * x) }

    @inline(__always)
    func gateDerivative(_ x: Double) -> Double {
        beta * AdversarialMath.sigmoid(beta * x) * AdversarialMath.sigmoid(-beta * x)
    }

    @inline(__always)
    func counterpart(_ x: Double) -> (gate: Double, inverseSlope: Double) {
        let bx = beta * x
        return (0.5 + (2 * x + 2 * sinh(bx) / beta) / beta, (2 + 2 * cosh(bx)) / beta)
    }
}

/// q ≡ value (a degenerate parameter set, e.g. SiLU with β = 0): q′ = 0, so 1/q′ = +∞ and
/// q̃(x) = ±∞ for x ≠ 0, q̃(0) = q(0) — the honest limits.
struct ConstantGate: ScalarGate {
    let value: Double
    var originValue: Double { value }
    func gate(_ x: Double) -> Double { value }
    func gateDerivative(_ x: Double) -> Double { 0 }
    func counterpart(_ x: Double) -> (gate: Double, inverseSlope: Double) {
        (x == 0 ? value : (x > 0 ? .infinity : -.infinity), .infinity)
    }
}

/// The gate of a split-supported catalog entry, chosen once per parameter set.
enum SplitGate: Sendable {
    case logistic(LogisticGate)
    case tabulated(TabulatedGate)
    case constant(ConstantGate)

    typealias M = AdversarialMath

    /// The gate of a split-supported catalog entry, or nil when `name` has none (or for Sqish
    /// with β < 0, where the gate is not real-valued).
    static func make(for name: String, params p: ResolvedParameters) -> SplitGate? {
        switch name {
        case "silu", "swish":
            let beta = p.number("beta")
            return beta == 0 ? .constant(ConstantGate(value: 0.5)) : .logistic(LogisticGate(beta: beta))
        case "gelu":
            switch p.string("approximate") {
            case "tanh": return .tabulated(TabulatedGate(shape: .tanhGELU))
            case "sigmoid": return .logistic(LogisticGate(beta: M.quickGELUScale))
            default: return .tabulated(TabulatedGate(shape: .normal))
            }
        case "mish":
            return .tabulated(TabulatedGate(shape: .mish))
        case "golu":
            // q = α·exp(−β e^{−γx}) = α·G(γx − ln β), G the Gompertz shape (anti-Gompertz for β < 0).
            let alpha = p.number("alpha"), beta = p.number("beta"), gamma = p.number("gamma")
            if alpha == 0 || gamma == 0 || beta == 0 { return .constant(ConstantGate(value: alpha * exp(-beta))) }
            return checked(
                TabulatedGate(
                    shape: beta > 0 ? .gompertz : .antiGompertz, amplitude: alpha, slope: gamma,
                    shift: -log(abs(beta))))
        case "sqish":
            // q = α + (1−α)(1 + β e^{−2γ(1−α)x})^{−1/2} = α + (1−α)·G(2γ(1−α)x − ln β).
            let alpha = p.number("alpha"), beta = p.number("beta"), gamma = p.number("gamma")
            if alpha == 1 || gamma == 0 || beta == 0 {
                return .constant(ConstantGate(value: alpha + (1 - alpha) / (1 + beta).squareRoot()))
            }
            guard beta > 0 else { return nil }
            return checked(
                TabulatedGate(
                    shape: .sqrtSigmoid, offset: alpha, amplitude: 1 - alpha,
                    slope: 2 * gamma * (1 - alpha), shift: -log(beta)))
        default:
            return nil
        }
    }

    /// A tabulated gate, or a constant one when q′(0) underflows even in Double (the gate is then
    /// flat at the origin to machine precision and 1/q′ = +∞ there).
    private static func checked(_ t: TabulatedGate) -> SplitGate {
        t.isFlatAtOrigin ? .constant(ConstantGate(value: t.originValue)) : .tabulated(t)
    }

    var originValue: Double {
        switch self {
        case .logistic(let g): g.originValue
        case .tabulated(let g): g.originValue
        case .constant(let g): g.originValue
        }
    }

    /// What `apply` writes for each element.
    enum Output {
        case gate, gateDerivative, counterpartGate, counterpartGateDerivative, value, slope
    }

    /// out[i] = the requested output at x[i], computed in Double from the saturated input and
    /// rounded to float32; NaN in → NaN out. The gate is dispatched once, outside the loop.
    func apply(_ output: Output, _ x: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>) {
        switch self {
        case .logistic(let g): SplitGate.apply(g, output, x, out)
        case .tabulated(let g): SplitGate.apply(g, output, x, out)
        case .constant(let g): SplitGate.apply(g, output, x, out)
        }
    }

    /// (r, r′) = (q, q′) or (q̃, 1/q′) in one pass; see `GatePair.evaluate`.
    func evaluate(
        _ x: UnsafeBufferPointer<Float>, counterpart: Bool, value: UnsafeMutableBufferPointer<Float>,
        slope: UnsafeMutableBufferPointer<Float>
    ) {
        switch self {
        case .logistic(let g): SplitGate.evaluate(g, counterpart, x, value, slope)
        case .tabulated(let g): SplitGate.evaluate(g, counterpart, x, value, slope)
        case .constant(let g): SplitGate.evaluate(g, counterpart, x, value, slope)
        }
    }

    private static func evaluate<G: ScalarGate>(
        _ g: G, _ counterpart: Bool, _ x: UnsafeBufferPointer<Float>, _ value: UnsafeMutableBufferPointer<Float>,
        _ slope: UnsafeMutableBufferPointer<Float>
    ) {
        for i in x.indices {
            let v = x[i]
            if v.isNaN {
                value[i] = v
                slope[i] = v
                continue
            }
            let d = M.saturated(v)
            if counterpart {
                let (qt, w) = g.counterpart(d)
                value[i] = Float(qt)
                slope[i] = Float(w)
            } else {
                value[i] = Float(g.gate(d))
                slope[i] = Float(g.gateDerivative(d))
            }
        }
    }

    @inline(__always)
    private static func apply<G: ScalarGate>(
        _ g: G, _ output: Output, _ x: UnsafeBufferPointer<Float>, _ out: UnsafeMutableBufferPointer<Float>
    ) {
        @inline(__always)
        func loop(_ f: (Double) -> Double) {
            for i in x.indices {
                let v = x[i]
                out[i] = v.isNaN ? v : Float(f(M.saturated(v)))
            }
        }
        switch output {
        case .gate: loop { g.gate($0) }
        case .gateDerivative: loop { g.gateDerivative($0) }
        case .counterpartGate: loop { g.counterpart($0).gate }
        case .counterpartGateDerivative: loop { g.counterpart($0).inverseSlope }
        case .value: loop { g.split($0).value }
        case .slope: loop { g.split($0).slope }
        }
    }
}

/// q(x) = offset + amplitude·G(slope·x + shift) with G a `GateShape` (tabulated or closed-form J).
///
/// With s = slope·x + shift and s₀ = shift: q′ = amplitude·slope·G′(s) and
/// q̃(x) = q(0) + (J(s) − J(s₀)) / (amplitude·slope²), J(s) = ∫₀ˢ dt/G′(t) (= e^{ℓ(s)}R(s) for
/// a tabulated shape).
/// Near the origin (|s − s₀| < δ) the difference is integrated directly by Gauss–Legendre
/// instead of being taken between two table values, so it never cancels.
struct TabulatedGate: ScalarGate {
    let shape: GateShape
    let table: GateTable?
    let offset: Double
    let amplitude: Double
    let slope: Double
    let shift: Double
    let originValue: Double
    /// 1/(amplitude·slope²) and 1/(amplitude·slope).
    private let integralScale: Double
    private let inverseSlopeScale: Double
    /// J(s₀), and the width δ (in s) of the directly integrated neighbourhood of s₀.
    private let originIntegral: Double
    private let nearOrigin: Double
    private let originEll: Double
    /// Sign of G′, and of 1/q′ (= sign of amplitude·slope·G′).
    private let shapeSign: Double
    private let orientation: Double

    init(shape: GateShape, offset: Double = 0, amplitude: Double = 1, slope: Double = 1, shift: Double = 0) {
        self.shape = shape
        self.table = shape.table
        self.offset = offset
        self.amplitude = amplitude
        self.slope = slope
        self.shift = shift
        originValue = offset + amplitude * shape.value(shift)
        integralScale = 1 / (amplitude * slope * slope)
        inverseSlopeScale = 1 / (amplitude * slope)
        originEll = shape.ell(shift)
        if let closed = shape.closedIntegral(shift) {
            originIntegral = closed
        } else if let table, table.contains(shift) {
            originIntegral = exp(originEll) * table.ratio(shift)
        } else {
            originIntegral = 0
        }
        nearOrigin = 0.25 / max(1, abs(shape.ellSlope(shift)))
        shapeSign = shape.derivativeSign
        orientation = (amplitude * slope > 0 ? 1 : -1) * shapeSign
    }

    var isFlatAtOrigin: Bool { !originEll.isFinite }

    @inline(__always)
    func gate(_ x: Double) -> Double { offset + amplitude * shape.value(slope * x + shift) }

    @inline(__always)
    func gateDerivative(_ x: Double) -> Double {
        shapeSign * amplitude * slope * exp(-shape.ell(slope * x + shift))
    }

    /// (q̃(x), 1/q′(x)) for a non-NaN x.
    @inline(__always)
    func counterpart(_ x: Double) -> (gate: Double, inverseSlope: Double) {
        let ds = slope * x
        let s = ds + shift
        let ell = shape.ell(s)
        let inverseSlope = shapeSign * exp(ell) * inverseSlopeScale
        if abs(ds) < nearOrigin {
            // ∫_{s₀}^{s} e^{ℓ} = e^{ℓ(s₀)} ∫ e^{ℓ(t) − ℓ(s₀)} dt; combine in the log domain.
            let part = AdversarialMath.integrateExp(
                from: shift, length: ds, panels: 1, reference: originEll, shape.ell)
            let scaled = shapeSign * part * integralScale
            let magnitude = exp(originEll + log(abs(scaled)))
            return (originValue + (scaled < 0 ? -magnitude : magnitude), inverseSlope)
        }
        if let closed = shape.closedIntegral(s) {
            return (originValue + (closed - originIntegral) * integralScale, inverseSlope)
        }
        guard let table, table.contains(s), table.contains(shift) else {
            // Beyond the grid |J| > e^{200}/ℓ′: outside float32 range.
            let sign = (x > 0 ? 1.0 : -1.0) * orientation
            return (sign * .infinity, orientation * .infinity)
        }
        let j = exp(ell) * table.ratio(s)
        return (originValue + (j - originIntegral) * integralScale, inverseSlope)
    }
}

/// The gate pair of a self-gated activation f(x) = x·q(x), for the HD-FGD layer of
/// docs/ACTIVATIONS.md §10.2: y = (W₁h + c₁) ⊙ q(W₂h + c₂), and its split-adversarial counterpart
/// y = (W₁h + c₁) ⊙ q̃(W₂h + c₂) with q̃(x) = q(0) + ∫₀ˣ dt/q′(t), so q̃′ = 1/q′.
///
/// Gates: silu/swish σ(βx); gelu Φ(x) (`none`), σ(2k(x + cx³)) (`tanh`), σ(1.702x) (`sigmoid`);
/// golu α·exp(−β e^{−γx}); mish tanh(softplus x); sqish α + (1−α)(1 + β e^{−2γ(1−α)x})^{−1/2}.
/// Every output is computed in Double and rounded to float32: the counterpart gate and its
/// derivative grow exponentially and are ±inf (never NaN) beyond float32 range; NaN in → NaN out.
/// Outputs may alias the input.
///
/// Layer use, with a = W₁h + c₁ and z = W₂h + c₂ (element-wise, same shape):
/// forward y = a ⊙ r(z); backward ∂L/∂a = g ⊙ r(z), ∂L/∂z = g ⊙ a ⊙ r′(z), where (r, r′) is
/// (q, q′) for an HD-FGD layer and (q̃, 1/q′) for its counterpart — `evaluate(_:counterpart:…)`
/// gives both in one pass.
public struct GatePair: Sendable {
    let gate: SplitGate

    /// The canonical catalog name this pair was made for.
    public let name: String

    /// The gate pair of `name` (canonical name or `swish`) with its resolved parameters, or nil
    /// for activations that are not self-gated (see `AdversarialCounterparts.table`, kind `.split`)
    /// and for Sqish with β < 0 (its gate takes the square root of a negative number there).
    public static func make(for name: String, params: ResolvedParameters) -> GatePair? {
        guard let gate = SplitGate.make(for: name, params: params) else { return nil }
        return GatePair(gate: gate, name: name == "swish" ? "silu" : name)
    }

    /// q(0), the value both gates share at the origin.
    public var originValue: Float { Float(gate.originValue) }

    /// out[i] = q(x[i]).
    public func gate(_ x: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>) {
        gate.apply(.gate, x, into: out)
    }

    /// out[i] = q′(x[i]).
    public func gateDerivative(_ x: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>) {
        gate.apply(.gateDerivative, x, into: out)
    }

    /// out[i] = q̃(x[i]).
    public func counterpartGate(_ x: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>) {
        gate.apply(.counterpartGate, x, into: out)
    }

    /// value[i] = r(x[i]) and slope[i] = r′(x[i]) in one pass, where r = q (`counterpart: false`)
    /// or r = q̃ with r′ = 1/q′ (`counterpart: true`). Both outputs must have `x.count` elements.
    public func evaluate(
        _ x: UnsafeBufferPointer<Float>, counterpart: Bool, value: UnsafeMutableBufferPointer<Float>,
        slope: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(value.count == x.count && slope.count == x.count, "output size must match input size")
        gate.evaluate(x, counterpart: counterpart, value: value, slope: slope)
    }

    /// out[i] = q̃′(x[i]) = 1/q′(x[i]).
    public func counterpartGateDerivative(
        _ x: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>
    ) {
        gate.apply(.counterpartGateDerivative, x, into: out)
    }
}
