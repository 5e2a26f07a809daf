import Foundation
import Gzip
import HTTPServer
import Testing

@testable import App

@Suite struct CompressionTests {
    let app = makeApp()
    let big: [Double] = (0..<2000).map { Double($0) / 100 - 10 }

    @Test func gzipWhenAskedAndVaryAlways() throws {
        let plain = app.post("/v1/activations/gelu/forward", json: ["x": big])
        #expect(plain.headers["Content-Encoding"] == nil)
        #expect(plain.headers["Vary"] == "Accept-Encoding")
        let gz = app.post("/v1/activations/gelu/forward", json: ["x": big], headers: ["Accept-Encoding": "gzip"])
        #expect(gz.headers["Content-Encoding"] == "gzip")
        #expect(gz.headers["Vary"] == "Accept-Encoding")
        #expect(gz.bytes.count < plain.bytes.count)
        let inflated = try Gzip.decompress(gz.bytes, coding: .gzip, maxOutputBytes: 1 << 24)
        #expect(inflated == plain.bytes)
    }

    @Test func evaluationAnswersUseHuffmanOnlyOtherJSONLevelOne() throws {
        // 2,000 floats (< 64 KiB of JSON): an evaluation answer is still Huffman-only coded; the
        // catalog (repetitive prose, not floats) keeps zlib's level 1.
        let plain = app.post("/v1/activations/gelu/forward", json: ["x": big])
        #expect(plain.bytes.count < ServiceHandler.huffmanOnlyMinBytes)
        let gz = app.post("/v1/activations/gelu/forward", json: ["x": big], headers: ["Accept-Encoding": "gzip"])
        #expect(gz.bytes == (try Gzip.compress(plain.bytes, coding: .gzip, level: 1, strategy: .huffmanOnly)))
        let catalog = app.get("/v1/activations")
        let catalogGz = app.get("/v1/activations", headers: ["Accept-Encoding": "gzip"])
        #expect(catalogGz.bytes == (try Gzip.compress(catalog.bytes, coding: .gzip, level: 1, strategy: .standard)))
        #expect(catalogGz.bytes != (try Gzip.compress(catalog.bytes, coding: .gzip, level: 1, strategy: .huffmanOnly)))
        // Errors from the evaluation routes are not float arrays.
        let problem = app.post("/v1/activations/nope/forward", json: ["x": big], headers: ["Accept-Encoding": "gzip"])
        #expect(problem.status == 404)
    }

    @Test func qValuesAreHonoured() {
        let d = app.post("/v1/activations/gelu/forward", json: ["x": big], headers: ["Accept-Encoding": "gzip;q=0.5, deflate;q=0.9"])
        #expect(d.headers["Content-Encoding"] == "deflate")
        let none = app.post("/v1/activations/gelu/forward", json: ["x": big], headers: ["Accept-Encoding": "gzip;q=0"])
        #expect(none.headers["Content-Encoding"] == nil)
    }

    @Test func smallBodiesAndBinaryStayIdentity() {
        let small = app.post("/v1/activations/gelu/forward", json: ["x": [1.0]], headers: ["Accept-Encoding": "gzip"])
        #expect(small.headers["Content-Encoding"] == nil)
        let floats = [Float](repeating: 1, count: 4096).withUnsafeBytes { Array($0) }
        let bin = app.post("/v1/activations/gelu/forward", body: floats, headers: ["Content-Type": "application/octet-stream", "Accept-Encoding": "gzip"])
        #expect(bin.status == 200 && bin.headers["Content-Encoding"] == nil)
    }

    @Test func gzipAndDeflateRequestsAreInflated() throws {
        let body = jsonBytes(["x": big])
        for coding in [ContentCoding.gzip, .deflate] {
            let packed = try Gzip.compress(body, coding: coding, level: 6)
            let r = app.post("/v1/activations/relu/forward", body: packed,
                             headers: ["Content-Type": "application/json", "Content-Encoding": coding == .gzip ? "gzip" : "deflate"])
            #expect(r.status == 200, "\(r.text)")
            #expect(flatten(r.json["y"]).count == big.count)
        }
    }

    @Test func decompressionBombIsRefused() throws {
        let small = makeApp { $0.maxInflatedBytes = 1 << 20 }
        let bomb = try Gzip.compress([UInt8](repeating: 0x20, count: 8 << 20), coding: .gzip, level: 9)
        let r = small.post("/v1/activations/relu/forward", body: bomb, headers: ["Content-Type": "application/json", "Content-Encoding": "gzip"])
        let p = expectProblem(r, 413)
        #expect((p["detail"] as? String)?.contains("\(1 << 20)") == true)
    }
}
