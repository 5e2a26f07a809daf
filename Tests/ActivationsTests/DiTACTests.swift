import Foundation
import TestSupport
import Testing

@testable import Activations

// MARK: - Reference data

/// The `ditac` and `gelu` cases of tests/reference/activations.json.
private enum DiTACReference {
    static let cases = ReferenceData.cases { ($0.activation == "ditac" || $0.activation == "gelu") && !$0.adversarial }
}

// MARK: - Helpers

private func ditacKernel(_ params: [String: ParameterValue]) throws -> any ActivationKernel {
    try Catalog.standard.kernel("ditac", params: params)
}

private func evaluate(_ kernel: any ActivationKernel, _ x: [Float]) -> (y: [Float], dydx: [Float], rows: [Float]) {
    let width = kernel.parameterGradientShapes.first?.width ?? 0
    var y = [Float](repeating: 0, count: x.count)
    var d = [Float](repeating: 0, count: x.count)
    var rows = [Float](repeating: .nan, count: x.count * width)
    x.withUnsafeBufferPointer { xs in
        y.withUnsafeMutableBufferPointer { kernel.forward(xs, into: $0) }
        d.withUnsafeMutableBufferPointer { kernel.derivative(xs, into: $0) }
        rows.withUnsafeMutableBufferPointer { kernel.parameterDerivatives(xs, into: [$0]) }
    }
    return (y, d, rows)
}

/// T01(u) of a field, in Double.
private func transform01(_ field: DiTACField, _ u: Double) -> Double {
    u + field.flow(from: u * Double(field.cells)).displacement / Double(field.cells)
}

/// ∂T01/∂w_1 … ∂T01/∂w_{n−1} at u (analytic).
private func velocityGradient(_ field: DiTACField, _ u: Double) -> [Double] {
    var g = [Double](repeating: 0, count: field.cells + 1)
    field.accumulateVelocityGradient(from: u * Double(field.cells), scale: 1, into: &g)
    return Array(g[1..<field.cells])
}

/// Random fields for the derivative checks: (name, velocities). Slopes stay below ~12 (T01′ up to
/// e^{12}) so that central differences in Double are still meaningful; steeper fields are covered by
/// the no-NaN test.
private func randomFields() -> [(String, [Double])] {
    var rng = SeededGenerator(seed: 2024)
    var fields: [(String, [Double])] = []
    for trial in 0..<4 {
        fields.append(("many cells #\(trial)", (0..<39).map { _ in Double.random(in: -0.1...0.1, using: &rng) }))
        fields.append(("steep #\(trial)", (0..<9).map { _ in Double.random(in: -0.6...0.6, using: &rng) }))
        // Alternating signs: a fixed point inside every cell, attracting and repelling in turn.
        fields.append(
            ("fixed points #\(trial)",
             (0..<11).map { i in (i % 2 == 0 ? 1 : -1) * Double.random(in: 0.05...0.6, using: &rng) }))
        fields.append(("small slopes #\(trial)", (0..<5).map { _ in Double.random(in: -1e-6...1e-6, using: &rng) }))
    }
    fields.append(("one velocity", [0.35]))
    fields.append(("worked example", [0.3, -0.2, 0.4]))
    return fields
}

// MARK: - Reference cases

@Test func ditacReferenceCasesMatch() throws {
    _ = try ReferenceData.load()
    let cases = DiTACReference.cases.filter { $0.activation == "ditac" }
    try #require(cases.count >= 2, "tests/reference/activations.json has no ditac cases")
    #expect(cases.contains { $0.dvelocities != nil })
    for c in cases {
        let kernel = try ditacKernel(c.params)
        let (y, d, rows) = evaluate(kernel, c.floatX)
        let width = kernel.parameterGradientShapes[0].width
        for i in c.x.indices {
            if let r = c.y[i] {
                #expect(meetsAccuracyRule(y[i], reference: r), "y(\(c.floatX[i])) = \(y[i]), want \(r) \(c.params)")
            }
            if let r = c.dydx[i] {
                #expect(meetsAccuracyRule(d[i], reference: r), "dydx(\(c.floatX[i])) = \(d[i]), want \(r) \(c.params)")
            }
            if let ref = c.dvelocities {
                #expect(ref[i].count == width)
                for j in 0..<width {
                    #expect(
                        meetsAccuracyRule(rows[i * width + j], reference: ref[i][j]),
                        "dvelocities(\(c.floatX[i]))[\(j)] = \(rows[i * width + j]), want \(ref[i][j].map { "\($0)" } ?? "null")")
                }
            }
        }
    }
}

