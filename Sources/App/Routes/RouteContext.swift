import HTTPServer

/// What a handler sees: the request, its path parameters, and the request id.
struct RouteContext: Sendable {
    var request: HTTPRequest
    var pathParameters: [String: String]
    var requestID: String
    /// The route template that matched (for metrics and logs), e.g. "/v1/activations/{name}".
    var route: String

    func queryValue(_ name: String) -> String? { request.query.last { $0.name == name }?.value }
}

typealias RouteHandler = @Sendable (RouteContext) throws(Problem) -> HTTPResponse
