import Foundation
import TestSupport
import Testing

@testable import Activations

/// The adversarial cases of tests/reference/activations.json.
enum AdversarialReference {
    static let cases = ReferenceData.cases(where: \.adversarial)
}

/// Evaluates a kernel's forward and derivative on Doubles rounded to float32.
func adversarialEvaluate(_ kernel: any ActivationKernel, _ xs: [Double]) -> (y: [Float], dydx: [Float]) {
    let x = xs.map { Float($0) }
    var y = [Float](repeating: .nan, count: x.count)
    var d = [Float](repeating: .nan, count: x.count)
    x.withUnsafeBufferPointer { xb in
        y.withUnsafeMutableBufferPointer { kernel.forward(xb, into: $0) }
        d.withUnsafeMutableBufferPointer { kernel.derivative(xb, into: $0) }
    }
    return (y, d)
}

/// Test-local base functions in Double: f and f′ (kink values as in ACTIVATIONS.md §7), and the
/// parameter specs with the catalog's defaults. They exist so the adversarial table can be tested
/// through a `Catalog` before the closed-form entries are merged, and so f′·g′ = 1 can be checked.
enum AdversarialTestBase {
    struct Entry {
        let name: String
        let aliases: [String]
        let specs: [ParameterSpec]
        let f: @Sendable (Double, ResolvedParameters) -> Double
        let df: @Sendable (Double, ResolvedParameters) -> Double
    }

