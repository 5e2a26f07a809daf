import Foundation
import TestSupport
import Testing

@testable import Activations

/// Catalog metadata, derivatives vs finite differences, special values, kinks, validation,
/// and in-place evaluation of the closed-form entries.
@Suite struct ClosedFormPropertyTests {
    // MARK: Catalog

    @Test func catalogOrderAndMetadata() throws {
        #expect(Array(Catalog.standard.names.prefix(closedFormNames.count)) == closedFormNames)
        let trainable: Set = ["prelu.weight", "silu.beta", "golu.alpha", "golu.beta", "golu.gamma",
                              "sqish.alpha", "sqish.beta", "sqish.gamma"]
        for name in closedFormNames {
            let d = try #require(Catalog.standard.descriptor(named: name))
            #expect(!d.description.isEmpty && !d.formula.isEmpty && !d.references.isEmpty, "\(name)")
            for spec in d.parameters {
                #expect(spec.trainable == trainable.contains("\(name).\(spec.name)"), "\(name).\(spec.name)")
            }
            // Every numeric parameter has a derivative, in catalog order.
            let numeric = d.parameters.filter { $0.kind == .number }.map(\.name)
            let shapes = try catalogKernel(name).parameterGradientShapes
            #expect(shapes.map(\.name) == numeric, "\(name)")
            #expect(shapes.allSatisfy { $0.width == 1 })
        }
    }

    @Test func swishIsAnAliasOfSiLU() throws {
        #expect(Catalog.standard.descriptor(named: "swish")?.name == "silu")
        let x: [Float] = [-3, -1, -0.25, 0, 0.5, 2, 7]
        let swish = try catalogKernel("swish", ["beta": .number(2)]), silu = try catalogKernel("silu", ["beta": .number(2)])
        #expect(swish.outputs(x).y == silu.outputs(x).y)
        #expect(swish.derivative(x) == silu.derivative(x))
        #expect(swish.parameterDerivatives(x) == silu.parameterDerivatives(x))
        #expect(swish.outputs([-1]).y[0] != (try catalogKernel("silu").forward([-1]))[0])  // beta took effect
    }

    // MARK: Validation

    private func validationError(_ name: String, _ params: [String: ParameterValue]) -> ActivationError? {
        do {
            _ = try Catalog.standard.kernel(name, params: params)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        ("relu", ["alpha": ParameterValue.number(1)], "unknownParameter", "alpha"),
        ("silu", ["gamma": .number(1)], "unknownParameter", "gamma"),
        ("gelu", ["approximate": .number(1)], "invalidParameter", "approximate"),
        ("gelu", ["approximate": .string("erf")], "invalidParameter", "approximate"),
        ("softplus", ["beta": .string("1")], "invalidParameter", "beta"),
        ("prelu", ["weight": .numbers([0.25])], "invalidParameter", "weight"),
        ("softplus", ["beta": .number(0)], "invalidParameter", "beta"),
        ("softplus", ["beta": .number(-1)], "invalidParameter", "beta"),
        ("celu", ["alpha": .number(0)], "invalidParameter", "alpha"),
        ("silu", ["beta": .number(-0.5)], "invalidParameter", "beta"),
        ("golu", ["alpha": .number(0)], "invalidParameter", "alpha"),
        ("golu", ["beta": .number(-1)], "invalidParameter", "beta"),
        ("golu", ["gamma": .number(-1)], "invalidParameter", "gamma"),
        ("sqish", ["alpha": .number(1)], "invalidParameter", "alpha"),
        ("sqish", ["alpha": .number(-0.1)], "invalidParameter", "alpha"),
        ("sqish", ["beta": .number(0)], "invalidParameter", "beta"),
        ("sqish", ["gamma": .number(0)], "invalidParameter", "gamma"),
        ("elu", ["alpha": .number(.infinity)], "invalidParameter", "alpha"),
        ("elu", ["alpha": .number(.nan)], "invalidParameter", "alpha"),
        ("leaky_relu", ["negative_slope": .number(-.infinity)], "invalidParameter", "negative_slope"),
        ("elu", ["alpha": .number(1e39)], "invalidParameter", "alpha"),
        ("softplus", ["beta": .number(1e-40)], "invalidParameter", "beta"),
        ("nope", [:], "unknownActivation", nil),
    ] as [(String, [String: ParameterValue], String, String?)])
    func invalidParametersAreRejected(name: String, params: [String: ParameterValue], code: String, parameter: String?) {
        let error = validationError(name, params)
        #expect(error?.code.description == code, "\(name) \(params): \(String(describing: error))")
        #expect(error?.parameter == parameter)
        #expect(error.map { !$0.message.isEmpty } == true)
    }

