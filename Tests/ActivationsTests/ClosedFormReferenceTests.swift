import Foundation
import TestSupport
import Testing

@testable import Activations

/// Accuracy of the closed-form kernels against tests/reference/activations.json, the worked values of
/// docs/ACTIVATIONS.md §11 Reference values, and independent float64 formulas on random points.
@Suite struct ClosedFormReferenceTests {
    /// Checks one output series; returns a description of each failing element (at most 5).
    private func mismatches(_ got: [Float], _ want: [Double?], x: [Double?], label: String) -> [String] {
        guard got.count == want.count else { return ["\(label): \(got.count) values for \(want.count) references"] }
        var out: [String] = []
        for i in got.indices where !meetsAccuracyRule(got[i], reference: want[i]) {
            out.append("\(label) at x=\(x[i].map { "\($0)" } ?? "null"): got \(got[i]), want \(want[i].map { "\($0)" } ?? "null")")
            if out.count == 5 { break }
        }
        return out
    }

    @Test func everyClosedFormReferenceCase() throws {
        let data = try ReferenceData.load()
        var checked = 0
        for c in data.cases where !c.adversarial && !c.unsupported && c.activation != "ditac" {
            #expect(closedFormNames.contains(c.activation), "unexpected case \(c)")
            let k = try catalogKernel(c.activation, c.params)
            let x = c.floatX
            let out = k.outputs(x)
            var problems = mismatches(out.y, c.y, x: c.x, label: "\(c) y")
            problems += mismatches(out.dydx, c.dydx, x: c.x, label: "\(c) dydx")
            // The kernel's parameter derivatives are exactly the reference's.
            #expect(Set(out.dparams.keys) == Set(c.dparams.keys), "\(c): parameter derivatives \(out.dparams.keys.sorted()) vs reference \(c.dparams.keys.sorted())")
            for (name, series) in c.dparams {
                let want = series
                let got = try #require(out.dparams[name], "\(c) has no derivative for \(name)")
                problems += mismatches(got, want, x: c.x, label: "\(c) d/d\(name)")
            }
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
            checked += 1
        }
        // relu … sqish at defaults, gelu tanh and sigmoid, golu with gamma = 2.
        #expect(checked >= 20)
    }

