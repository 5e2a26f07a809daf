import Foundation
import HTTPServer
import Testing

@testable import App

@Suite struct EvaluationRouteTests {
    let app = makeApp()

    @Test func forwardKeepsNestedShapeAndFillsDefaults() throws {
        let r = app.post("/v1/activations/golu/forward", json: ["x": [[-1, 0, 1], [2, 3, 4]]])
        try #require(r.status == 200, "\(r.text)")
        let j = r.json
        #expect(j["activation"] as? String == "golu")
        #expect(j["shape"] as? [Int] == [2, 3])
        #expect((j["y"] as? [[Any]])?.count == 2)
        let params = j["params"] as? [String: Any]
        #expect(number(params?["alpha"]) == 1 && number(params?["beta"]) == 1 && number(params?["gamma"]) == 1)
        #expect(j["adversarial"] as? Bool == false)
    }

    @Test func aliasResolvesToCanonicalEntry() throws {
        let r = app.post("/v1/activations/swish/forward", json: ["x": [1.0]])
        try #require(r.status == 200)
        #expect(r.json["activation"] as? String == "silu")
    }

    @Test func nonFiniteValuesTravelAsStrings() throws {
        let r = app.post("/v1/activations/relu/forward", json: ["x": ["NaN", "Infinity", "-Infinity", 1]])
        try #require(r.status == 200, "\(r.text)")
        let y = r.json["y"] as? [Any] ?? []
        #expect(y[0] as? String == "NaN")
        #expect(y[1] as? String == "Infinity")
        #expect(number(y[2]) == 0)
    }

    @Test func gradientWithGradOutputGivesVJP() throws {
        let r = app.post("/v1/activations/silu/gradient",
                         json: ["x": [-1.0, 0.5, 2.0], "grad_output": [1.0, 2.0, 0.5], "params": ["beta": 1.5]])
        try #require(r.status == 200, "\(r.text)")
        let j = r.json
        let dydx = flatten(j["dydx"])
        let gi = flatten(j["grad_input"])
        for (k, g) in [1.0, 2.0, 0.5].enumerated() { #expect(abs(gi[k] - g * dydx[k]) <= 1e-6 * max(1, abs(gi[k]))) }
        let gp = j["grad_params"] as? [String: Any]
        // Σ g·∂f/∂β must equal the element-wise dparams reduced.
        let d = app.post("/v1/activations/silu/gradient", json: ["x": [-1.0, 0.5, 2.0], "params": ["beta": 1.5], "param_gradients": true])
        let dbeta = flatten((d.json["dparams"] as? [String: Any])?["beta"])
        let expected = zip([1.0, 2.0, 0.5], dbeta).map(*).reduce(0, +)
        #expect(abs((number(gp?["beta"]) ?? .nan) - expected) <= 1e-5)
    }

    @Test func binaryRoundTripWithQueryParameters() throws {
        let xs: [Float] = [-2, -0.5, 0, 0.5, 2]
        let body = xs.withUnsafeBytes { Array($0) }
        let r = app.post("/v1/activations/elu/forward?alpha=0.5", body: body, headers: ["Content-Type": "application/octet-stream"])
        try #require(r.status == 200, "\(r.text)")
        #expect(r.headers["Content-Type"] == "application/octet-stream")
        let ys = r.bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let json = app.post("/v1/activations/elu/forward", json: ["x": xs.map(Double.init), "params": ["alpha": 0.5]])
        #expect(ys == flatten(json.json["y"]).map { Float($0) })
    }

    @Test func npyInNpyOutPreservesShape() throws {
        // A hand-built v1.0 '<f4' file of shape (2, 2).
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }"
        var h = Array(header.utf8)
        while (10 + h.count + 1) % 64 != 0 { h.append(0x20) }
        h.append(0x0a)
        var file: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(h.count & 0xff), UInt8(h.count >> 8)] + h
        file += [Float(-1), 0, 1, 2].withUnsafeBytes { Array($0) }
        let r = app.post("/v1/activations/relu/gradient", body: file, headers: ["Content-Type": "application/x-npy"])
        try #require(r.status == 200, "\(r.text)")
        #expect(r.headers["Content-Type"] == "application/x-npy")
        let text = String(decoding: r.bytes.prefix(80), as: UTF8.self)
        #expect(text.contains("'shape': (2, 2)"))
        let headerLength = Int(r.bytes[8]) | Int(r.bytes[9]) << 8
        let data = Array(r.bytes[(10 + headerLength)...])
        let values = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(values == [0, 0, 1, 1])
    }

    @Test func acceptSelectsTheResponseFormat() throws {
        let r = app.post("/v1/activations/tanh/forward", json: ["x": [0.0, 1.0]], headers: ["Accept": "application/octet-stream"])
        #expect(r.status == 200 && r.bytes.count == 8)
        let n = app.post("/v1/activations/tanh/forward", json: ["x": [0.0]], headers: ["Accept": "text/html"])
        expectProblem(n, 406)
    }

    @Test func evaluateManyActivations() throws {
        let r = app.post("/v1/evaluate", json: [
            "x": [-1.0, 0.0, 1.0],
            "activations": [["name": "gelu"], ["name": "gelu", "params": ["approximate": "tanh"]], ["name": "sigmoid", "adversarial": true]],
            "outputs": ["y", "dydx"],
        ])
        try #require(r.status == 200, "\(r.text)")
        let results = r.json["results"] as? [[String: Any]] ?? []
        #expect(results.count == 3)
        #expect((results[1]["params"] as? [String: Any])?["approximate"] as? String == "tanh")
        #expect(results[2]["adversarial"] as? Bool == true)
        #expect(flatten(results[0]["dydx"]).count == 3)
    }

    @Test func emptyAndScalarInputs() throws {
        let e = app.post("/v1/activations/relu/forward", json: ["x": [] as [Double]])
        #expect(e.status == 200 && e.json["shape"] as? [Int] == [0])
        let s = app.post("/v1/activations/relu/forward", json: ["x": 2.5])
        #expect(s.status == 200 && s.json["shape"] as? [Int] == [] && number(s.json["y"]) == 2.5)
    }
}