    @Test func boundaryParametersAreAccepted() {
        let ok: [(String, [String: ParameterValue])] = [
            ("silu", ["beta": .number(0)]), ("golu", ["beta": .number(0), "gamma": .number(0)]),
            ("sqish", ["alpha": .number(0)]), ("elu", ["alpha": .number(-2)]), ("elu", ["alpha": .number(0)]),
            ("leaky_relu", ["negative_slope": .number(0)]), ("prelu", ["weight": .number(-3.4e38)]),
            ("gelu", ["approximate": .string("tanh")]), ("softplus", ["beta": .number(1.2e-38)]),
        ]
        for (name, params) in ok {
            #expect(validationError(name, params) == nil, "\(name) \(params)")
        }
    }

    // MARK: Special values

    static let finiteSpecials: [Float] = [
        0, -0.0, 1e-30, -1e-30, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, 1, -1, 1e4, -1e4, 1e30, -1e30,
        3.4e38, -3.4e38, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 88.72, -88.72, 104, -104,
    ]

    /// Limits at (−inf, +inf) at default parameters: f, f', then each parameter derivative.
    static let limits: [String: [(Float, Float)]] = {
        let inf = Float.infinity
        let la = Float(ClosedFormActivations.seluAlpha * ClosedFormActivations.seluScale)
        return [
            "relu": [(0, inf), (0, 1)],
            "leaky_relu": [(-inf, inf), (0.01, 1), (-inf, 0)],
            "prelu": [(-inf, inf), (0.25, 1), (-inf, 0)],
            "elu": [(-1, inf), (0, 1), (-1, 0)],
            "selu": [(-la, inf), (0, Float(ClosedFormActivations.seluScale))],
            "celu": [(-1, inf), (0, 1), (-1, 0)],
            "softplus": [(0, inf), (0, 1), (0, 0)],
            "silu": [(0, inf), (0, 1), (0, 0)],
            "mish": [(0, inf), (0, 1)],
            "sigmoid": [(0, 1), (0, 0)],
            "tanh": [(-1, 1), (0, 0)],
            "hardsigmoid": [(0, 1), (0, 0)],
            "hardswish": [(0, inf), (0, 1)],
            "softsign": [(-1, 1), (0, 0)],
            "gelu": [(0, inf), (0, 1)],
            "golu": [(0, inf), (0, 1), (0, inf), (0, 0), (0, 0)],
            "sqish": [(-inf, inf), (0.01, 1), (-inf, 0), (0, 0), (0, 0)],
        ]
    }()

