import Foundation
import HTTPServer
import Testing

@testable import App

@Suite struct InferenceTests {
    let app = makeApp()

    @Test func serverAndModelMetadata() {
        let v2 = app.get("/v2").json
        #expect((v2["extensions"] as? [String])?.contains("binary_tensor_data") == true)
        let m = app.get("/v2/models/gelu").json
        #expect(m["name"] as? String == "gelu")
        #expect(((m["outputs"] as? [[String: Any]])?.compactMap { $0["name"] as? String }) == ["y", "dydx"])
        #expect(app.get("/v2/models/gelu/ready").status == 200)
        #expect(app.get("/v2/models/gelu/versions/1").status == 200)
        expectProblem(app.get("/v2/models/gelu/versions/7"), 404)
        expectProblem(app.get("/v2/models/nope"), 404)
    }

    @Test func jsonInferWithParameters() throws {
        let r = app.post("/v2/models/golu/infer", json: [
            "id": "req-1",
            "parameters": ["gamma": 2.0],
            "inputs": [["name": "x", "shape": [2, 2], "datatype": "FP32", "data": [-1, 0, 1, 2]]],
            "outputs": [["name": "y"], ["name": "dydx"]],
        ])
        try #require(r.status == 200, "\(r.text)")
        let j = r.json
        #expect(j["model_name"] as? String == "golu" && j["id"] as? String == "req-1")
        let outs = j["outputs"] as? [[String: Any]] ?? []
        #expect(outs.count == 2 && outs[0]["shape"] as? [Int] == [2, 2] && outs[0]["datatype"] as? String == "FP32")
        let native = app.post("/v1/activations/golu/forward", json: ["x": [-1, 0, 1, 2], "params": ["gamma": 2.0]])
        #expect(flatten(outs[0]["data"]) == flatten(native.json["y"]))
    }

    @Test func binaryTensorDataBothWays() throws {
        let xs: [Float] = [-2, -1, 0, 1, 2, 3]
        let header = Array("{\"inputs\":[{\"name\":\"x\",\"shape\":[6],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":24}}],\"outputs\":[{\"name\":\"dydx\",\"parameters\":{\"binary_data\":true}}]}".utf8)
        let body = header + xs.withUnsafeBytes { Array($0) }
        let r = app.post("/v2/models/sigmoid/infer", body: body, headers: [
            "Content-Type": "application/octet-stream", "Inference-Header-Content-Length": "\(header.count)",
        ])
        try #require(r.status == 200, "\(r.text)")
        let n = Int(r.headers["Inference-Header-Content-Length"] ?? "") ?? -1
        #expect(n > 0 && n < r.bytes.count)
        let json = try JSONSerialization.jsonObject(with: Data(r.bytes[0..<n])) as? [String: Any]
        let out = (json?["outputs"] as? [[String: Any]])?.first
        #expect((out?["parameters"] as? [String: Any])?["binary_data_size"] as? Int == 24)
        let values = Array(r.bytes[n...]).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let native = app.post("/v1/activations/sigmoid/gradient", json: ["x": xs.map(Double.init)])
        #expect(values == flatten(native.json["dydx"]).map { Float($0) })
    }

    @Test func fp64InputIsAccepted() throws {
        let xs: [Double] = [0.25, -0.75]
        let header = Array("{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP64\",\"parameters\":{\"binary_data_size\":16}}]}".utf8)
        let r = app.post("/v2/models/tanh/infer", body: header + xs.withUnsafeBytes { Array($0) }, headers: [
            "Inference-Header-Content-Length": "\(header.count)",
        ])
        try #require(r.status == 200, "\(r.text)")
        let outs = r.json["outputs"] as? [[String: Any]] ?? []
        #expect(outs.count == 2)
        #expect(abs(flatten(outs[0]["data"])[0] - tanh(0.25)) < 1e-6)
    }

    @Test func adversarialThroughParameters() throws {
        let r = app.post("/v2/models/relu/infer", json: [
            "parameters": ["adversarial": true],
            "inputs": [["name": "x", "shape": [1], "datatype": "FP32", "data": [1]]],
        ])
        let p = expectProblem(r, 422)
        #expect(p["error"] as? String != nil)
    }
}
