import Foundation

/// A parameter-free gate shape G(s), strictly monotone. Every numerically integrated gate of
/// docs/ACTIVATIONS.md §10.3 is an affine image of one: q(x) = offset + amplitude·G(slope·x + shift).
///
/// The shapes are described by ℓ(s) = −log |G′(s)| and ℓ′(s); G′ = `derivativeSign`·e^{−ℓ}.
/// All but `antiGompertz` are increasing with G′ → 0 in both tails (ℓ → +∞) and use a table for
/// J(s) = ∫₀ˢ dt/G′(t); `antiGompertz` has J in closed form.
enum GateShape: Sendable, CaseIterable {
    /// Φ(s), the standard normal CDF (exact GELU).
    case normal
    /// σ(2k(s + c s³)) (tanh-GELU).
    case tanhGELU
    /// tanh(softplus(s)) (Mish).
    case mish
    /// exp(−e^{−s}) (GoLU, with β absorbed into the shift).
    case gompertz
    /// σ(s)^{1/2} = (1 + e^{−s})^{−1/2} (Sqish, with β absorbed into the shift).
    case sqrtSigmoid
    /// exp(e^{−s}), decreasing (GoLU with β < 0: α·exp(|β| e^{−γx}) = α·G(γx − ln|β|)).
    /// J(s) = Γ(−1, 1) − Γ(−1, e^{−s}).
    case antiGompertz

    /// +1 for increasing shapes, −1 for decreasing ones.
    var derivativeSign: Double { self == .antiGompertz ? -1 : 1 }

    /// J(s) in closed form, for shapes that have one.
    func closedIntegral(_ s: Double) -> Double? {
        switch self {
        case .antiGompertz:
            return M.upperGammaMinusOne(1) - M.upperGammaMinusOne(exp(-s))
        default:
            return nil
        }
    }

    typealias M = AdversarialMath

    /// G(s).
    func value(_ s: Double) -> Double {
        switch self {
        case .normal:
            return 0.5 * erfc(-s * 0.70710678118654752440)
        case .tanhGELU:
            return M.sigmoid(2 * M.geluK * (s + M.geluC * s * s * s))
        case .mish:
            return tanh(M.softplus(s))
        case .gompertz:
            return exp(-exp(-s))
        case .sqrtSigmoid:
            return exp(0.5 * M.logSigmoid(s))
        case .antiGompertz:
            return exp(exp(-s))
        }
    }

    /// ℓ(s) = −log G′(s); +∞ where G′ underflows.
    func ell(_ s: Double) -> Double {
        switch self {
        case .normal:
            return 0.5 * s * s + M.halfLog2Pi
        case .tanhGELU:
            if abs(s) > 1e6 { return .infinity }
            let du = M.geluK * (1 + 3 * M.geluC * s * s)
            let v = abs(2 * M.geluK * (s + M.geluC * s * s * s))
            // −log σ(v) − log σ(−v) = |v| + 2 log1p(e^{−|v|}).
            return -log(2 * du) + v + 2 * log1p(exp(-v))
        case .mish:
            // 2 log cosh(sp) − log σ(s), sharing log1p(e^{−|s|}) between sp(s) and log σ(s).
            let l = log1p(exp(-abs(s)))
            let sp = max(s, 0) + l
            return 2 * (sp + log1p(exp(-2 * sp)) - M.ln2) - min(s, 0) + l
        case .gompertz:
            return s + exp(-s)
        case .sqrtSigmoid:
            // ln 2 − ½ log σ(s) − log σ(−s).
            return M.ln2 - 0.5 * min(s, 0) - min(-s, 0) + 1.5 * log1p(exp(-abs(s)))
        case .antiGompertz:
            return s - exp(-s)
        }
    }

    /// ℓ′(s).
    func ellSlope(_ s: Double) -> Double {
        switch self {
        case .normal:
            return s
        case .tanhGELU:
            let du = M.geluK * (1 + 3 * M.geluC * s * s)
            let ddu = 6 * M.geluK * M.geluC * s
            let u = M.geluK * (s + M.geluC * s * s * s)
            return -ddu / du + 2 * du * tanh(u)
        case .mish:
            return 2 * tanh(M.softplus(s)) * M.sigmoid(s) - M.sigmoid(-s)
        case .gompertz:
            return 1 - exp(-s)
        case .sqrtSigmoid:
            return M.sigmoid(s) - 0.5 * M.sigmoid(-s)
        case .antiGompertz:
            return 1 + exp(-s)
        }
    }