    @Test(arguments: defaultConfigurations.indices)
    func specialValuesAtDefaults(_ index: Int) throws {
        let (name, params) = defaultConfigurations[index]
        let k = try catalogKernel(name, params)
        let finite = k.outputs(Self.finiteSpecials)
        for (label, values) in [("f", finite.y), ("f'", finite.dydx)] + finite.dparams.map({ ("∂\($0.key)", $0.value) }) {
            for (x, v) in zip(Self.finiteSpecials, values) {
                #expect(!v.isNaN, "\(name) \(params) \(label)(\(x)) is NaN")
            }
        }
        let nan = k.outputs([.nan, -.nan])
        #expect(nan.y.allSatisfy(\.isNaN) && nan.dydx.allSatisfy(\.isNaN), "\(name): NaN in must give NaN")
        #expect(nan.dparams.values.allSatisfy { $0.allSatisfy(\.isNaN) }, "\(name): NaN in must give NaN")

        let lim = try #require(Self.limits[name])
        let inf = k.outputs([-.infinity, .infinity])
        let series = [inf.y, inf.dydx] + k.parameterGradientShapes.map { inf.dparams[$0.name]! }
        #expect(series.count == lim.count, "\(name): limits table covers every output")
        for (i, (s, l)) in zip(series, lim).enumerated() {
            #expect(s[0] == l.0 && s[1] == l.1, "\(name) \(params) output \(i) at ∓inf: \(s), want \(l)")
        }
        // Derivatives saturate: at ±1e30 and ±FLT_MAX f' equals its limit.
        let big = k.derivative([-1e30, 1e30, -.greatestFiniteMagnitude, .greatestFiniteMagnitude])
        #expect(big == [lim[1].0, lim[1].1, lim[1].0, lim[1].1], "\(name) f' at ±big: \(big)")
    }

    /// Documented f32 values at ±1e4, ±100 (docs/ACTIVATIONS.md §11), beyond tests/reference/activations.json.
    @Test func extremeInputsMatchSection9() throws {
        let x: [Float] = [-1e4, -100, 100, 1e4]
        let ln = Float(ClosedFormActivations.seluScale)
        let la = Float(ClosedFormActivations.seluAlpha * ClosedFormActivations.seluScale)
        #expect(try catalogKernel("selu").forward(x) == [-la, -la, 100 * ln, 1e4 * ln])
        #expect(try catalogKernel("tanh").forward(x) == [-1, -1, 1, 1])
        #expect(try catalogKernel("sigmoid").forward(x)[2...] == [1, 1])
        let sq = try catalogKernel("sqish", ["alpha": .number(0.25)])
        #expect(sq.forward(x) == [-2500, -25, 100, 1e4])
        #expect(sq.derivative(x) == [0.25, 0.25, 1, 1])
        for name in ["gelu", "golu", "silu", "mish"] {
            let y = try catalogKernel(name).forward(x)
            #expect(y[0] == 0 && y[2] == 100 && y[3] == 1e4, "\(name): \(y)")
            #expect(abs(y[1]) < Float.leastNormalMagnitude, "\(name): \(y)")
        }
    }

    /// γ = 0 makes the GoLU gate the constant e^{−β}; it stays exact even where that constant is
    /// below the smallest normal float.
    @Test func goluConstantGate() throws {
        let k = try catalogKernel("golu", ["alpha": .number(2), "beta": .number(90), "gamma": .number(0)])
        let x: [Float] = [-3e38, -1, 0, 1e30, 3e38]
        let c = 2 * exp(-90.0)
        let out = k.outputs(x)
        for (i, xi) in x.enumerated() {
            #expect(meetsAccuracyRule(out.y[i], reference: c * Double(xi)), "f(\(xi)) = \(out.y[i])")
            #expect(meetsAccuracyRule(out.dydx[i], reference: c), "f'(\(xi)) = \(out.dydx[i])")
            #expect(meetsAccuracyRule(out.dparams["alpha"]![i], reference: c / 2 * Double(xi)))
            #expect(meetsAccuracyRule(out.dparams["beta"]![i], reference: -c * Double(xi)))
            #expect(meetsAccuracyRule(out.dparams["gamma"]![i], reference: 90 * c * Double(xi) * Double(xi)))
        }
        #expect(out.y[4] > 0.1)  // the gate was not flushed
    }