/// A counterpart beyond float32 range is ±inf on the wire — JSON "Infinity", binary inf — never
/// NaN and never a clamp (docs/ACTIVATIONS.md §3 Decisions item 8).
@Suite struct AdversarialOverflowTests {
    let app = makeApp()

    @Test func jsonSpellsInfinity() throws {
        let r = app.post("/v1/activations/sigmoid/gradient", json: ["x": [-100.0, 100.0], "adversarial": true])
        try #require(r.status == 200, "\(r.text)")
        #expect(r.json["dydx"] as? [String] == ["Infinity", "Infinity"])
        let y = app.post("/v1/activations/sigmoid/forward", json: ["x": [-100.0, 0.0, 100.0], "adversarial": true])
        let values = y.json["y"] as? [Any] ?? []
        #expect(values.first as? String == "-Infinity" && values.last as? String == "Infinity")
        #expect(number(values[1]) == 0.5)
        let gelu = app.post("/v1/activations/gelu/forward", json: ["x": [-20.0, 20.0], "adversarial": true])
        #expect(gelu.json["y"] as? [String] == ["Infinity", "Infinity"])
    }

    @Test func binaryCarriesInfinity() throws {
        let xs: [Float] = [-100, 100, -1e30]
        let r = app.post("/v1/activations/tanh/forward?adversarial=true", body: xs.withUnsafeBytes { Array($0) },
                         headers: ["Content-Type": "application/octet-stream"])
        try #require(r.status == 200, "\(r.text)")
        let ys = r.bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(ys == [-.infinity, .infinity, -.infinity])
    }
}
