import Foundation
import TestSupport
import Testing

@testable import Activations

@Suite("Adversarial counterparts")
struct AdversarialTests {
    typealias Base = AdversarialTestBase

    static let globalNames = [
        "sigmoid", "tanh", "softsign", "softplus", "elu", "leaky_relu", "prelu", "selu", "celu",
    ]
    static let splitNames = ["silu", "gelu", "golu", "mish", "sqish"]
    static let unsupportedNames = ["relu", "hardsigmoid", "hardswish", "ditac"]

    // MARK: Reference values

    @Test func referenceHasEveryAdversarialCase() throws {
        _ = try ReferenceData.load()
        let names = Set(AdversarialReference.cases.map(\.activation))
        #expect(names == Set(Self.globalNames + Self.splitNames + ["relu", "hardsigmoid", "hardswish"]))
    }

    @Test(arguments: AdversarialReference.cases.indices)
    func referenceCase(_ index: Int) throws {
        let c = AdversarialReference.cases[index]
        if c.unsupported {
            #expect(AdversarialCounterparts.table[c.activation] == nil)
            #expect(throws: ActivationError.self) {
                _ = try Base.catalog.kernel(c.activation, params: c.params, adversarial: true)
            }
            return
        }
        let resolved = Base.params(c.activation, c.params)
        let direct = try #require(AdversarialCounterparts.table[c.activation]).makeKernel(resolved)
        let viaCatalog = try Base.catalog.kernel(c.activation, params: c.params, adversarial: true)
        for kernel in [direct, viaCatalog] {
            let (y, d) = adversarialEvaluate(kernel, c.x.map { $0 ?? .nan })
            var problems: [String] = []
            for i in c.x.indices {
                if !meetsAccuracyRule(y[i], reference: c.y[i]) {
                    problems.append("y(\(c.x[i]!)) = \(y[i]), want \(c.y[i]!)")
                }
                if !meetsAccuracyRule(d[i], reference: c.dydx[i]) {
                    problems.append("y'(\(c.x[i]!)) = \(d[i]), want \(c.dydx[i]!)")
                }
            }
            #expect(problems.isEmpty, "\(c): \(problems.count) failures: \(problems.prefix(8).joined(separator: "; "))")
        }
    }

    // MARK: Catalog

    @Test func catalogSupportField() {
        for name in Self.globalNames { #expect(Base.catalog.adversarialSupport(of: name) == .global, "\(name)") }
        for name in Self.splitNames { #expect(Base.catalog.adversarialSupport(of: name) == .split, "\(name)") }
        #expect(Base.catalog.adversarialSupport(of: "swish") == .split)
        for name in Self.unsupportedNames {
            #expect(Base.catalog.adversarialSupport(of: name) == .unsupported, "\(name)")
        }
        // Every catalog entry is covered exactly once.
        let all = Set(Self.globalNames + Self.splitNames + Self.unsupportedNames)
        #expect(all == Set(Base.entries.map(\.name)))
        #expect(Set(AdversarialCounterparts.table.keys) == Set(Self.globalNames + Self.splitNames))
        #expect(Set(AdversarialCounterparts.unsupportedReasons.keys) == Set(Self.unsupportedNames))
    }

    @Test func catalogTextStatesConstructionAndProvenance() throws {
        for (name, c) in AdversarialCounterparts.table {
            #expect(c.description.contains("2405.03712"), "\(name)")
            #expect(c.description.contains("abstract"), "\(name)")
            #expect(c.description.contains("body was not consulted"), "\(name)")
            #expect(c.description.contains(c.kind == .global ? "∫₀ˣ dt/f′(t)" : "∫₀ˣ dt/q′(t)"), "\(name)")
            #expect(!c.formula.isEmpty)
        }
    }

    @Test(arguments: ["relu", "hardsigmoid", "hardswish", "ditac"])
    func unsupportedAnswersWithReason(_ name: String) {
        do {
            _ = try Base.catalog.kernel(name, adversarial: true)
            Issue.record("\(name) has no counterpart but a kernel came back")
        } catch {
            #expect(error.code == .adversarialUnsupported)
            #expect(error.message == AdversarialCounterparts.unsupportedReasons[name])
            #expect(error.message.contains(name))
        }
        // Plain evaluation is unaffected.
        #expect((try? Base.catalog.kernel(name, adversarial: false)) != nil)
    }

    @Test func unsupportedReasonsNameTheCause() {
        let r = AdversarialCounterparts.unsupportedReasons
        #expect(r["relu"]!.contains("derivative is zero for x < 0"))
        #expect(r["hardsigmoid"]!.contains("derivative is zero"))
        #expect(r["hardswish"]!.contains("derivative is zero"))
        #expect(r["ditac"]!.contains("defines no counterpart"))
    }

    // MARK: Identities on random points

    static let globalParameterSets: [(String, [String: ParameterValue])] = [
        ("sigmoid", [:]), ("tanh", [:]), ("softsign", [:]), ("softplus", [:]), ("softplus", ["beta": .number(2)]),
        ("softplus", ["beta": .number(0.3)]), ("elu", [:]), ("elu", ["alpha": .number(0.5)]), ("selu", [:]),
        ("celu", [:]), ("celu", ["alpha": .number(2)]), ("leaky_relu", [:]),
        ("leaky_relu", ["negative_slope": .number(0.2)]), ("prelu", [:]), ("prelu", ["weight": .number(0.7)]),
    ]

    /// f′(x)·g′(x) = 1 (kernel g′ in float32, f′ in Double), g(0) = f(0), and g′ is the slope of g.
    @Test(arguments: globalParameterSets.indices)
    func globalIdentity(_ index: Int) throws {
        let (name, overrides) = Self.globalParameterSets[index]
        let p = Base.params(name, overrides)
        let entry = Base.entry(name)
        let kernel = try Base.catalog.kernel(name, params: overrides, adversarial: true)
        var rng = SeededGenerator(seed: UInt64(index) &+ 17)
        let xs = (0..<400).map { _ in Double(Float(rng.uniform(-8, 8))) } + [0]
        let (_, d) = adversarialEvaluate(kernel, xs)
        let g = try #require(
            AdversarialCounterparts.table[name]!.makeKernel(p) as? GlobalCounterpartKernel
        ).counterpart
        for (i, x) in xs.enumerated() {
            let product = Double(d[i]) * entry.df(x, p)
            #expect(abs(product - 1) <= 2e-6, "\(name) f'·g' at \(x) = \(product)")
            // g′ is the slope of g: central difference in Double away from the kink at 0.
            if abs(x) > 1e-3 {
                let h = 1e-5 * max(1, abs(x))
                let fd = (g.value(x + h) - g.value(x - h)) / (2 * h)
                #expect(abs(fd - g.slope(x)) <= 1e-6 * abs(g.slope(x)), "\(name) g' at \(x)")
            }
        }
        let (y0, _) = adversarialEvaluate(kernel, [0])
        #expect(abs(Double(y0[0]) - entry.f(0, p)) <= 1e-7)
    }

    static let splitParameterSets: [(String, [String: ParameterValue])] = [
        ("silu", [:]), ("silu", ["beta": .number(2)]), ("silu", ["beta": .number(0.5)]),
        ("gelu", [:]), ("gelu", ["approximate": .string("tanh")]), ("gelu", ["approximate": .string("sigmoid")]),
        ("mish", [:]), ("golu", [:]), ("golu", ["gamma": .number(2)]),
        ("golu", ["alpha": .number(0.8), "beta": .number(1.2), "gamma": .number(0.9)]),
        ("golu", ["alpha": .number(1.5), "beta": .number(0.05), "gamma": .number(3)]),
        ("golu", ["beta": .number(8)]), ("golu", ["beta": .number(-0.5)]),
        ("golu", ["alpha": .number(2), "beta": .number(-1), "gamma": .number(-1.5)]),
        ("golu", ["gamma": .number(-1)]), ("sqish", [:]), ("sqish", ["alpha": .number(1.5)]),
        ("sqish", ["alpha": .number(0.25)]),
        ("sqish", ["alpha": .number(0.25), "beta": .number(2), "gamma": .number(0.5)]),
        ("sqish", ["alpha": .number(0), "beta": .number(0.01), "gamma": .number(4)]),
    ]

    /// q̃(x) = q(0) + ∫₀ˣ dt/q′(t) against an independent composite Gauss–Legendre quadrature of the
    /// test's own q′; g′ = q̃ + x/q′ against the gate pair; the gates against the test's q, q′.
    @Test(arguments: splitParameterSets.indices)
    func splitIdentity(_ index: Int) throws {
        let (name, overrides) = Self.splitParameterSets[index]
        let p = Base.params(name, overrides)
        let kernel = try Base.catalog.kernel(name, params: overrides, adversarial: true)
        let pair = try #require(GatePair.make(for: name, params: p))
        var rng = SeededGenerator(seed: UInt64(index) &+ 1000)
        let xs =
            (0..<300).map { _ in Double(Float(rng.uniform(-6, 6))) }
            + (0..<100).map { _ in Double(Float(rng.uniform(-100, 100))) } + [0, 1e-30, -1e-30, 1e-3, -1e-3]
        let (y, d) = adversarialEvaluate(kernel, xs)
        let x32 = xs.map { Float($0) }
        func apply(_ f: (UnsafeBufferPointer<Float>, UnsafeMutableBufferPointer<Float>) -> Void) -> [Float] {
            var out = [Float](repeating: .nan, count: x32.count)
            x32.withUnsafeBufferPointer { xb in out.withUnsafeMutableBufferPointer { f(xb, $0) } }
            return out
        }
        let q = apply(pair.gate), dq = apply(pair.gateDerivative)
        let qt = apply(pair.counterpartGate), dqt = apply(pair.counterpartGateDerivative)
        // The one-pass form agrees bit for bit with the separate calls.
        for counterpart in [false, true] {
            var value = [Float](repeating: .nan, count: x32.count), slope = value
            x32.withUnsafeBufferPointer { xb in
                value.withUnsafeMutableBufferPointer { vb in
                    slope.withUnsafeMutableBufferPointer { sb in
                        pair.evaluate(xb, counterpart: counterpart, value: vb, slope: sb)
                    }
                }
            }
            let (wantValue, wantSlope) = counterpart ? (qt, dqt) : (q, dq)
            #expect(value.elementsEqual(wantValue) { $0 == $1 || ($0.isNaN && $1.isNaN) })
            #expect(slope.elementsEqual(wantSlope) { $0 == $1 || ($0.isNaN && $1.isNaN) })
        }
        // ∫₀ˣ dt/q′(t), accumulated from 0 outwards through the sorted points.
        var integrals = [Double](repeating: 0, count: xs.count)
        for side in [1.0, -1.0] {
            var at = 0.0, sum = 0.0
            for i in xs.indices.filter({ xs[$0] * side > 0 }).sorted(by: { abs(xs[$0]) < abs(xs[$1]) }) {
                sum += Self.quadrature(from: at, to: xs[i]) { 1 / Base.gateSlope(name, p, $0) }
                at = xs[i]
                integrals[i] = sum
            }
        }
        for (i, x) in xs.enumerated() {
            let wantQ = Base.gate(name, p, x), wantDQ = Base.gateSlope(name, p, x)
            #expect(meetsAccuracyRule(q[i], reference: wantQ), "\(name) q(\(x)) = \(q[i]), want \(wantQ)")
            #expect(meetsAccuracyRule(dq[i], reference: wantDQ), "\(name) q'(\(x)) = \(dq[i]), want \(wantDQ)")
            #expect(meetsAccuracyRule(dqt[i], reference: 1 / wantDQ), "\(name) 1/q'(\(x)) = \(dqt[i]), want \(1 / wantDQ)")
            let wantQt = Base.gate(name, p, 0) + integrals[i]
            #expect(meetsAccuracyRule(qt[i], reference: wantQt), "\(name) q̃(\(x)) = \(qt[i]), want \(wantQt)")
            #expect(meetsAccuracyRule(y[i], reference: x * wantQt), "\(name) g(\(x)) = \(y[i]), want \(x * wantQt)")
            let wantD = wantQt + x / wantDQ
            #expect(meetsAccuracyRule(d[i], reference: wantD), "\(name) g'(\(x)) = \(d[i]), want \(wantD)")
            // The split derivative formula on the float32 outputs of the gate pair.
            let formula = Double(qt[i]) + x * Double(dqt[i])
            guard formula.isFinite && d[i].isFinite else {
                #expect(d[i].isInfinite && (d[i] > 0) == (formula > 0) || !qt[i].isFinite || !dqt[i].isFinite)
                continue
            }
            #expect(abs(Double(d[i]) - formula) <= 4e-7 * (abs(Double(qt[i])) + abs(x * Double(dqt[i]))) + 1e-7)
        }
    }

    /// ∫_a^b f by 128-panel-per-unit composite 8-point Gauss–Legendre (independent of the Sources).
    static func quadrature(from a: Double, to b: Double, _ f: (Double) -> Double) -> Double {
        if a == b { return 0 }
        let nodes = [0.18343464249564980494, 0.52553240991632898582, 0.79666647741362673959, 0.96028985649753623168]
        let weights = [0.36268378337836198297, 0.31370664587788728734, 0.22238103445337447054, 0.10122853629037625915]
        let panels = max(1, Int((abs(b - a) * 128).rounded(.up)))
        let w = (b - a) / Double(panels)
        var sum = 0.0
        for k in 0..<panels {
            let m = a + (Double(k) + 0.5) * w
            for j in 0..<4 { sum += weights[j] * (f(m - 0.5 * w * nodes[j]) + f(m + 0.5 * w * nodes[j])) }
        }
        return sum * 0.5 * w
    }

    // MARK: Overflow, non-finite input, degenerate parameters

    @Test func overflowIsInfinityNotNaN() throws {
        let sigmoid = try Base.catalog.kernel("sigmoid", adversarial: true)
        let (y, d) = adversarialEvaluate(sigmoid, [-100, 100, -1e4, 1e4])
        #expect(y == [-.infinity, .infinity, -.infinity, .infinity])
        #expect(d == [.infinity, .infinity, .infinity, .infinity])

        let gelu = try Base.catalog.kernel("gelu", adversarial: true)
        let (gy, gd) = adversarialEvaluate(gelu, [-20, 20, -1e4, 1e4])
        #expect(gy == [.infinity, .infinity, .infinity, .infinity])
        #expect(gd == [-.infinity, .infinity, -.infinity, .infinity])

        let golu = try Base.catalog.kernel("golu", adversarial: true)
        let (oy, od) = adversarialEvaluate(golu, [-5, -100, 100])
        #expect(oy == [.infinity, .infinity, .infinity])
        #expect(od == [-.infinity, -.infinity, .infinity])

        let softplus = try Base.catalog.kernel("softplus", adversarial: true)
        let (sy, sd) = adversarialEvaluate(softplus, [-100, 100])
        #expect(sy[0] == -.infinity && sy[1] == 100 + Float(AdversarialMath.ln2) + 1)
        #expect(sd == [.infinity, 1])
    }

    /// No counterpart returns NaN for a finite input, and ±inf/NaN inputs give the limits/NaN.
    @Test(arguments: globalNames + splitNames)
    func noNaNForFiniteInput(_ name: String) throws {
        for overrides in (Self.globalParameterSets + Self.splitParameterSets).filter({ $0.0 == name }).map(\.1) {
            let kernel = try Base.catalog.kernel(name, params: overrides, adversarial: true)
            var xs: [Double] = [0, -0.0, 1e-45, -1e-45, 1e-30, -1e-30, 3.4e38, -3.4e38]
            for e in stride(from: -40.0, through: 38, by: 0.5) { xs += [pow(10, e), -pow(10, e)] }
            for v in stride(from: -200.0, through: 200, by: 0.37) { xs.append(v) }
            let (y, d) = adversarialEvaluate(kernel, xs)
            for i in xs.indices {
                #expect(!y[i].isNaN && !d[i].isNaN, "\(name) \(overrides) at \(xs[i]): \(y[i]) \(d[i])")
            }
            let (iy, id) = adversarialEvaluate(kernel, [.infinity, -.infinity, .nan])
            #expect(!iy[0].isNaN && !iy[1].isNaN && !id[0].isNaN && !id[1].isNaN, "\(name) ±inf")
            #expect(iy[2].isNaN && id[2].isNaN, "\(name) NaN")
            // ±inf inputs give the same limit as the largest finite inputs.
            let (my, md) = adversarialEvaluate(kernel, [3.4028234663852886e38, -3.4028234663852886e38])
            #expect(iy[0] == my[0] && iy[1] == my[1] && id[0] == md[0] && id[1] == md[1], "\(name)")
        }
    }

    /// Parameters at which f′ vanishes give the honest limits (±inf, never NaN).
    @Test func degenerateParametersGiveLimits() throws {
        let cases: [(String, [String: ParameterValue])] = [
            ("leaky_relu", ["negative_slope": .number(0)]), ("prelu", ["weight": .number(0)]),
            ("elu", ["alpha": .number(0)]), ("celu", ["alpha": .number(0)]), ("softplus", ["beta": .number(0)]),
            ("silu", ["beta": .number(0)]), ("golu", ["alpha": .number(0)]), ("golu", ["beta": .number(0)]),
            ("golu", ["gamma": .number(0)]), ("golu", ["beta": .number(1e300)]),
            ("sqish", ["gamma": .number(0)]), ("sqish", ["beta": .number(0)]),
        ]
        for (name, overrides) in cases {
            let kernel = try Base.catalog.kernel(name, params: overrides, adversarial: true)
            let (y, d) = adversarialEvaluate(kernel, [-2, -1e-30, 0, 1e-30, 2])
            for i in 0..<5 { #expect(!y[i].isNaN && !d[i].isNaN, "\(name) \(overrides) \(i): \(y[i]) \(d[i])") }
        }
        let silu0 = try Base.catalog.kernel("silu", params: ["beta": .number(0)], adversarial: true)
        let (sy, sd) = adversarialEvaluate(silu0, [-2, 0, 2])
        #expect(sy == [.infinity, 0, .infinity])
        #expect(sd == [-.infinity, 0.5, .infinity])
        let leaky0 = try Base.catalog.kernel("leaky_relu", params: ["negative_slope": .number(0)], adversarial: true)
        let (ly, ld) = adversarialEvaluate(leaky0, [-2, 0, 2])
        #expect(ly == [-.infinity, 0, 2])
        #expect(ld == [.infinity, .infinity, 1])
    }

    @Test func gatePairOnlyForSelfGatedEntries() {
        for name in Self.splitNames + ["swish"] {
            let p = Base.params(name == "swish" ? "silu" : name)
            #expect(GatePair.make(for: name, params: p) != nil, "\(name)")
        }
        #expect(GatePair.make(for: "swish", params: Base.params("silu"))?.name == "silu")
        for name in Self.globalNames + Self.unsupportedNames {
            #expect(GatePair.make(for: name, params: Base.params(name)) == nil, "\(name)")
        }
        #expect(GatePair.make(for: "gelu", params: Base.params("gelu"))?.originValue == 0.5)
    }

    /// The tables cover every shape up to ℓ = 200 on both sides and are built once.
    @Test func tablesCoverTheirRange() {
        for shape in GateShape.allCases {
            guard let t = shape.table else {
                #expect(shape.closedIntegral(0) == 0)
                continue
            }
            #expect(shape.ell(t.lower) > GateTable.ellLimit && shape.ell(t.upper) > GateTable.ellLimit, "\(shape)")
            #expect(t.ratio(0) == 0)
        }
    }
}
