import Foundation
import HTTPServer
import Testing

@testable import App

/// The bad-input catalog: each hostile or malformed request gets the right 4xx problem, and the
/// service keeps answering afterwards.
@Suite struct BadInputTests {
    let app = makeApp { c in
        c.maxBodyBytes = 1 << 20
        c.maxElements = 1000
        c.maxDepth = 8
        c.maxInflatedBytes = 64 * 1024
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let path: String
        let body: [UInt8]
        let headers: [String: String]
        let status: Int
        let pointer: String?
        var testDescription: String { name }
    }

    static func json(_ s: String) -> [UInt8] { Array(s.utf8) }
    static let forward = "/v1/activations/gelu/forward"

    static let cases: [Case] = [
        Case(name: "not JSON", path: forward, body: json("{x: [1,2]}"), headers: [:], status: 400, pointer: nil),
        Case(name: "truncated JSON", path: forward, body: json("{\"x\": [1, 2"), headers: [:], status: 400, pointer: nil),
        Case(name: "body not an object", path: forward, body: json("[1,2,3]"), headers: [:], status: 400, pointer: nil),
        Case(name: "missing x", path: forward, body: json("{\"params\": {}}"), headers: [:], status: 400, pointer: "/x"),
        Case(name: "ragged array", path: forward, body: json("{\"x\": [[1,2],[3]]}"), headers: [:], status: 400, pointer: "/x/1"),
        Case(name: "too deep", path: forward, body: json("{\"x\": " + String(repeating: "[", count: 50) + "1" + String(repeating: "]", count: 50) + "}"), headers: [:], status: 400, pointer: nil),
        Case(name: "deep nesting bomb", path: forward, body: json(String(repeating: "[", count: 100_000)), headers: [:], status: 400, pointer: nil),
        Case(name: "string element", path: forward, body: json("{\"x\": [1, \"a\"]}"), headers: [:], status: 400, pointer: "/x/1"),
        Case(name: "null element", path: forward, body: json("{\"x\": [1, null]}"), headers: [:], status: 400, pointer: "/x/1"),
        Case(name: "x is an object", path: forward, body: json("{\"x\": {\"a\": 1}}"), headers: [:], status: 400, pointer: "/x"),
        Case(name: "number beyond float32", path: forward, body: json("{\"x\": [1e39]}"), headers: [:], status: 400, pointer: nil),
        Case(name: "unknown field", path: forward, body: json("{\"x\": [1], \"parms\": {}}"), headers: [:], status: 400, pointer: "/parms"),
        Case(name: "unknown parameter", path: "/v1/activations/elu/forward", body: json("{\"x\": [1], \"params\": {\"beta\": 1}}"), headers: [:], status: 400, pointer: "/params/beta"),
        Case(name: "parameter wrong type", path: "/v1/activations/elu/forward", body: json("{\"x\": [1], \"params\": {\"alpha\": \"big\"}}"), headers: [:], status: 400, pointer: "/params/alpha"),
        Case(name: "parameter out of range", path: "/v1/activations/softplus/forward", body: json("{\"x\": [1], \"params\": {\"beta\": -1}}"), headers: [:], status: 400, pointer: "/params/beta"),
        Case(name: "bad enum", path: forward, body: json("{\"x\": [1], \"params\": {\"approximate\": \"erf\"}}"), headers: [:], status: 400, pointer: "/params/approximate"),
        Case(name: "adversarial not bool", path: forward, body: json("{\"x\": [1], \"adversarial\": \"yes\"}"), headers: [:], status: 400, pointer: "/adversarial"),
        Case(name: "grad_output size mismatch", path: "/v1/activations/gelu/gradient", body: json("{\"x\": [1, 2], \"grad_output\": [1]}"), headers: [:], status: 400, pointer: "/grad_output"),
        Case(name: "too many elements", path: forward, body: json("{\"x\": [" + Array(repeating: "1", count: 1001).joined(separator: ",") + "]}"), headers: [:], status: 413, pointer: nil),
        Case(name: "unknown activation", path: "/v1/activations/nope/forward", body: json("{\"x\": [1]}"), headers: [:], status: 404, pointer: nil),
        Case(name: "no counterpart", path: "/v1/activations/relu/forward", body: json("{\"x\": [1], \"adversarial\": true}"), headers: [:], status: 422, pointer: "/adversarial"),
        Case(name: "binary length not multiple of 4", path: forward, body: [0, 0, 128], headers: ["Content-Type": "application/octet-stream"], status: 400, pointer: nil),
        Case(name: "binary bad query parameter", path: "/v1/activations/elu/forward?alpha=abc", body: [0, 0, 0, 0], headers: ["Content-Type": "application/octet-stream"], status: 400, pointer: nil),
        Case(name: "corrupt npy", path: forward, body: [0x93] + Array("NUMPY".utf8) + [1, 0, 10, 0] + Array("{garbage}\n".utf8), headers: ["Content-Type": "application/x-npy"], status: 400, pointer: nil),
        Case(name: "unsupported content type", path: forward, body: json("x=1"), headers: ["Content-Type": "application/x-www-form-urlencoded"], status: 415, pointer: nil),
        Case(name: "unsupported content encoding", path: forward, body: json("{\"x\": [1]}"), headers: ["Content-Encoding": "br"], status: 415, pointer: nil),
        Case(name: "corrupt gzip", path: forward, body: [0x1f, 0x8b, 8, 0, 1, 2, 3], headers: ["Content-Encoding": "gzip"], status: 400, pointer: nil),
        Case(name: "declared body over the limit", path: forward, body: [], headers: ["Content-Length": "\(2 << 20)"], status: 413, pointer: nil),
        Case(name: "OIP shape mismatch", path: "/v2/models/gelu/infer", body: json("{\"inputs\": [{\"name\": \"x\", \"shape\": [3], \"datatype\": \"FP32\", \"data\": [1, 2]}]}"), headers: [:], status: 400, pointer: "/inputs/0/data"),
        Case(name: "OIP wrong datatype", path: "/v2/models/gelu/infer", body: json("{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"INT8\", \"data\": [1]}]}"), headers: [:], status: 400, pointer: "/inputs/0/datatype"),
        Case(name: "OIP unknown model", path: "/v2/models/nope/infer", body: json("{\"inputs\": []}"), headers: [:], status: 404, pointer: nil),
        Case(name: "OIP bad header length", path: "/v2/models/gelu/infer", body: json("{}"), headers: ["Inference-Header-Content-Length": "99"], status: 400, pointer: nil),
        { () -> Case in
            let h = json("{\"inputs\": [{\"name\": \"x\", \"shape\": [2], \"datatype\": \"FP32\", \"parameters\": {\"binary_data_size\": 8}}]}")
            return Case(name: "OIP binary size mismatch", path: "/v2/models/gelu/infer", body: h + [0, 0, 0, 0], headers: ["Inference-Header-Content-Length": "\(h.count)"], status: 400, pointer: "/inputs/0/parameters/binary_data_size")
        }(),
        Case(name: "evaluate empty list", path: "/v1/evaluate", body: json("{\"x\": [1], \"activations\": []}"), headers: [:], status: 400, pointer: "/activations"),
        Case(name: "evaluate bad output", path: "/v1/evaluate", body: json("{\"x\": [1], \"activations\": [{\"name\": \"relu\"}], \"outputs\": [\"z\"]}"), headers: [:], status: 400, pointer: "/outputs/0"),
    ]

