/// Delivers the response for one request; call `respond` exactly once, from any thread.
public struct Responder: Sendable {
    let deliver: @Sendable (HTTPResponse) -> Void
    public init(_ deliver: @escaping @Sendable (HTTPResponse) -> Void) { self.deliver = deliver }
    public func respond(_ response: HTTPResponse) { deliver(response) }
}

/// What the application plugs into the server.
public protocol HTTPHandler: Sendable {
    /// Called once the request head is in, before any body byte is read. Return a response to
    /// answer at once without reading the body (early 413 from Content-Length, 401, 415), or nil.
    func screen(_ head: HTTPRequest) -> HTTPResponse?
    /// Called with the complete body. May respond synchronously or later from another thread.
    func handle(_ request: HTTPRequest, responder: Responder)
    /// A body without Content-Length grew past `limit` bytes; it was discarded. The answer.
    func bodyTooLarge(_ head: HTTPRequest, limit: Int) -> HTTPResponse
}
