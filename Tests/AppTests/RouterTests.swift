import HTTPServer
import Testing

@testable import App

/// Router.match compares path segments byte for byte: the matching rules it must keep.
@Suite struct RouterTests {
    static let router: Router = {
        var r = Router()
        let ok: RouteHandler = { _ in HTTPResponse(status: 200) }
        r.add("GET", "/healthz", ok)
        r.add("GET", "/v1/activations", ok)
        r.add("GET", "/v1/activations/{name}", ok)
        r.add("POST", "/v1/activations/{name}/forward", ok)
        r.add("POST", "/v1/jobs/stats", ok)
        r.add("GET", "/v1/jobs/{id}", ok)
        r.add("DELETE", "/v1/jobs/{id}", ok)
        r.add("GET", "/v2/models/{model}/versions/{version}", ok)
        return r
    }()

    func found(_ method: String, _ path: String) -> (template: String, params: [String: String])? {
        if case .found(let route, let params) = Self.router.match(method: method, path: path) { return (route.template, params) }
        return nil
    }

    @Test func literalAndParameterSegments() {
        #expect(found("GET", "/healthz")?.template == "/healthz")
        #expect(found("GET", "/v1/activations")?.template == "/v1/activations")
        #expect(found("GET", "/v1/activations/gelu")?.params == ["name": "gelu"])
        #expect(found("POST", "/v1/activations/gelu/forward")?.params == ["name": "gelu"])
        let oip = found("GET", "/v2/models/silu/versions/1")
        #expect(oip?.template == "/v2/models/{model}/versions/{version}")
        #expect(oip?.params == ["model": "silu", "version": "1"])
    }

    @Test func emptySegmentsAreSkipped() {
        #expect(found("GET", "/healthz/")?.template == "/healthz")
        #expect(found("GET", "//v1//activations/")?.template == "/v1/activations")
        #expect(found("GET", "v1/activations/relu")?.params == ["name": "relu"])
    }

    @Test func segmentsMustMatchExactly() {
        #expect(found("GET", "/healthzz") == nil)
        #expect(found("GET", "/healt") == nil)
        #expect(found("GET", "/Healthz") == nil)
        #expect(found("GET", "/") == nil)
        #expect(found("GET", "") == nil)
        #expect(found("POST", "/v1/activations/gelu/forwardx") == nil)
        #expect(found("POST", "/v1/activations/gelu/forward/x") == nil)
    }

    @Test func nonASCIIParametersKeepTheirBytes() {
        #expect(found("GET", "/v1/activations/gélu")?.params == ["name": "gélu"])
        #expect(found("GET", "/v1/activations/\u{212A}")?.params == ["name": "\u{212A}"])  // Kelvin sign, not "K"
    }

    @Test func earlierRouteWinsAndHeadUsesGet() {
        #expect(found("POST", "/v1/jobs/stats")?.template == "/v1/jobs/stats")
        #expect(found("GET", "/v1/jobs/stats")?.template == "/v1/jobs/{id}")
        #expect(found("HEAD", "/v1/jobs/7")?.template == "/v1/jobs/{id}")
    }

    @Test func wrongMethodListsTheAllowedOnes() {
        guard case .methodNotAllowed(let allowed) = Self.router.match(method: "PUT", path: "/v1/jobs/7") else {
            Issue.record("expected 405")
            return
        }
        #expect(allowed == ["DELETE", "GET"])
        guard case .notFound = Self.router.match(method: "GET", path: "/nope") else {
            Issue.record("expected 404")
            return
        }
    }
}
