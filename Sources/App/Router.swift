import HTTPServer

/// What a handler sees: the request, its path parameters, and the request id.
struct RequestContext: Sendable {
    var request: HTTPRequest
    var pathParameters: [String: String]
    var requestID: String
    /// The route template that matched (for metrics and logs), e.g. "/v1/activations/{name}".
    var route: String

    func queryValue(_ name: String) -> String? { request.query.last { $0.name == name }?.value }
}

typealias RouteHandler = @Sendable (RequestContext) throws(Problem) -> HTTPResponse

/// Method + path-template table. Templates use `{name}` for one path segment.
struct Router: Sendable {
    struct Route: Sendable {
        let method: String
        let template: String
        let segments: [Segment]
        /// Evaluate off the HTTP threads when the body is large.
        let heavy: Bool
        let handler: RouteHandler
    }

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    enum Match {
        case found(Route, [String: String])
        case methodNotAllowed([String])
        case notFound
    }

    private(set) var routes: [Route] = []

    mutating func add(_ method: String, _ template: String, heavy: Bool = false, _ handler: @escaping RouteHandler) {
        let segments = template.split(separator: "/").map { s -> Segment in
            s.hasPrefix("{") && s.hasSuffix("}") ? .parameter(String(s.dropFirst().dropLast())) : .literal(String(s))
        }
        routes.append(Route(method: method, template: template, segments: segments, heavy: heavy, handler: handler))
    }

    func match(method: String, path: String) -> Match {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        var allowed: [String] = []
        for route in routes where route.segments.count == parts.count {
            var params: [String: String] = [:]
            var ok = true
            for (seg, part) in zip(route.segments, parts) {
                switch seg {
                case .literal(let l): if l != part { ok = false }
                case .parameter(let name): params[name] = String(part)
                }
                if !ok { break }
            }
            guard ok else { continue }
            // Literal routes win over parameter routes with the same shape.
            if route.method == method || (method == "HEAD" && route.method == "GET") {
                return .found(route, params)
            }
            allowed.append(route.method)
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(Array(Set(allowed)).sorted())
    }
}
