import Codecs
import HTTPServer

/// Probes, metrics, the OpenAPI document and the OIP server endpoints.
struct OperationsRoutes: Sendable {
    let readiness: Readiness
    let metrics: ServiceMetrics
    let openAPIDocument: [UInt8]
    let version: String

    func register(in router: inout Router) {
        router.add("GET", "/healthz") { _ throws(Problem) in jsonResponse(.object([("status", .string("ok"))])) }
        router.add("GET", "/readyz") { _ throws(Problem) in try self.ready() }
        router.add("GET", "/metrics") { _ throws(Problem) in
            HTTPResponse(status: 200, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"], bytes: self.metrics.exposition())
        }
        router.add("GET", "/openapi.yaml") { _ throws(Problem) in
            HTTPResponse(status: 200, headers: ["Content-Type": "application/yaml"], bytes: self.openAPIDocument)
        }
        router.add("GET", "/v2") { _ throws(Problem) in
            jsonResponse(.object([
                ("name", .string("activation-service")),
                ("version", .string(self.version)),
                ("extensions", .array([.string("binary_tensor_data")])),
            ]))
        }
        router.add("GET", "/v2/health/live") { _ throws(Problem) in jsonResponse(.object([("live", .bool(true))])) }
        router.add("GET", "/v2/health/ready") { _ throws(Problem) in
            _ = try self.ready()
            return jsonResponse(.object([("ready", .bool(true))]))
        }
    }

    private func ready() throws(Problem) -> HTTPResponse {
        switch readiness.state {
        case .ready: return jsonResponse(.object([("status", .string("ready"))]))
        case .starting: throw Problem(503, "not-ready", "Service unavailable", "the service is starting", headers: ["Retry-After": "1"])
        case .draining: throw Problem(503, "draining", "Service unavailable", "the service is shutting down", headers: ["Retry-After": "5"])
        }
    }
}
