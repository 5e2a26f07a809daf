import Foundation
import HTTPServer
import Testing

@testable import App

@Suite struct ServiceTests {
    let app = makeApp()

    @Test func probes() {
        #expect(app.get("/healthz").json["status"] as? String == "ok")
        #expect(app.get("/readyz").json["status"] as? String == "ready")
        app.readiness.set(.draining)
        let r = app.get("/readyz")
        expectProblem(r, 503)
        #expect(r.headers["Retry-After"] != nil)
        expectProblem(app.get("/v2/health/ready"), 503)
        #expect(app.get("/healthz").status == 200)
        app.readiness.set(.ready)
    }

    @Test func requestIDIsEchoedOrGenerated() {
        #expect(app.get("/healthz", headers: ["X-Request-Id": "abc-123"]).headers["X-Request-Id"] == "abc-123")
        #expect(app.get("/healthz").headers["X-Request-Id"]?.isEmpty == false)
    }

    @Test func metricsCountRequestsAndElements() {
        _ = app.post("/v1/activations/relu/forward", json: ["x": [1.0, 2.0, 3.0]])
        let text = app.get("/metrics").text
        #expect(text.contains("http_requests_total"))
        #expect(text.contains("activation_elements_evaluated_total"))
        #expect(text.contains("http_request_duration_seconds"))
        #expect(text.contains("http_request_bytes_total"))
    }

    @Test func openAPIIsTheRepositoryFile() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("openapi.yaml")
        let file = try String(contentsOf: url, encoding: .utf8)
        let served = app.get("/openapi.yaml")
        #expect(served.status == 200)
        #expect(served.text == file, "the document embedded by the EmbedFiles plugin differs from openapi.yaml")
    }

    /// Every route in openapi.yaml is registered, and every registered route is documented.
    @Test func openAPIMatchesTheRouter() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("openapi.yaml")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        var documented = Set<String>()
        var inPaths = false
        var current: String?
        for line in lines {
            if line.hasPrefix("paths:") { inPaths = true; continue }
            if inPaths, let f = line.first, f != " " { break }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                current = String(line.dropFirst(2).dropLast())
            } else if let path = current, line.hasPrefix("    "), !line.hasPrefix("     ") {
                let key = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "post", "put", "delete", "patch"].contains(String(key)) { documented.insert("\(key.uppercased()) \(path)") }
            }
        }
        let registered = Set(app.routes.map { "\($0.method) \($0.template)" })
        #expect(documented.subtracting(registered).isEmpty, "documented but not registered: \(documented.subtracting(registered).sorted())")
        #expect(registered.subtracting(documented).isEmpty, "registered but not documented: \(registered.subtracting(documented).sorted())")
        #expect(!registered.isEmpty)
    }

    @Test func apiKeyProtectsEverythingButProbes() {
        let secured = makeApp { $0.apiKey = "s3cret" }
        let r = secured.post("/v1/activations/relu/forward", json: ["x": [1.0]])
        expectProblem(r, 401)
        #expect(r.headers["WWW-Authenticate"]?.hasPrefix("Bearer") == true)
        expectProblem(secured.post("/v1/activations/relu/forward", json: ["x": [1.0]], headers: ["Authorization": "Bearer wrong"]), 401)
        #expect(secured.post("/v1/activations/relu/forward", json: ["x": [1.0]], headers: ["Authorization": "Bearer s3cret"]).status == 200)
        #expect(secured.get("/healthz").status == 200)
        #expect(secured.get("/readyz").status == 200)
        #expect(secured.get("/v2/health/live").status == 200)
        expectProblem(secured.get("/metrics"), 401)
        #expect(!r.text.contains("s3cret"))
    }

    @Test func catalogListsEveryEntryWithMetadata() throws {
        let r = app.get("/v1/activations")
        let entries = r.json["activations"] as? [[String: Any]] ?? []
        let names = Set(entries.compactMap { $0["name"] as? String })
        let required: Set<String> = ["relu", "leaky_relu", "prelu", "elu", "selu", "celu", "softplus", "silu", "mish", "sigmoid", "tanh",
                                     "hardsigmoid", "hardswish", "softsign", "gelu", "golu", "sqish", "ditac"]
        #expect(required.isSubset(of: names), "missing \(required.subtracting(names))")
        for e in entries {
            #expect(["global", "split", "unsupported"].contains(e["adversarial"] as? String ?? ""), "\(e["name"] ?? "")")
            #expect(e["parameters"] is [Any] && e["references"] is [Any] && e["formula"] is String)
        }
        let silu = app.get("/v1/activations/swish").json
        #expect(silu["name"] as? String == "silu")
        #expect((silu["aliases"] as? [String])?.contains("swish") == true)
        let adv = Dictionary(uniqueKeysWithValues: entries.map { ($0["name"] as! String, $0["adversarial"] as! String) })
        for n in ["sigmoid", "tanh", "softsign", "softplus", "elu", "leaky_relu", "prelu", "selu", "celu"] { #expect(adv[n] == "global", "\(n)") }
        for n in ["silu", "gelu", "golu", "mish", "sqish"] { #expect(adv[n] == "split", "\(n)") }
        for n in ["relu", "hardsigmoid", "hardswish", "ditac"] { #expect(adv[n] == "unsupported", "\(n)") }
    }
}
