import Activations
import Foundation
import HTTPServer
import Testing

@testable import App

/// Requests without params use kernels and answer heads prepared at start; they must answer
/// byte for byte what the general path answers when the same defaults are sent explicitly.
@Suite struct PreparedDefaultsTests {
    let app = makeApp()

    @Test(arguments: Catalog.standard.names)
    func defaultsAnswerLikeExplicitParameters(name: String) throws {
        let x: [Any] = [-3.5, -1.0, -0.25, 0.0, 0.5, 1.0, 2.75, 8.0]
        let implicit = app.post("/v1/activations/\(name)/forward", json: ["x": x])
        try #require(implicit.status == 200, "\(name): \(implicit.text)")
        let params = try #require(implicit.json["params"] as? [String: Any])
        // The same defaults spelled out go through Catalog.resolve and a fresh kernel.
        let explicit = app.post("/v1/activations/\(name)/forward", json: ["x": x, "params": params])
        try #require(explicit.status == 200, "\(name): \(explicit.text)")
        #expect(implicit.text == explicit.text)
        let binaryImplicit = app.post("/v1/activations/\(name)/gradient", body: floats(x), headers: ["Content-Type": "application/octet-stream"])
        let jsonGradient = app.post("/v1/activations/\(name)/gradient", json: ["x": x, "params": params])
        try #require(binaryImplicit.status == 200 && jsonGradient.status == 200)
        let dydx = flatten(jsonGradient.json["dydx"]).map { Float($0) }
        #expect(decodeFloats(binaryImplicit.bytes).elementsEqual(dydx) { $0 == $1 || ($0.isNaN && $1.isNaN) })
    }

    @Test func adversarialAndAliasRequestsStillResolve() throws {
        let alias = app.post("/v1/activations/swish/forward", json: ["x": [1.0]])
        #expect(alias.status == 200 && alias.json["activation"] as? String == "silu")
        let unknown = app.post("/v1/activations/nope/forward", json: ["x": [1.0]])
        #expect(unknown.status == 404)
    }

    func floats(_ x: [Any]) -> [UInt8] {
        x.flatMap { v -> [UInt8] in withUnsafeBytes(of: Float((v as! NSNumber).doubleValue).bitPattern.littleEndian) { Array($0) } }
    }

    func decodeFloats(_ bytes: [UInt8]) -> [Float] {
        stride(from: 0, to: bytes.count, by: 4).map { i in
            Float(bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24)
        }
    }
}