/// The table of docs/ACTIVATIONS.md §9.9 Worked example (T01 closed form and dT/dx), checked in Double on the field itself.
@Test func workedExampleTrajectories() {
    let field = DiTACField(velocities: [0.3, -0.2, 0.4])
    let expected: [(u: Double, t: Double, slope: Double)] = [
        (0, 0, 3.3201169227), (0.05, 0.166005846137, 3.3201169227), (0.25, 0.379699707515, 0.1353352832),
        (0.375, 0.396616617919, 0.1353352832), (0.5, 0.413533528324, 0.1353352832),
        (0.65, 0.907025858530, 0.9297414147), (0.9, 0.979810348201, 0.2018965180), (1, 1, 0.2018965180),
    ]
    for e in expected {
        let f = field.flow(from: e.u * 4)
        #expect(abs(transform01(field, e.u) - e.t) < 1e-12, "T01(\(e.u))")
        #expect(abs(exp(f.logSlope) - e.slope) < 1e-10, "T01′(\(e.u))")
    }
}

// MARK: - GELU identity

@Test(arguments: [
    (-0.5, 2.0, 9), (-1.0, 1.0, 3), (-3.0, 3.0, 1), (-8.0, 8.0, 50), (0.0, 0.25, 4),
] as [(Double, Double, Int)])
func zeroVelocitiesAreGELU(a: Double, b: Double, count: Int) throws {
    let gelu = try #require(
        DiTACReference.cases.first {
            $0.activation == "gelu" && $0.params["approximate"] == .string("none") && $0.x.count > 30
        })
    let kernel = try ditacKernel([
        "a": .number(a), "b": .number(b), "velocities": .numbers(Array(repeating: 0, count: count)),
    ])
    // Outside any interval: the plain x·Φ(x) path.
    let far = try ditacKernel(["a": .number(1e6), "b": .number(2e6)])
    var xs = gelu.floatX
    xs += [Float(a), Float(b), Float(a).nextUp, Float(b).nextDown, Float((a + b) / 2)]
    let (y, d, rows) = evaluate(kernel, xs)
    let (y0, d0, _) = evaluate(far, xs)
    for i in xs.indices {
        // Bit-identical to the GELU path everywhere, also inside [a, b] and at its ends.
        #expect(y[i].bitPattern == y0[i].bitPattern || (y[i] == 0 && y0[i] == 0), "y(\(xs[i]))")
        #expect(d[i] == d0[i], "dydx(\(xs[i])) = \(d[i]) vs \(d0[i])")
        if i < gelu.x.count {
            if let r = gelu.y[i] { #expect(meetsAccuracyRule(y[i], reference: r), "gelu y(\(xs[i]))") }
            if let r = gelu.dydx[i] { #expect(meetsAccuracyRule(d[i], reference: r), "gelu dydx(\(xs[i]))") }
        }
    }
    // The velocity derivatives at zero are those of the field, not zero: the hat function of vertex j
    // moves x̃ by (b − a)Φ(x)·∂T01/∂w_j > 0 near that vertex.
    #expect(rows.contains { $0 > 0 })
}

// MARK: - Derivatives against finite differences

@Test func flowDerivativeInXMatchesFiniteDifferences() {
    var rng = SeededGenerator(seed: 7)
    for (name, velocities) in randomFields() {
        let field = DiTACField(velocities: velocities)
        let n = Double(field.cells)
        for _ in 0..<60 {
            let u = Double.random(in: 0.001...0.999, using: &rng)
            // Stay off the vertices, where T01 is C¹ but not C² (central differences lose digits).
            if abs(u * n - (u * n).rounded()) < 1e-4 { continue }
            let h = 1e-7
            let fd = (transform01(field, u + h) - transform01(field, u - h)) / (2 * h)
            let analytic = exp(field.flow(from: u * n).logSlope)
            #expect(abs(fd - analytic) <= 1e-4 * max(1, abs(analytic)), "\(name): u = \(u), \(analytic) vs FD \(fd)")
        }
    }
}

@Test func velocityDerivativesMatchFiniteDifferences() {
    var rng = SeededGenerator(seed: 11)
    for (name, velocities) in randomFields() {
        let field = DiTACField(velocities: velocities)
        let n = field.cells
        var points = (0..<25).map { _ in Double.random(in: 0...1, using: &rng) }
        // Vertices and the ends (fixed points 0 and 1), and fixed points inside cells.
        points += [0, 1, 1 / Double(n), Double(n / 2) / Double(n)]
        for c in 0..<n {
            let wl = c == 0 ? 0 : velocities[c - 1]
            let wr = c == n - 1 ? 0 : velocities[c]
            if wl * wr < 0 { points.append((Double(c) + wl / (wl - wr)) / Double(n)) }
        }
        for u in points {
            let analytic = velocityGradient(field, u)
            let scale = max(1, analytic.map(abs).max() ?? 0)
            for j in velocities.indices {
                let h = 1e-6
                var plus = velocities
                var minus = velocities
                plus[j] += h
                minus[j] -= h
                let fd =
                    (transform01(DiTACField(velocities: plus), u) - transform01(DiTACField(velocities: minus), u))
                    / (2 * h)
                #expect(
                    abs(fd - analytic[j]) <= 1e-5 * scale,
                    "\(name): u = \(u), ∂/∂w\(j + 1) = \(analytic[j]) vs FD \(fd)")
            }
        }
    }
}

