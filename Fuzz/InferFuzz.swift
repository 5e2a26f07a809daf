// libFuzzer harness: the whole request pipeline of the App (Application.respond(to:), no
// sockets) for the evaluation and inference routes: inflation, content negotiation, JSON,
// .npy, raw float32 and OIP binary tensor bodies, parameters, activations.
//
// Input layout: byte 0 picks the route and Content-Type, byte 1 the content coding and
// Accept, bytes 2–3 the Inference-Header-Content-Length (little-endian; 0xFFFF = absent);
// the rest is the body. Invariant: every answer is a deliberate status (never 500) and a
// problem answer is application/problem+json.

import App
import HTTPServer
import Logging

private let app: Application = {
    var configuration = AppConfiguration()
    configuration.port = 0
    configuration.maxElements = 65_536
    configuration.maxDepth = 16
    configuration.maxInflatedBytes = 1 << 20
    var logger = Logger(label: "fuzz")
    logger.logLevel = .critical
    let app = Application(configuration: configuration, logger: logger)
    app.readiness.set(.ready)
    return app
}()

private let routes: [(path: String, type: String)] = [
    ("/v2/models/gelu/infer", "application/json"),
    ("/v2/models/golu/infer", "application/octet-stream"),
    ("/v2/models/ditac/versions/1/infer", "application/json"),
    ("/v1/activations/gelu/forward", "application/json"),
    ("/v1/activations/elu/gradient?alpha=0.5", "application/octet-stream"),
    ("/v1/activations/sqish/gradient", "application/x-npy"),
    ("/v1/evaluate", "application/json"),
    ("/v1/activations/ditac/forward", "application/json"),
]
private let codings = ["identity", "gzip", "deflate"]
private let accepts = ["application/json", "application/octet-stream", "application/x-npy", "*/*"]
private let allowed: Set<Int> = [200, 400, 404, 406, 413, 415, 422]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInfer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 4 else { return 0 }
    let route = routes[Int(data[0]) % routes.count]
    var headers: HTTPHeaders = ["Content-Type": route.type, "Accept": accepts[Int(data[1] >> 2) % accepts.count]]
    let coding = codings[Int(data[1] & 3) % codings.count]
    if coding != "identity" { headers.add("Content-Encoding", coding) }
    let headerLength = Int(data[2]) | Int(data[3]) << 8
    if headerLength != 0xFFFF, route.path.hasPrefix("/v2") { headers.add("Inference-Header-Content-Length", "\(headerLength)") }
    let body = Array(UnsafeBufferPointer(start: data + 4, count: size - 4))
    headers.add("Content-Length", "\(body.count)")
    let path = route.path.split(separator: "?", maxSplits: 1)
    let query = path.count > 1 ? path[1].split(separator: "&").map { pair -> (name: String, value: String) in
        let kv = pair.split(separator: "=", maxSplits: 1)
        return (String(kv[0]), kv.count > 1 ? String(kv[1]) : "")
    } : []
    let response = app.respond(to: HTTPRequest(method: "POST", path: String(path[0]), query: query, headers: headers, body: body))
    precondition(allowed.contains(response.status), "status \(response.status) for \(route.path)")
    if response.status != 200 {
        precondition(response.headers["Content-Type"]?.hasPrefix("application/problem+json") == true, "a problem must be problem+json")
    }
    return 0
}