    /// β = 0 (gate ≡ 1) and γ = 0 (constant gate) take their own paths; they match float64.
    /// β = 1 with γ a power of two (α ≤ 2) takes the float32 derivative path.
    @Test(arguments: [[0.7, 0.0, 1.3], [0.7, 2.5, 0.0], [1.5, 0.0, 0.0], [2, 1, 1], [2, 1, 2], [1.5, 1, 0.5], [0.3, 1, 8], [4.5, 1, 1]])
    func goluSpecialParameterPaths(_ abg: [Double]) throws {
        let p = ["alpha": abg[0], "beta": abg[1], "gamma": abg[2]]
        let k = try catalogKernel("golu", p.mapValues { .number($0) })
        let xs: [Float] = (-2560...2560).map { Float($0) / 64 }
        let out = k.outputs(xs)
        for (i, x) in xs.enumerated() {
            let r = DoubleFormulas.evaluate("golu", p, at: Double(x))
            #expect(meetsAccuracyRule(out.y[i], reference: r.f), "f(\(x)) = \(out.y[i]), want \(r.f)")
            #expect(meetsAccuracyRule(out.dydx[i], reference: r.df), "f'(\(x)) = \(out.dydx[i]), want \(r.df)")
            for (name, want) in r.dp {
                #expect(meetsAccuracyRule(out.dparams[name]![i], reference: want), "∂\(name)(\(x)) = \(out.dparams[name]![i]), want \(want)")
            }
        }
    }

    /// Small γ with large |x|: the gate's conditioning (E·δv) is amplified by x and x².
    @Test(arguments: [[3, 1.3, 0.0023], [0.5, 4, 0.01], [2, 1, 0.001]])
    func goluSmallGammaLargeInputs(_ abg: [Double]) throws {
        let p = ["alpha": abg[0], "beta": abg[1], "gamma": abg[2]]
        let k = try catalogKernel("golu", p.mapValues { .number($0) })
        let xs: [Float] = (-8000...2000).map { Float($0) / 2 }
        let out = k.outputs(xs)
        var problems: [String] = []
        for (i, x) in xs.enumerated() {
            let r = DoubleFormulas.evaluate("golu", p, at: Double(x))
            if !meetsAccuracyRule(out.y[i], reference: r.f) { problems.append("f(\(x)) = \(out.y[i]), want \(r.f)") }
            if !meetsAccuracyRule(out.dydx[i], reference: r.df) { problems.append("f'(\(x)) = \(out.dydx[i]), want \(r.df)") }
            for (name, want) in r.dp where !meetsAccuracyRule(out.dparams[name]![i], reference: want) {
                problems.append("∂\(name)(\(x)) = \(out.dparams[name]![i]), want \(want)")
            }
        }
        #expect(problems.isEmpty, "\(p): \(problems.count) failures, e.g. \(problems.prefix(5).joined(separator: "; "))")
    }

    /// Extreme but valid parameter values never produce NaN for finite input.
    @Test(arguments: closedFormNames)
    func extremeParametersNeverGiveNaN(_ name: String) throws {
        let d = try #require(Catalog.standard.descriptor(named: name))
        let numeric = d.parameters.filter { $0.kind == .number }.map(\.name)
        guard !numeric.isEmpty else { return }
        let candidates: [Double] = [0, 1.1754944e-38, 1e-30, 1e-6, 0.3, 0.999, 1, 7, 1e6, 1e30, 3.4e38, -1e-30, -0.5, -1e30, -3.4e38]
        let xs = Self.finiteSpecials + [-20, -3, -0.5, 0.5, 3, 20, 200, -200]
        var rng = SeededGenerator(seed: 42)
        var tried = 0
        for combo in 0..<300 {
            var params: [String: ParameterValue] = [:]
            for (i, p) in numeric.enumerated() {
                // First sweep each parameter alone over every candidate, then random mixtures.
                let v = combo < candidates.count * numeric.count
                    ? (combo / candidates.count == i ? candidates[combo % candidates.count] : nil)
                    : candidates.randomElement(using: &rng)
                if let v { params[p] = .number(v) }
            }
            guard let k = try? Catalog.standard.kernel(name, params: params) else { continue }
            tried += 1
            let out = k.outputs(xs)
            for (label, values) in [("f", out.y), ("f'", out.dydx)] + out.dparams.map({ ("∂\($0.key)", $0.value) }) {
                let bad = zip(xs, values).filter { $0.1.isNaN }.map(\.0)
                #expect(bad.isEmpty, "\(name) \(params): \(label) NaN at \(bad)")
            }
        }
        #expect(tried > 10)
    }