/// The Float kernel against the Double field: dydx = T′Φ + x̃φ and rows = (b − a)Φ ∂T01/∂w.
@Test func kernelDerivativesAgreeWithFieldAndFiniteDifferences() throws {
    var rng = SeededGenerator(seed: 5)
    let velocities = (0..<14).map { _ in Double.random(in: -0.7...0.7, using: &rng) }
    let (a, b) = (-1.5, 2.5)
    let kernel = try ditacKernel(["a": .number(a), "b": .number(b), "velocities": .numbers(velocities)])
    let field = DiTACField(velocities: velocities)
    let xs = (0..<400).map { _ in Float.random(in: -3...4, using: &rng) }
    let (y, d, rows) = evaluate(kernel, xs)
    let width = velocities.count
    func f(_ x: Double) -> Double {
        guard x >= a && x <= b else { return x * ditacPhi(x) }
        return (a + (b - a) * transform01(field, (x - a) / (b - a))) * ditacPhi(x)
    }
    for (i, xf) in xs.enumerated() {
        let x = Double(xf)
        #expect(meetsAccuracyRule(y[i], reference: f(x)))
        // Central difference in Double, away from a and b (kinks).
        if abs(x - a) > 1e-3 && abs(x - b) > 1e-3 {
            let h = 1e-7
            let fd = (f(x + h) - f(x - h)) / (2 * h)
            #expect(abs(Double(d[i]) - fd) <= 1e-5 * max(1, abs(fd)), "dydx(\(x)) = \(d[i]) vs FD \(fd)")
        }
        let expected: [Double] =
            x >= a && x <= b
            ? velocityGradient(field, (x - a) / (b - a)).map { $0 * (b - a) * ditacPhi(x) }
            : Array(repeating: 0, count: width)
        for j in 0..<width { #expect(meetsAccuracyRule(rows[i * width + j], reference: expected[j])) }
    }
}

/// A kernel that only exposes element-wise rows, so `parameterGradients` uses the protocol default.
private struct RowsOnly: ActivationKernel {
    let base: any ActivationKernel
    func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        base.forward(x, into: y)
    }
    func derivative(_ x: UnsafeBufferPointer<Float>, into d: UnsafeMutableBufferPointer<Float>) {
        base.derivative(x, into: d)
    }
    var parameterGradientShapes: [ParameterGradientShape] { base.parameterGradientShapes }
    func parameterDerivatives(_ x: UnsafeBufferPointer<Float>, into outputs: [UnsafeMutableBufferPointer<Float>]) {
        base.parameterDerivatives(x, into: outputs)
    }
}

