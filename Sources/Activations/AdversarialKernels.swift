import Foundation

/// A global adversarial counterpart g(x) = f(0) + ∫₀ˣ dt/f′(t), g′ = 1/f′ (docs/ACTIVATIONS.md §10.1),
/// in closed form. At a kink g′ is the reciprocal of the kink value of f′ (§5 Standard activations).
///
/// Evaluated in Double from the saturated input and rounded to float32, so results beyond
/// float32 range are ±inf, never NaN (no formula below forms ∞ − ∞, 0·∞ or ∞/∞ for finite x).
enum GlobalCounterpart: Sendable, Equatable {
    case sigmoid
    case tanh
    case softsign
    /// f = softplus(βx)/β.
    case softplus(beta: Double)
    /// f = x (x > 0), α(eˣ − 1) (x ≤ 0); also SELU with α = λα_SELU and scale 1/λ on x > 0.
    case elu(alpha: Double, positiveScale: Double)
    /// f = x (x > 0), α(e^{x/α} − 1) (x ≤ 0).
    case celu(alpha: Double)
    /// f = x (x > 0), s·x (x ≤ 0) — leaky_relu and prelu.
    case leaky(slope: Double)

    typealias M = AdversarialMath

    /// g(x) for a non-NaN, finite x.
    @inline(__always)
    func value(_ x: Double) -> Double {
        switch self {
        case .sigmoid:
            return 0.5 + 2 * x + 2 * Foundation.sinh(x)
        case .tanh:
            return 0.5 * x + 0.25 * Foundation.sinh(2 * x)
        case .softsign:
            return x + x * abs(x) + x * x * x / 3
        case .softplus(let beta):
            // ln2/β + x + (1 − e^{−βx})/β, with (1 − e^{−βx})/β = x·E1(−βx).
            return M.ln2 / beta + x + x * M.expm1OverX(-beta * x)
        case .elu(let alpha, let positiveScale):
            if x > 0 { return x * positiveScale }
            if x == 0 { return x }
            return -expm1(-x) / alpha
        case .celu(let alpha):
            if x >= 0 { return x }
            if alpha == 0 { return -.infinity }
            return -alpha * expm1(-x / alpha)
        case .leaky(let slope):
            if x > 0 { return x }
            if x == 0 { return x }
            return x / slope
        }
    }

    /// g′(x) = 1/f′(x) for a non-NaN, finite x.
    @inline(__always)
    func slope(_ x: Double) -> Double {
        switch self {
        case .sigmoid:
            return 2 + 2 * cosh(x)
        case .tanh:
            let c = cosh(x)
            return c * c
        case .softsign:
            let a = 1 + abs(x)
            return a * a
        case .softplus(let beta):
            return 1 + exp(-beta * x)
        case .elu(let alpha, let positiveScale):
            if x > 0 { return positiveScale }
            return exp(-x) / alpha
        case .celu(let alpha):
            if x >= 0 { return 1 }
            if alpha == 0 { return .infinity }
            return exp(-x / alpha)
        case .leaky(let slope):
            return x > 0 ? 1 : 1 / slope
        }
    }
}

/// Kernel of a global counterpart.
struct GlobalCounterpartKernel: ActivationKernel {
    let counterpart: GlobalCounterpart

    func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        for i in x.indices {
            let v = x[i]
            y[i] = v.isNaN ? v : Float(counterpart.value(AdversarialMath.saturated(v)))
        }
    }

    func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        for i in x.indices {
            let v = x[i]
            dydx[i] = v.isNaN ? v : Float(counterpart.slope(AdversarialMath.saturated(v)))
        }
    }
}

/// Kernel of a split (HD-FGD) counterpart g(x) = x·q̃(x), g′ = q̃ + x/q′ (docs/ACTIVATIONS.md §10.2).
struct SplitCounterpartKernel: ActivationKernel {
    let gate: SplitGate

    func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        gate.apply(.value, x, into: y)
    }

    func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        gate.apply(.slope, x, into: dydx)
    }
}

/// Kernel for a parameter set outside a split gate's domain (Sqish with β < 0, where the base
/// function takes the square root of a negative number and is itself NaN): the catalog's range
/// checks are expected to exclude it; if one slips through, every element is NaN, like the base.
struct UndefinedCounterpartKernel: ActivationKernel {
    func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        for i in x.indices { y[i] = .nan }
    }

    func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        for i in x.indices { dydx[i] = .nan }
    }
}
