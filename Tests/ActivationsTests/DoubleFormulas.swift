import Foundation

/// Independent float64 evaluations of the closed-form definitions of docs/ACTIVATIONS.md (written from
/// the formulas, not from the kernels), valid for |x| ≤ 60 and moderate parameters. Used as the
/// reference for randomised accuracy tests.
enum DoubleFormulas {
    struct Value {
        var f: Double
        var df: Double
        var dp: [String: Double] = [:]
    }

    static func sigma(_ t: Double) -> Double { t >= 0 ? 1 / (1 + exp(-t)) : exp(t) / (1 + exp(t)) }
    static func softplus(_ t: Double) -> Double { max(t, 0) + log1p(exp(-abs(t))) }

    static let seluAlpha = 1.6732632423543772848170429916717
    static let seluScale = 1.0507009873554804934193349852946

    static func evaluate(_ name: String, _ p: [String: Double], approximate: String = "none", at x: Double) -> Value {
        switch name {
        case "relu":
            return Value(f: max(x, 0), df: x > 0 ? 1 : 0)
        case "leaky_relu", "prelu":
            let key = name == "prelu" ? "weight" : "negative_slope"
            let s = p[key]!
            return Value(f: x > 0 ? x : s * x, df: x > 0 ? 1 : s, dp: [key: x > 0 ? 0 : x])
        case "elu":
            let a = p["alpha"]!
            return Value(f: x > 0 ? x : a * expm1(x), df: x > 0 ? 1 : a * exp(x), dp: ["alpha": x > 0 ? 0 : expm1(x)])
        case "selu":
            let (a, l) = (seluAlpha, seluScale)
            return Value(f: x > 0 ? l * x : l * a * expm1(x), df: x > 0 ? l : l * a * exp(x))
        case "celu":
            let a = p["alpha"]!
            let u = x / a
            return Value(
                f: x > 0 ? x : a * expm1(u), df: x > 0 ? 1 : exp(u),
                dp: ["alpha": x > 0 ? 0 : expm1(u) - u * exp(u)])
        case "softplus":
            let b = p["beta"]!
            let t = b * x
            if t > 20 { return Value(f: x, df: 1, dp: ["beta": 0]) }
            return Value(f: softplus(t) / b, df: sigma(t), dp: ["beta": (t * sigma(t) - softplus(t)) / (b * b)])
        case "silu":
            let b = p["beta"]!
            let s = sigma(b * x), sm = sigma(-b * x)
            return Value(f: x * s, df: s + b * x * s * sm, dp: ["beta": x * x * s * sm])
        case "mish":
            let th = tanh(softplus(x))
            return Value(f: x * th, df: th + x * sigma(x) * (1 - th * th))
        case "sigmoid":
            return Value(f: sigma(x), df: sigma(x) * sigma(-x))
        case "tanh":
            let c = cosh(x)
            return Value(f: tanh(x), df: 1 / (c * c))
        case "hardsigmoid":
            return Value(f: min(max(x + 3, 0), 6) / 6, df: (x > -3 && x < 3) ? 1.0 / 6 : 0)
        case "hardswish":
            return Value(f: x * min(max(x + 3, 0), 6) / 6, df: x < -3 ? 0 : (x <= 3 ? x / 3 + 0.5 : 1))
        case "softsign":
            return Value(f: x / (1 + abs(x)), df: 1 / ((1 + abs(x)) * (1 + abs(x))))
        case "gelu":
            switch approximate {
            case "tanh":
                let k = (2 / Double.pi).squareRoot(), c = 0.044715
                let s = sigma(2 * k * (x + c * x * x * x))
                return Value(f: x * s, df: s + 2 * k * x * s * (1 - s) * (1 + 3 * c * x * x))
            case "sigmoid":
                let s = sigma(1.702 * x)
                return Value(f: x * s, df: s + 1.702 * x * s * sigma(-1.702 * x))
            default:
                let phi = 0.5 * erfc(-x / 2.0.squareRoot())
                let pdf = exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
                return Value(f: x * phi, df: phi + x * pdf)
            }
        case "golu":
            let (a, b, g) = (p["alpha"]!, p["beta"]!, p["gamma"]!)
            let u = exp(-g * x)
            let G = exp(-b * u)
            let uG = exp(-g * x - b * u)
            return Value(
                f: a * x * G, df: a * (G + b * g * x * uG),
                dp: ["alpha": x * G, "beta": -a * x * uG, "gamma": a * b * x * x * uG])
        case "sqish":
            let (a, b, g) = (p["alpha"]!, p["beta"]!, p["gamma"]!)
            let z = (1 - a) * x
            let e = exp(-2 * g * z)
            let E = b * e
            let D = 1 + E
            let gate = 1 / D.squareRoot()
            let gp = g * E / (D * D.squareRoot())
            return Value(
                f: a * x + z * gate, df: a + (1 - a) * (gate + z * gp),
                dp: [
                    "alpha": x * (1 - gate - z * gp),
                    "beta": -z * e / (2 * D * D.squareRoot()),
                    "gamma": z * z * E / (D * D.squareRoot()),
                ])
        default:
            fatalError("no float64 formula for \(name)")
        }
    }
}
