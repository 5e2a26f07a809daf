import Foundation
import HTTPServer
import Testing

@testable import App

/// One in-process service per test file (no sockets).
func makeApp(_ configure: (inout AppConfiguration) -> Void = { _ in }) -> Application {
    var c = AppConfiguration()
    c.port = 0
    configure(&c)
    let app = Application(configuration: c)
    app.readiness.set(.ready)
    return app
}

extension Application {
    func get(_ path: String, headers: HTTPHeaders = [:]) -> HTTPResponse {
        let (p, q) = splitQuery(path)
        return respond(to: HTTPRequest(method: "GET", path: p, query: q, headers: headers))
    }

    func post(_ path: String, body: [UInt8], headers: HTTPHeaders) -> HTTPResponse {
        var h = headers
        if h["Content-Length"] == nil { h.add("Content-Length", "\(body.count)") }
        let (p, q) = splitQuery(path)
        return respond(to: HTTPRequest(method: "POST", path: p, query: q, headers: h, body: body))
    }

    func post(_ path: String, json: Any, headers: HTTPHeaders = [:]) -> HTTPResponse {
        var h = headers
        if h["Content-Type"] == nil { h.add("Content-Type", "application/json") }
        return post(path, body: jsonBytes(json), headers: h)
    }
}

func splitQuery(_ path: String) -> (String, [(name: String, value: String)]) {
    guard let i = path.firstIndex(of: "?") else { return (path, []) }
    let query = path[path.index(after: i)...].split(separator: "&").map { pair -> (name: String, value: String) in
        let kv = pair.split(separator: "=", maxSplits: 1)
        return (String(kv[0]), kv.count > 1 ? String(kv[1]).removingPercentEncoding ?? String(kv[1]) : "")
    }
    return (String(path[..<i]), query)
}

func jsonBytes(_ value: Any) -> [UInt8] {
    Array(try! JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]))
}

extension HTTPResponse {
    var bytes: [UInt8] {
        if case .bytes(let b) = body { return b }
        return []
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The body parsed with Foundation (independent of the service's own parser).
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) as? [String: Any] ?? [:]
    }
}

/// A JSON number or one of the non-finite strings, as Double.
func number(_ any: Any?) -> Double? {
    switch any {
    case let n as NSNumber: return n.doubleValue
    case let s as String: return ["NaN": .nan, "Infinity": .infinity, "-Infinity": -.infinity][s]
    default: return nil
    }
}

/// Flattens nested JSON arrays of numbers.
func flatten(_ any: Any?) -> [Double] {
    if let a = any as? [Any] { return a.flatMap(flatten) }
    return number(any).map { [$0] } ?? []
}

/// Asserts the answer is a problem document with `status`, and returns it.
@discardableResult
func expectProblem(_ r: HTTPResponse, _ status: Int, sourceLocation: SourceLocation = #_sourceLocation) -> [String: Any] {
    #expect(r.status == status, "status \(r.status): \(r.text)", sourceLocation: sourceLocation)
    #expect(r.headers["Content-Type"] == "application/problem+json", sourceLocation: sourceLocation)
    let j = r.json
    #expect(j["status"] as? Int == status, sourceLocation: sourceLocation)
    #expect(j["detail"] as? String != nil && j["error"] as? String == j["detail"] as? String, sourceLocation: sourceLocation)
    #expect((j["type"] as? String)?.hasPrefix("https://") == true, sourceLocation: sourceLocation)
    return j
}