    // MARK: Kinks (PyTorch conventions)

    @Test func kinkConventions() throws {
        #expect(try catalogKernel("relu").derivative([0, -0.0]) == [0, 0])
        #expect(try catalogKernel("leaky_relu").derivative([0]) == [0.01])
        #expect(try catalogKernel("leaky_relu").parameterDerivatives([0])["negative_slope"] == [0])
        #expect(try catalogKernel("prelu").derivative([0]) == [0.25])
        #expect(try catalogKernel("prelu").parameterDerivatives([0])["weight"] == [0])
        #expect(try catalogKernel("elu").derivative([0]) == [1])
        #expect(try catalogKernel("elu", ["alpha": .number(2)]).derivative([0]) == [2])
        #expect(try catalogKernel("celu", ["alpha": .number(2)]).derivative([0]) == [1])
        #expect(try catalogKernel("selu").derivative([0]) == [Float(ClosedFormActivations.seluAlpha * ClosedFormActivations.seluScale)])
        #expect(try catalogKernel("hardswish").derivative([-3, 3]) == [-0.5, 1.5])
        #expect(try catalogKernel("hardswish").forward([-3, 3]) == [0, 3])
        #expect(try catalogKernel("hardsigmoid").derivative([-3, 3]) == [0, 0])
        #expect(try catalogKernel("hardsigmoid").forward([-3, 3]) == [0, 1])
        #expect(try catalogKernel("softsign").derivative([0]) == [1])
        // Softplus threshold: βx > 20 returns x exactly.
        let sp = try catalogKernel("softplus", ["beta": .number(2)])
        #expect(sp.forward([10.5, 11]) == [10.5, 11])
        #expect(sp.derivative([10.5]) == [1])
        #expect(sp.parameterDerivatives([10.5])["beta"] == [0])
    }

    // MARK: Finite differences

    /// Central differences with one Richardson step, in float64 from float32 kernel values.
    /// Tolerance: the float32 noise of the four values divided by the step (16 ulp each), plus
    /// 1e-4 relative for the remaining truncation.
    private func finiteDifference(
        at x: Double, step h: Double, _ f: (Double) throws -> Float
    ) rethrows -> (estimate: Double, noise: Double) {
        func d(_ h: Double) throws -> (Double, Double) {
            let a = try f(x + h), b = try f(x - h)
            let noise = 16 * (Double(a.ulp) + Double(b.ulp)) / (2 * h)
            return ((Double(a) - Double(b)) / (2 * h), noise)
        }
        let (d1, n1) = try d(h), (d2, n2) = try d(h / 2)
        return ((4 * d2 - d1) / 3, (4 * n2 + n1) / 3)
    }

    /// Points near a kink (or the softplus threshold) where finite differences are meaningless.
    private func nearKink(_ name: String, _ x: Double, _ p: [String: Double], _ h: Double) -> Bool {
        switch name {
        case "relu", "leaky_relu", "prelu", "elu", "selu", "celu": abs(x) < 2 * h
        case "hardsigmoid", "hardswish": abs(abs(x) - 3) < 2 * h
        case "softplus": abs(p["beta"]! * x - 20) < 2 * h * p["beta"]!
        default: false
        }
    }

    static let finiteDifferenceConfigurations: [(name: String, ranges: [String: ClosedRange<Double>], approximate: String)] = [
        ("relu", [:], "none"), ("leaky_relu", ["negative_slope": -2...2], "none"), ("prelu", ["weight": -2...2], "none"),
        ("elu", ["alpha": -3...3], "none"), ("selu", [:], "none"), ("celu", ["alpha": 0.2...5], "none"),
        ("softplus", ["beta": 0.2...5], "none"), ("silu", ["beta": 0.2...5], "none"), ("mish", [:], "none"),
        ("sigmoid", [:], "none"), ("tanh", [:], "none"), ("hardsigmoid", [:], "none"), ("hardswish", [:], "none"),
        ("softsign", [:], "none"), ("gelu", [:], "none"), ("gelu", [:], "tanh"), ("gelu", [:], "sigmoid"),
        ("golu", ["alpha": 0.2...3, "beta": 0.2...3, "gamma": 0.2...3], "none"),
        ("sqish", ["alpha": 0.05...0.9, "beta": 0.2...5, "gamma": 0.2...3], "none"),
    ]