@Test(arguments: [0, 2048]) func vjpEqualsSumOfRows(lut: Int) throws {
    var rng = SeededGenerator(seed: 99)
    let velocities = (0..<9).map { _ in Double.random(in: -0.5...0.5, using: &rng) }
    let kernel = try ditacKernel(["velocities": .numbers(velocities), "lut": .number(Double(lut))])
    #expect(kernel.parameterGradientShapes == [ParameterGradientShape(name: "velocities", width: 9)])
    let xs = (0..<10_000).map { _ in Float.random(in: -1...2.5, using: &rng) }
    let g = (0..<10_000).map { _ in Float.random(in: -1...1, using: &rng) }
    let direct = xs.withUnsafeBufferPointer { x in
        g.withUnsafeBufferPointer { kernel.parameterGradients(x, gradOutput: $0) }
    }
    let viaRows = xs.withUnsafeBufferPointer { x in
        g.withUnsafeBufferPointer { RowsOnly(base: kernel).parameterGradients(x, gradOutput: $0) }
    }
    try #require(direct.count == 1 && direct[0].count == 9)
    for j in 0..<9 {
        #expect(abs(direct[0][j] - viaRows[0][j]) <= 1e-5 * max(1, abs(direct[0][j])), "velocity \(j + 1)")
    }
}

// MARK: - Lookup table

@Test func lookupTableMatchesWorkedExampleAndStaysWithinItsBound() throws {
    let example: [String: ParameterValue] = [
        "a": .number(-1), "b": .number(1), "velocities": .numbers([0.3, -0.2, 0.4]), "lut": .number(2048),
    ]
    let lut = try ditacKernel(example)
    // §9.9 Worked example: x = 0.3 → k = 1331, T = 0.8144593744.
    let (y, _, _) = evaluate(lut, [0.3])
    #expect(abs(Double(y[0]) - 0.8144593744 * ditacPhi(Double(Float(0.3)))) < 1e-6)

    var rng = SeededGenerator(seed: 3)
    for (name, velocities) in randomFields().prefix(8) {
        for n in [16, 100, 2048] {
            let (a, b) = (-0.5, 2.0)
            let params: [String: ParameterValue] = ["velocities": .numbers(velocities), "lut": .number(Double(n))]
            let table = try ditacKernel(params)
            let exact = try ditacKernel(params.merging(["lut": .number(0)]) { $1 })
            let xs = (0..<2000).map { _ in Float.random(in: Float(a)...Float(b), using: &rng) }
            let (yl, dl, rl) = evaluate(table, xs)
            let (ye, _, _) = evaluate(exact, xs)
            let field = DiTACField(velocities: velocities)
            let bound = (b - a) * 0.5 / Double(n - 1) * exp(field.maxAbsSlope)
            for i in xs.indices {
                let x = Double(xs[i])
                #expect(
                    abs(Double(yl[i]) - Double(ye[i])) <= bound * ditacPhi(x) + 1e-6 * (1 + abs(Double(ye[i]))),
                    "\(name), N = \(n), x = \(x)")
                // Straight-through: the continuous map's derivatives at the lattice point.
                let k = Int(((x - a) / (b - a) * Double(n - 1)).rounded())
                let uk = Double(k) / Double(n - 1)
                let f = field.flow(from: uk * Double(field.cells))
                let xt = a + (b - a) * Double(Float(transform01(field, uk)))
                let slope = Double(Float(exp(f.logSlope)))
                #expect(meetsAccuracyRule(dl[i], reference: slope * ditacPhi(x) + xt * ditacDensity(x)))
                let rows = velocityGradient(field, uk)
                for j in rows.indices {
                    #expect(meetsAccuracyRule(rl[i * rows.count + j], reference: rows[j] * (b - a) * ditacPhi(x)))
                }
            }
        }
    }
}

// MARK: - Extremes