    /// The values checked by name in docs/ACTIVATIONS.md §11 Reference values (10 significant digits).
    @Test(arguments: [
        // name, params, x, f, f', [param: value]
        ("celu", ["alpha": 2.0], -1.0, -0.7869386806, 0.6065306597, [:]),
        ("softplus", ["beta": 2.0], -1.0, 0.06346400552, 0.1192029220, [:]),
        ("softplus", ["beta": 2.0], 0.5, 0.6566308438, 0.7310585786, [:]),
        ("silu", ["beta": 2.0], -1.0, -0.1192029220, -0.09078424878, [:]),
        ("golu", ["alpha": 0.8, "beta": 1.2, "gamma": 0.9], -2.0, -0.00112544886921, -0.00679052997517,
            ["alpha": -0.00140681108651, "beta": 0.00680856889794, "gamma": 0.0163405653551]),
        ("golu", ["alpha": 0.8, "beta": 1.2, "gamma": 0.9], -0.5, -0.0609156380705, 0.0186537596703,
            ["alpha": -0.0761445475881, "beta": 0.0955347374729, "gamma": 0.0573208424837]),
        ("golu", ["alpha": 0.8, "beta": 1.2, "gamma": 0.9], 0.5, 0.186104950608, 0.500368917332,
            ["alpha": 0.232631188259, "beta": -0.118665755664, "gamma": 0.0711994533981]),
        ("golu", ["alpha": 0.8, "beta": 1.2, "gamma": 0.9], 2.0, 1.31212106758, 0.890304059764,
            ["alpha": 1.64015133447, "beta": -0.216892153682, "gamma": 0.520541168838]),
        ("sqish", ["alpha": 0.0, "beta": 1.0, "gamma": 1.0], -1.0, -0.345257761712, 0.0411557340468,
            ["alpha": -0.958844266, "beta": 0.1520510138, "gamma": 0.3041020277]),
        ("sqish", ["alpha": 0.0, "beta": 1.0, "gamma": 1.0], 1.0, 0.938507899795, 1.05038078379,
            ["alpha": -0.05038078379, "beta": -0.055936442, "gamma": 0.111872884]),
        ("sqish", ["alpha": 0.25, "beta": 1.0, "gamma": 1.0], -2.0, -0.826662233277, 0.179953622916,
            ["alpha": -2.186790339, "beta": 0.1555849958, "gamma": 0.4667549874]),
        ("sqish", ["alpha": 0.25, "beta": 1.0, "gamma": 1.0], -0.5, -0.337404085244, 0.566612922752,
            ["alpha": -0.2889247182, "beta": 0.07213016516, "gamma": 0.05409762387]),
        ("sqish", ["alpha": 0.25, "beta": 1.0, "gamma": 1.0], 2.0, 1.96399856057, 1.03407283783,
            ["alpha": -0.09086090089, "beta": -0.03471570503, "gamma": 0.1041471151]),
        ("sqish", ["alpha": 0.25, "beta": 2.0, "gamma": 0.5], -1.0, -0.577826761043, 0.478379504523,
            ["alpha": -0.695493994, "beta": 0.06629817101, "gamma": 0.198894513]),
        ("sqish", ["alpha": 0.25, "beta": 2.0, "gamma": 0.5], 1.0, 0.787812955373, 0.885787139221,
            ["alpha": 0.1522838144, "beta": -0.06531612257, "gamma": 0.1959483677]),
        ("silu", ["beta": 1.0], -2.0, -0.2384058440, -0.09078424878, ["beta": 0.4199743416]),
        ("softplus", ["beta": 1.0], -2.0, 0.1269280110, 0.1192029220, ["beta": -0.3653338551]),
        ("celu", ["alpha": 1.0], -1.0, -0.6321205588, 0.3678794412, ["alpha": -0.2642411177]),
    ] as [(String, [String: Double], Double, Double, Double, [String: Double])])
    func documentedValues(
        name: String, params: [String: Double], x: Double, f: Double, df: Double, dp: [String: Double]
    ) throws {
        let k = try catalogKernel(name, params.mapValues { .number($0) })
        let out = k.outputs([Float(x)])
        // 10-digit table values: allow their rounding on top of the accuracy rule.
        func close(_ y: Float, _ r: Double) -> Bool { abs(Double(y) - r) <= 2e-6 * abs(r) + 1e-7 + 1e-10 }
        #expect(close(out.y[0], f), "f = \(out.y[0]), want \(f)")
        #expect(close(out.dydx[0], df), "f' = \(out.dydx[0]), want \(df)")
        for (p, want) in dp {
            let got = try #require(out.dparams[p]?.first)
            #expect(close(got, want), "∂f/∂\(p) = \(got), want \(want)")
        }
    }

    /// Configurations for the randomised float64 comparison: names, parameter ranges.
    static let randomConfigurations: [(name: String, ranges: [String: ClosedRange<Double>], approximate: String)] = [
        ("relu", [:], "none"), ("leaky_relu", ["negative_slope": -2...2], "none"), ("prelu", ["weight": -2...2], "none"),
        ("elu", ["alpha": -3...3], "none"), ("selu", [:], "none"), ("celu", ["alpha": 0.1...5], "none"),
        ("softplus", ["beta": 0.1...5], "none"), ("silu", ["beta": 0...5], "none"), ("mish", [:], "none"),
        ("sigmoid", [:], "none"), ("tanh", [:], "none"), ("hardsigmoid", [:], "none"), ("hardswish", [:], "none"),
        ("softsign", [:], "none"), ("gelu", [:], "none"), ("gelu", [:], "tanh"), ("gelu", [:], "sigmoid"),
        ("golu", ["alpha": 0.1...3, "beta": 0...3, "gamma": 0...3], "none"),
        ("sqish", ["alpha": 0...0.99, "beta": 0.1...5, "gamma": 0.1...3], "none"),
    ]