    @Test(arguments: finiteDifferenceConfigurations.indices)
    func derivativesMatchFiniteDifferences(_ index: Int) throws {
        let (name, ranges, approximate) = Self.finiteDifferenceConfigurations[index]
        var rng = SeededGenerator(seed: 7 &+ UInt64(index))
        var checked = 0
        for _ in 0..<6 {
            var p: [String: Double] = [:]
            for (key, r) in ranges.sorted(by: { $0.key < $1.key }) { p[key] = Double(Float(Double.random(in: r, using: &rng))) }
            func make(_ p: [String: Double]) throws -> any ActivationKernel {
                var values = p.mapValues { ParameterValue.number($0) }
                if name == "gelu" { values["approximate"] = .string(approximate) }
                return try catalogKernel(name, values)
            }
            let k = try make(p)
            for _ in 0..<60 {
                let x = Double(Float(Double.random(in: -8...8, using: &rng)))
                let h = 1.0 / 64
                if nearKink(name, x, p, 2 * h) { continue }
                let xf = [Float(x)]
                let d = Double(k.derivative(xf)[0])
                let (fd, noise) = finiteDifference(at: x, step: h) { k.forward([Float($0)])[0] }
                #expect(abs(fd - d) <= noise + 1e-4 * (1 + abs(d)), "\(name) \(p) f'(\(x)) = \(d), finite difference \(fd)")
                let dp = k.parameterDerivatives(xf)
                for (key, value) in p {
                    let hp = 1.0 / 128 * max(1, abs(value))
                    let (fdp, noiseP) = try finiteDifference(at: value, step: hp) { v in
                        var q = p
                        q[key] = v
                        return try make(q).forward(xf)[0]
                    }
                    let got = Double(try #require(dp[key]?[0]))
                    #expect(abs(fdp - got) <= noiseP + 1e-4 * (1 + abs(got)), "\(name) \(p) ∂f/∂\(key) at x=\(x) = \(got), finite difference \(fdp)")
                }
                checked += 1
            }
        }
        #expect(checked > 200)
    }

    // MARK: Memory

    @Test(arguments: defaultConfigurations.indices)
    func forwardInPlaceMatchesOutOfPlace(_ index: Int) throws {
        let (name, params) = defaultConfigurations[index]
        let k = try catalogKernel(name, params)
        var rng = SeededGenerator(seed: 99)
        let x: [Float] = (0..<1003).map { _ in Float(Double.random(in: -12...12, using: &rng)) }
            + Self.finiteSpecials + [.infinity, -.infinity, .nan]
        let expected = k.forward(x)
        var inPlace = x
        inPlace.withUnsafeMutableBufferPointer { buf in
            k.forward(UnsafeBufferPointer(buf), into: buf)
        }
        #expect(zip(inPlace, expected).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(name) \(params)")
    }

    @Test func parameterGradientsAccumulateParameterDerivatives() throws {
        let k = try catalogKernel("golu", ["alpha": .number(0.8), "beta": .number(1.2), "gamma": .number(0.9)])
        let x: [Float] = (0..<5000).map { Float($0) / 500 - 5 }
        let g: [Float] = x.map { 0.5 - $0 / 7 }
        let d = k.parameterDerivatives(x)
        let sums = x.withUnsafeBufferPointer { xs in g.withUnsafeBufferPointer { k.parameterGradients(xs, gradOutput: $0) } }
        for (i, name) in ["alpha", "beta", "gamma"].enumerated() {
            let want = zip(g, d[name]!).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            #expect(abs(sums[i][0] - want) <= 1e-9 * max(1, abs(want)), "\(name)")
        }
    }
}