@Test func extremeInputsAndFieldsNeverProduceNaN() throws {
    let fields: [[Double]] = [
        Array(repeating: 0, count: 9),
        [0.3, -0.2, 0.4],
        [1e3, -1e3, 1e3, -1e3],  // slopes of ±1e4: e^{slope} overflows Double
        [1e-300, -1e-300, Double.leastNonzeroMagnitude],
        [0, 0.5, 0, -0.5, 0],  // fixed points on vertices
        [40, 40, 40],  // everything rushes to 1
        [-40, -40, -40],
    ]
    for velocities in fields {
        for (a, b) in [(-0.5, 2.0), (-60.0, -50.0), (-1e30, 1e30), (1e-30, 2e-30)] {
            for lut in [0, 16] {
                let kernel = try ditacKernel([
                    "a": .number(a), "b": .number(b), "velocities": .numbers(velocities), "lut": .number(Double(lut)),
                ])
                var xs: [Float] = [
                    0, -0.0, 1, -1, 1e-30, -1e-30, 30, -30, 100, -100, 1e4, -1e4, .greatestFiniteMagnitude,
                    -.greatestFiniteMagnitude, Float(a), Float(b), Float(a).nextUp, Float(b).nextDown, -55, -50, -60,
                ]
                xs += (0...40).map { Float(a + (b - a) * Double($0) / 40) }
                let (y, d, rows) = evaluate(kernel, xs)
                #expect(!y.contains { $0.isNaN }, "y NaN for \(velocities) on [\(a), \(b)] lut \(lut)")
                #expect(!d.contains { $0.isNaN }, "dydx NaN for \(velocities) on [\(a), \(b)] lut \(lut)")
                #expect(!rows.contains { $0.isNaN }, "dparams NaN for \(velocities) on [\(a), \(b)] lut \(lut)")
                let g = [Float](repeating: 1, count: xs.count)
                let vjp = xs.withUnsafeBufferPointer { x in
                    g.withUnsafeBufferPointer { kernel.parameterGradients(x, gradOutput: $0) }
                }
                #expect(!vjp[0].contains { $0.isNaN })

                let (ys, ds, _) = evaluate(kernel, [.nan, .infinity, -.infinity])
                #expect(ys[0].isNaN && ds[0].isNaN)
                #expect(ys[1] == .infinity && ds[1] == 1)
                #expect(ys[2] == 0 && ds[2] == 0)
            }
        }
    }
}

@Test func pointsAtTheEndsAndOnVerticesTakeTheRightBranch() throws {
    // §9.9 hand traces: x = a and b are inside (T′ = e^{a_0}, e^{a_3}); x = 0 is the vertex u = 0.5
    // with v < 0, which leaves cell 2 at once and is attracted to 0.4 in cell 1.
    let kernel = try ditacKernel(["a": .number(-1), "b": .number(1), "velocities": .numbers([0.3, -0.2, 0.4])])
    let (y, d, _) = evaluate(kernel, [-1, 1, 0])
    #expect(meetsAccuracyRule(d[0], reference: exp(1.2) * ditacPhi(-1) + -1 * ditacDensity(-1)))
    #expect(meetsAccuracyRule(d[1], reference: exp(-1.6) * ditacPhi(1) + 1 * ditacDensity(1)))
    #expect(meetsAccuracyRule(y[2], reference: (-1 + 2 * (0.4 + 0.1 * exp(-2.0))) * 0.5))
    // Fixed point exactly on a vertex: u = 0.5 with w = 0 there stays put, slope of the right cell.
    let field = DiTACField(velocities: [0.5, 0, -0.5])
    let f = field.flow(from: 2)
    #expect(f.displacement == 0 && f.logSlope == -2)
}

// MARK: - Validation

@Test(arguments: [
    (["velocities": .number(1)], "velocities"),
    (["velocities": .string("zero")], "velocities"),
    (["velocities": .numbers([])], "velocities"),
    (["velocities": .numbers([0, .nan, 0])], "velocities/1"),
    (["velocities": .numbers([0, 0, .infinity])], "velocities/2"),
    (["a": .number(2)], "b"),
    (["a": .number(1), "b": .number(0)], "b"),
    (["a": .number(-1e308), "b": .number(1e308)], "b"),
    (["a": .number(.nan)], "a"),
    (["b": .number(.infinity)], "b"),
    (["a": .string("x")], "a"),
    (["lut": .number(1)], "lut"),
    (["lut": .number(15)], "lut"),
    (["lut": .number(2.5)], "lut"),
    (["lut": .number(-16)], "lut"),
    (["lut": .number(Double(1 << 21))], "lut"),
    (["lut": .string("fast")], "lut"),
    (["cells": .number(4)], "cells"),
] as [([String: ParameterValue], String)])
func invalidParametersAreRejectedWithAPointer(params: [String: ParameterValue], field: String) {
    #expect {
        _ = try ditacKernel(params)
    } throws: { error in
        guard let e = error as? ActivationError else { return false }
        return e.parameter == field && (e.code == .invalidParameter || e.code == .unknownParameter)
    }
}