    /// The shape's table, built once on first use (a few ms; thread-safe lazy `static let`); nil
    /// for shapes with a closed-form J.
    var table: GateTable? {
        switch self {
        case .antiGompertz: nil
        case .normal: GateTable.normal
        case .tanhGELU: GateTable.tanhGELU
        case .mish: GateTable.mish
        case .gompertz: GateTable.gompertz
        case .sqrtSigmoid: GateTable.sqrtSigmoid
        }
    }
}

/// J(s) = ∫₀ˢ dt / G′(t) for one `GateShape`, tabulated in Double.
///
/// The table stores R(s) = J(s)·e^{−ℓ(s)}, which stays of moderate size and smooth where J
/// grows exponentially (R → 1/ℓ′ in the tails), together with its exact derivative
/// R′ = 1 − R·ℓ′, on a uniform grid of step 1/64 through s = 0. Between nodes R is cubic-Hermite
/// interpolated (relative error below 1e-9 for these shapes) and J = e^{ℓ(s)}·R(s) uses the exact
/// ℓ. Node values come from 8-point Gauss–Legendre on every cell (sub-divided where ℓ is steep),
/// marching outwards from 0 in the scaled form R_{k+1} = R_k e^{ℓ_k − ℓ_{k+1}} + ∫ e^{ℓ − ℓ_{k+1}},
/// which never overflows. The grid ends on each side where ℓ exceeds `ellLimit`: beyond it
/// |J| > e^{200}/ℓ′, which is outside float32 range for every sane parameter scale.
struct GateTable: Sendable {
    static let ellLimit = 200.0
    static let step = 1.0 / 64
    static let inverseStep = 64.0

    let shape: GateShape
    /// s at node 0 and at the last node.
    let lower: Double
    let upper: Double
    private let r: [Double]
    private let dr: [Double]

    static let normal = GateTable(shape: .normal)
    static let tanhGELU = GateTable(shape: .tanhGELU)
    static let mish = GateTable(shape: .mish)
    static let gompertz = GateTable(shape: .gompertz)
    static let sqrtSigmoid = GateTable(shape: .sqrtSigmoid)

    init(shape: GateShape) {
        self.shape = shape
        let h = GateTable.step
        func march(direction: Double) -> [Double] {
            var values: [Double] = [0]
            var s = 0.0
            var ell = shape.ell(0)
            var slope = shape.ellSlope(0)
            while ell <= GateTable.ellLimit && values.count < 1_000_000 {
                let next = s + direction * h
                let nextEll = shape.ell(next)
                let nextSlope = shape.ellSlope(next)
                let steep = h * max(abs(slope), abs(nextSlope))
                let panels = max(1, Int((steep / 0.25).rounded(.up)))
                let part = AdversarialMath.integrateExp(
                    from: s, length: direction * h, panels: panels, reference: nextEll, shape.ell)
                values.append(values[values.count - 1] * exp(ell - nextEll) + part)
                s = next
                ell = nextEll
                slope = nextSlope
            }
            return values
        }
        let right = march(direction: 1)
        let left = march(direction: -1)
        let values = Array(left.dropFirst().reversed()) + right
        lower = -Double(left.count - 1) * h
        upper = Double(right.count - 1) * h
        r = values
        dr = values.indices.map { i in
            let s = -Double(left.count - 1) * h + Double(i) * h
            return 1 - values[i] * shape.ellSlope(s)
        }
    }

    var nodeCount: Int { r.count }

    /// Whether `s` lies on the grid (NaN is not).
    @inline(__always)
    func contains(_ s: Double) -> Bool { s >= lower && s <= upper }

    /// R(s) = J(s)·e^{−ℓ(s)} (precondition: `contains(s)`).
    @inline(__always)
    func ratio(_ s: Double) -> Double {
        let t = (s - lower) * GateTable.inverseStep
        var i = Int(t)
        if i > r.count - 2 { i = r.count - 2 }
        let th = t - Double(i)
        let om = 1 - th
        let h = GateTable.step
        let h00 = (1 + 2 * th) * om * om
        let h10 = th * om * om
        let h01 = th * th * (3 - 2 * th)
        let h11 = th * th * (th - 1)
        return h00 * r[i] + h10 * h * dr[i] + h01 * r[i + 1] + h11 * h * dr[i + 1]
    }
}
