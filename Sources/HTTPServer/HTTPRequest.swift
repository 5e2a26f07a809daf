/// A request as the application sees it: the body is complete (and still encoded as sent).
public struct HTTPRequest: Sendable {
    public var method: String
    /// The percent-decoded path, without the query string.
    public var path: String
    /// Query arguments in order, percent-decoded.
    public var query: [(name: String, value: String)]
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(
        method: String, path: String, query: [(name: String, value: String)] = [],
        headers: HTTPHeaders = [:], body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }
}