@Test func defaultsAndAcceptedParameters() throws {
    let (d, r) = try Catalog.standard.resolve("ditac", params: [:])
    #expect(r["a"] == .number(-0.5) && r["b"] == .number(2) && r["lut"] == .number(0))
    #expect(r["velocities"] == .numbers(Array(repeating: 0, count: 9)))
    #expect(d.parameters.first { $0.name == "velocities" }?.trainable == true)
    #expect(d.parameters.filter(\.trainable).count == 1)
    #expect(d.description.contains("gelu_cpab") && d.description.contains("(N − 1)"))
    _ = try ditacKernel(["lut": .number(16)])
    _ = try ditacKernel(["velocities": .numbers([0.1]), "a": .number(0), "b": .number(1e-6)])
}

// MARK: - Prior

@Test func priorMatchesWorkedExample() {
    let prior = DiTACPrior(cells: 4)
    let w = [0.3, -0.2, 0.4]
    #expect(abs(prior.loss(velocities: w) - 0.06757271235) < 1e-10)
    // The intended gradient 2·0.1·Pθ in the QR basis of §9.9, mapped to velocities: ∇_w = MᵀB∇_θ.
    let basis: [[Double]] = [
        [-0.5052006008, 0.3019646016, 0.5165901137], [0, 0, 0],
        [0.7509070897, -0.0326086191, 0.2198882304], [-0.3140269226, 0.0836433052, 0.0741754708],
        [-0.2260377006, -0.6606319623, -0.2119903319], [0.1744454725, 0.3976549768, 0.2901147520],
        [-0.0196687883, 0.3912759798, -0.5244880122], [0.0196687883, -0.3912759798, 0.5244880122],
    ]
    let gTheta = [-0.0221436, -0.0226695, 0.0011346]
    let m = DiTACPrior.velocityMap(cells: 4)
    let g = prior.gradient(velocities: w)
    for k in 0..<3 {
        var expected = 0.0
        for row in 0..<8 {
            for j in 0..<3 { expected += m[row * 3 + k] * basis[row][j] * gTheta[j] }
        }
        #expect(abs(g[k] - expected) < 5e-6, "∂L/∂w\(k + 1) = \(g[k]) vs \(expected)")
    }
}

@Test(arguments: [2, 4, 10, 33]) func priorGradientMatchesFiniteDifferences(cells: Int) {
    var rng = SeededGenerator(seed: UInt64(cells))
    let prior = DiTACPrior(cells: cells, lambdaSmooth: 5, lambdaVar: 2, regularization: 0.1)
    let w = (0..<(cells - 1)).map { _ in Double.random(in: -1...1, using: &rng) }
    let g = prior.gradient(velocities: w)
    #expect(prior.loss(velocities: w) > 0)
    #expect(prior.loss(velocities: Array(repeating: 0, count: cells - 1)) == 0)
    for j in w.indices {
        let h = 1e-5
        var plus = w
        var minus = w
        plus[j] += h
        minus[j] -= h
        let fd = (prior.loss(velocities: plus) - prior.loss(velocities: minus)) / (2 * h)
        #expect(abs(fd - g[j]) <= 1e-6 * max(1, abs(g[j])), "cells \(cells), w\(j + 1): \(g[j]) vs FD \(fd)")
    }
}