    /// Random x in [−40, 40] (half of them in [−6, 6]) and random parameters: every output meets
    /// the accuracy rule against float64 evaluations of the definitions.
    @Test(arguments: randomConfigurations.indices)
    func randomPointsAgainstFloat64(_ index: Int) throws {
        let (name, ranges, approximate) = Self.randomConfigurations[index]
        var rng = SeededGenerator(seed: 0xC0FFEE &+ UInt64(index))
        for trial in 0..<16 {
            var params: [String: Double] = [:]
            for (p, r) in ranges.sorted(by: { $0.key < $1.key }) {  // sorted: reproducible
                // Exactly representable parameters: the kernels compute in float32.
                params[p] = trial == 0 ? nil : Double(Float(Double.random(in: r, using: &rng)))
            }
            var values = params.mapValues { ParameterValue.number($0) }
            if name == "gelu" { values["approximate"] = .string(approximate) }
            let (_, resolved) = try Catalog.standard.resolve(name, params: values)
            let full = Dictionary(uniqueKeysWithValues: resolved.entries.compactMap { e -> (String, Double)? in
                if case .number(let v) = e.value { return (e.name, v) }
                return nil
            })
            let k = try catalogKernel(name, values)
            let xs: [Float] = (0..<2000).map { i in Float(Double.random(in: i.isMultiple(of: 2) ? -6...6 : -40...40, using: &rng)) }
            let out = k.outputs(xs)
            var problems: [String] = []
            for (i, x) in xs.enumerated() {
                let r = DoubleFormulas.evaluate(name, full, approximate: approximate, at: Double(x))
                if !meetsAccuracyRule(out.y[i], reference: r.f) { problems.append("f(\(x)) = \(out.y[i]), want \(r.f)") }
                if !meetsAccuracyRule(out.dydx[i], reference: r.df) { problems.append("f'(\(x)) = \(out.dydx[i]), want \(r.df)") }
                for (p, want) in r.dp where !meetsAccuracyRule(out.dparams[p]![i], reference: want) {
                    problems.append("∂f/∂\(p)(\(x)) = \(out.dparams[p]![i]), want \(want)")
                }
            }
            #expect(problems.isEmpty, "\(name) \(approximate) \(full): \(problems.count) failures, e.g. \(problems.prefix(6).joined(separator: "; "))")
        }
    }
}

extension ClosedFormReferenceTests {
    /// A dense sweep of every default configuration over [−16, 16] (step 2⁻¹¹, all float32
    /// exact): every output meets the accuracy rule against the float64 formulas.
    @Test(arguments: defaultConfigurations.indices)
    func denseSweepAtDefaults(_ index: Int) throws {
        let (name, params) = defaultConfigurations[index]
        let approximate: String
        if case .string(let a)? = params["approximate"] { approximate = a } else { approximate = "none" }
        let (_, resolved) = try Catalog.standard.resolve(name, params: params)
        let full = Dictionary(uniqueKeysWithValues: resolved.entries.compactMap { e -> (String, Double)? in
            if case .number(let v) = e.value { return (e.name, v) }
            return nil
        })
        let xs: [Float] = (-32768...32768).map { Float($0) / 2048 }
        let out = try catalogKernel(name, params).outputs(xs)
        var problems: [String] = []
        for (i, x) in xs.enumerated() {
            let r = DoubleFormulas.evaluate(name, full, approximate: approximate, at: Double(x))
            if !meetsAccuracyRule(out.y[i], reference: r.f) { problems.append("f(\(x)) = \(out.y[i]), want \(r.f)") }
            if !meetsAccuracyRule(out.dydx[i], reference: r.df) { problems.append("f'(\(x)) = \(out.dydx[i]), want \(r.df)") }
            for (p, want) in r.dp where !meetsAccuracyRule(out.dparams[p]![i], reference: want) {
                problems.append("∂f/∂\(p)(\(x)) = \(out.dparams[p]![i]), want \(want)")
            }
        }
        #expect(problems.isEmpty, "\(name) \(approximate): \(problems.count) failures, e.g. \(problems.prefix(6).joined(separator: "; "))")
    }
}