    @Test(arguments: cases)
    func badInputGetsProblem(_ c: Case) throws {
        var headers = HTTPHeaders()
        for (k, v) in c.headers { headers.add(k, v) }
        if headers["Content-Type"] == nil { headers.add("Content-Type", "application/json") }
        let r = app.post(c.path, body: c.body, headers: headers)
        let p = expectProblem(r, c.status)
        if let pointer = c.pointer {
            let pointers = (p["errors"] as? [[String: Any]])?.compactMap { $0["pointer"] as? String } ?? []
            #expect(pointers.contains(pointer), "pointers \(pointers) in \(r.text)")
        }
        if c.status == 415 && c.headers["Content-Encoding"] != nil {
            #expect(r.headers["Accept-Encoding"] == "gzip, deflate")
        }
        // The service keeps serving.
        #expect(app.get("/healthz").status == 200)
        #expect(app.post("/v1/activations/relu/forward", json: ["x": [1.0]]).status == 200)
    }

    @Test func routingErrors() {
        expectProblem(app.get("/nope"), 404)
        let r = app.get("/v1/activations/gelu/forward")
        expectProblem(r, 405)
        #expect(r.headers["Allow"] == "POST")
        let unknown = expectProblem(app.get("/v1/activations/nope"), 404)
        #expect((unknown["detail"] as? String)?.contains("gelu") == true)
    }
}