@Test func priorSamplerIsSeededAndSmooth() {
    var r1 = SeededGenerator(seed: 42)
    var r2 = SeededGenerator(seed: 42)
    var r3 = SeededGenerator(seed: 43)
    let a = DiTACPrior.sampleVelocities(cells: 10, using: &r1)
    let b = DiTACPrior.sampleVelocities(cells: 10, using: &r2)
    let c = DiTACPrior.sampleVelocities(cells: 10, using: &r3)
    #expect(a.count == 9 && a == b && a != c)
    #expect(a.allSatisfy(\.isFinite) && a.contains { $0 != 0 })
    // Sample variances of w_k against Var(v(k/n)) under A ~ N(0, ΠΣ_PAΠ), Π the projection on the
    // CPA space (numpy, independent of the basis): 0.0757196, 0.1067738, 0.0466281 for n = 4.
    var rng = SeededGenerator(seed: 1)
    let draws = (0..<4000).map { _ in DiTACPrior.sampleVelocities(cells: 4, using: &rng) }
    for (k, expected) in [0.07571964374, 0.10677375788, 0.04662808198].enumerated() {
        let mean = draws.map { $0[k] }.reduce(0, +) / Double(draws.count)
        let variance = draws.map { ($0[k] - mean) * ($0[k] - mean) }.reduce(0, +) / Double(draws.count - 1)
        #expect(abs(mean) < 4 * (expected / Double(draws.count)).squareRoot(), "mean of w\(k + 1)")
        #expect(abs(variance / expected - 1) < 0.1, "variance of w\(k + 1): \(variance) vs \(expected)")
    }
}

/// Steep fields where Double central differences are useless (T01′ up to e^{28}): the analytic
/// derivatives against 80-digit mpmath central differences (h = 1e-40) of the closed-form flow.
@Test func steepFieldVelocityDerivativesMatchHighPrecision() {
    // Repelling runs crossing up to six cells, slopes up to 22.4.
    let repelling = DiTACField(velocities: [-2.0, 0.8, 3.6, 6.4, 8.8, 4.0, 1.6])
    let repellingExpected: [(Double, [Double])] = [
        (0.3, [0, 1.0228074696295156e-07, 2.6425302782860053e-07, 8.917911874232075e-08, 6.016147804102742e-08,
               2.3684206817480558e-07, 1.4347089433246653e-05]),
        (0.45, [0, 0, 4.599105077252818e-09, 3.4935648657907394e-08, 3.374980312690479e-08,
                1.3286530572964862e-07, 8.460787114603805e-06]),
        (0.62, [0, 0, 0, 1.396832013800044e-11, 1.4735890418621902e-08, 9.697170942486407e-08,
                6.339021183072587e-06]),
    ]
    for (u, expected) in repellingExpected {
        let g = velocityGradient(repelling, u)
        for j in g.indices {
            #expect(
                abs(g[j] - expected[j]) <= 1e-9 * abs(expected[j]), "u = \(u), w\(j + 1): \(g[j]) vs \(expected[j])")
        }
    }
    // 40 cells, points next to repelling fixed points (T01′ = e^{22.9}, e^{28.1}).
    let many = DiTACField(velocities: [
        0.09821242931688784, -0.32221447320984586, -0.1611390711093133, -0.3070506154220433, 0.2644623468429651,
        0.04193703782022268, -0.2905970672353755, 0.07707535002392846, -0.26491809480673434, -0.05851461796831359,
        -0.030755245804079956, 0.26958787917876015, 0.27521819385401525, 0.12917193320596332, -0.28355645774148197,
        0.1510196087925869, 0.393399575945901, -0.1287749216084536, 0.24675922600622802, -0.04297360890475621,
        0.0012801915825846888, 0.12987723947319751, -0.18688509293171807, -0.046561739697996596, 0.19273525676862202,
        0.330089866518661, -0.1112151311404917, 0.342870456987031, -0.24512929710199982, -0.24656228745793662,
        0.06857664467640473, -0.1674197992734662, -0.11384553962010885, -0.2411261516407489, -0.39622464464623897,
        0.3053470194273341, 0.1558199734121294, -0.07588132090714528, -0.04426194319525589,
    ])
    let manyExpected: [(Double, [Int: Double])] = [
        (0.11343148081038909, [3: 171572911.18361455, 4: 199202527.68520898]),
        (0.8891191792990047, [34: 23885685441.309246, 35: 30994562330.622696]),
    ]
    for (u, expected) in manyExpected {
        let g = velocityGradient(many, u)
        for j in g.indices {
            let want = expected[j] ?? 0
            #expect(abs(g[j] - want) <= 1e-8 * abs(want), "u = \(u), w\(j + 1): \(g[j]) vs \(want)")
        }
    }
}