    static func sig(_ x: Double) -> Double { x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)) }
    static func number(_ name: String, _ v: Double) -> ParameterSpec {
        ParameterSpec(name: name, defaultValue: .number(v), description: name)
    }
    static let seluA = 1.6732632423543772848170429916717
    static let seluL = 1.0507009873554804934193349852946

    static let entries: [Entry] = [
        Entry(name: "relu", aliases: [], specs: [], f: { x, _ in max(x, 0) }, df: { x, _ in x > 0 ? 1 : 0 }),
        Entry(
            name: "leaky_relu", aliases: [], specs: [number("negative_slope", 0.01)],
            f: { x, p in x > 0 ? x : p.number("negative_slope") * x },
            df: { x, p in x > 0 ? 1 : p.number("negative_slope") }),
        Entry(
            name: "prelu", aliases: [], specs: [number("weight", 0.25)],
            f: { x, p in x > 0 ? x : p.number("weight") * x }, df: { x, p in x > 0 ? 1 : p.number("weight") }),
        Entry(
            name: "elu", aliases: [], specs: [number("alpha", 1)],
            f: { x, p in x > 0 ? x : p.number("alpha") * expm1(x) },
            df: { x, p in x > 0 ? 1 : p.number("alpha") * exp(x) }),
        Entry(
            name: "selu", aliases: [], specs: [], f: { x, _ in seluL * (x > 0 ? x : seluA * expm1(x)) },
            df: { x, _ in seluL * (x > 0 ? 1 : seluA * exp(x)) }),
        Entry(
            name: "celu", aliases: [], specs: [number("alpha", 1)],
            f: { x, p in x > 0 ? x : p.number("alpha") * expm1(x / p.number("alpha")) },
            df: { x, p in x > 0 ? 1 : exp(x / p.number("alpha")) }),
        Entry(
            name: "softplus", aliases: [], specs: [number("beta", 1)],
            f: { x, p in
                let b = p.number("beta")
                return (max(b * x, 0) + log1p(exp(-abs(b * x)))) / b
            },
            df: { x, p in sig(p.number("beta") * x) }),
        Entry(
            name: "silu", aliases: ["swish"], specs: [number("beta", 1)], f: { x, p in x * sig(p.number("beta") * x) },
            df: { x, p in
                let b = p.number("beta")
                return sig(b * x) + b * x * sig(b * x) * sig(-b * x)
            }),
        Entry(
            name: "mish", aliases: [], specs: [], f: { x, _ in x * tanh(log1p(exp(x))) },
            df: { x, _ in
                let t = tanh(log1p(exp(x)))
                return t + x * sig(x) * (1 - t * t)
            }),
        Entry(name: "sigmoid", aliases: [], specs: [], f: { x, _ in sig(x) }, df: { x, _ in sig(x) * sig(-x) }),
        Entry(name: "tanh", aliases: [], specs: [], f: { x, _ in tanh(x) }, df: { x, _ in 1 - tanh(x) * tanh(x) }),
        Entry(
            name: "hardsigmoid", aliases: [], specs: [], f: { x, _ in min(max(x + 3, 0), 6) / 6 },
            df: { x, _ in abs(x) < 3 ? 1.0 / 6 : 0 }),
        Entry(
            name: "hardswish", aliases: [], specs: [], f: { x, _ in x * min(max(x + 3, 0), 6) / 6 },
            df: { x, _ in x < -3 ? 0 : (x > 3 ? 1 : x / 3 + 0.5) }),
        Entry(
            name: "softsign", aliases: [], specs: [], f: { x, _ in x / (1 + abs(x)) },
            df: { x, _ in 1 / ((1 + abs(x)) * (1 + abs(x))) }),
        Entry(
            name: "gelu", aliases: [],
            specs: [
                ParameterSpec(
                    name: "approximate", kind: .choice(["none", "tanh", "sigmoid"]), defaultValue: .string("none"),
                    description: "approximate")
            ],
            f: { x, p in x * gate("gelu", p, x) }, df: { x, p in gate("gelu", p, x) + x * gateSlope("gelu", p, x) }),
        Entry(
            name: "golu", aliases: [], specs: [number("alpha", 1), number("beta", 1), number("gamma", 1)],
            f: { x, p in x * gate("golu", p, x) }, df: { x, p in gate("golu", p, x) + x * gateSlope("golu", p, x) }),
        Entry(
            name: "sqish", aliases: [], specs: [number("alpha", 0.01), number("beta", 1), number("gamma", 1)],
            f: { x, p in x * gate("sqish", p, x) },
            df: { x, p in gate("sqish", p, x) + x * gateSlope("sqish", p, x) }),
        Entry(
            name: "ditac", aliases: [],
            specs: [
                number("a", -0.5), number("b", 2),
                ParameterSpec(
                    name: "velocities", kind: .numbers, defaultValue: .numbers(Array(repeating: 0, count: 9)),
                    description: "velocities"),
                ParameterSpec(name: "lut", kind: .integer, defaultValue: .number(0), description: "lut"),
            ],
            f: { x, _ in x * 0.5 * erfc(-x / 2.0.squareRoot()) },
            df: { x, _ in 0.5 * erfc(-x / 2.0.squareRoot()) + x * exp(-x * x / 2) / (2 * Double.pi).squareRoot() }),
    ]

    /// Independent Double gates q(x) (straight from ACTIVATIONS.md, not from the Sources).
    static func gate(_ name: String, _ p: ResolvedParameters, _ x: Double) -> Double {
        switch name {
        case "silu", "swish": return sig(p.number("beta") * x)
        case "mish": return tanh(log1p(exp(x)))
        case "golu": return p.number("alpha") * exp(-p.number("beta") * exp(-p.number("gamma") * x))
        case "sqish":
            let a = p.number("alpha"), b = p.number("beta"), c = p.number("gamma")
            return a + (1 - a) / (1 + b * exp(-2 * c * (1 - a) * x)).squareRoot()
        default:
            switch p.string("approximate") {
            case "tanh":
                return sig(2 * 0.7978845608028654 * (x + 0.044715 * x * x * x))
            case "sigmoid": return sig(1.702 * x)
            default: return 0.5 * erfc(-x / 2.0.squareRoot())
            }
        }
    }

    /// q′(x), analytic.
    static func gateSlope(_ name: String, _ p: ResolvedParameters, _ x: Double) -> Double {
        switch name {
        case "silu", "swish":
            let b = p.number("beta")
            return b * sig(b * x) * sig(-b * x)
        case "mish":
            let e = exp(-2 * log1p(exp(x)))  // sech²(y) = 4e^{−2y}/(1 + e^{−2y})², y = softplus(x)
            return 4 * e / ((1 + e) * (1 + e)) * sig(x)
        case "golu":
            let a = p.number("alpha"), b = p.number("beta"), c = p.number("gamma")
            let u = exp(-c * x)
            return a * b * c * u * exp(-b * u)
        case "sqish":
            let a = p.number("alpha"), b = p.number("beta"), c = p.number("gamma")
            let logE = log(b) - 2 * c * (1 - a) * x
            return (1 - a) * (1 - a) * c * exp(logE - 1.5 * (max(logE, 0) + log1p(exp(-abs(logE)))))
        default:
            switch p.string("approximate") {
            case "tanh":
                let k = 0.7978845608028654, c = 0.044715
                let v = 2 * k * (x + c * x * x * x)
                return 2 * k * (1 + 3 * c * x * x) * sig(v) * sig(-v)
            case "sigmoid": return 1.702 * sig(1.702 * x) * sig(-1.702 * x)
            default: return exp(-x * x / 2) / (2 * Double.pi).squareRoot()
            }
        }
    }

    struct Kernel: ActivationKernel {
        let f: @Sendable (Double) -> Double
        let df: @Sendable (Double) -> Double
        func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
            for i in x.indices { y[i] = Float(f(Double(x[i]))) }
        }
        func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
            for i in x.indices { dydx[i] = Float(df(Double(x[i]))) }
        }
    }

    /// A catalog of the test-local base entries with the real adversarial table.
    static let catalog = Catalog(
        entries: entries.map { e in
            ActivationDescriptor(
                name: e.name, aliases: e.aliases, description: "test-local \(e.name)", formula: "",
                parameters: e.specs,
                makeKernel: { p in Kernel(f: { x in e.f(x, p) }, df: { x in e.df(x, p) }) })
        },
        counterparts: AdversarialCounterparts.table,
        unsupportedReasons: AdversarialCounterparts.unsupportedReasons)

    static func entry(_ name: String) -> Entry { entries.first { $0.name == name }! }

    /// Resolved parameters for `name` with `overrides` (through the test catalog's validation).
    static func params(_ name: String, _ overrides: [String: ParameterValue] = [:]) -> ResolvedParameters {
        try! catalog.resolve(name, params: overrides).1
    }
}
