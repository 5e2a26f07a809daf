/// Header fields in arrival order; lookups are case-insensitive.
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(name: String, value: String)] = []

    public init() {}
    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { (name: $0.0, value: $0.1) }
    }
    /// Takes `fields` as they are (the request head from libmicrohttpd).
    init(fields: [(name: String, value: String)]) { self.fields = fields }

    /// The first value of `name`, compared case-insensitively.
    public subscript(name: String) -> String? {
        fields.first { Self.sameName($0.name, name) }?.value
    }

    /// Every value of `name`.
    public func values(_ name: String) -> [String] {
        fields.filter { Self.sameName($0.name, name) }.map(\.value)
    }

    /// Field names are ASCII tokens (RFC 9110 §5.1): compares them ignoring ASCII case, without
    /// allocating lowercased copies (a request makes a dozen lookups, each would allocate).
    static func sameName(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }  // O(1) for native strings
        var a = a
        var b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                guard x.count == y.count else { return false }
                for i in 0..<x.count where x[i] != y[i] {
                    let l = x[i] &- 0x41 < 26 ? x[i] | 0x20 : x[i]
                    let r = y[i] &- 0x41 < 26 ? y[i] | 0x20 : y[i]
                    if l != r { return false }
                }
                return true
            }
        }
    }

    public mutating func add(_ name: String, _ value: String) { fields.append((name, value)) }

    /// Replaces every `name` field by one with `value`.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        fields.append((name, value))
    }

    public mutating func remove(_ name: String) {
        // Usually absent: look before removeAll, which rebuilds the array of tuples generically.
        guard fields.contains(where: { Self.sameName($0.name, name) }) else { return }
        fields.removeAll { Self.sameName($0.name, name) }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }
}

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

/// One piece of a streamed response body.
public enum StreamChunk: Sendable {
    case data([UInt8])
    /// Nothing to send yet: the server parks the connection until `wake` is called.
    case pending
    case end
}

/// A response body produced over time (Server-Sent Events).
public protocol ResponseStream: AnyObject, Sendable {
    /// Called on a server thread whenever the connection can take more data. Return `.pending`
    /// to wait; then call `wake` (from any thread, once) when data is ready.
    func next(wake: @escaping @Sendable () -> Void) -> StreamChunk
    /// The client went away or the server is stopping: release resources, end promptly.
    func close()
}

public struct HTTPResponse: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        case stream(any ResponseStream)
    }

    public var status: Int
    public var headers: HTTPHeaders
    public var body: Body

    public init(status: Int, headers: HTTPHeaders = [:], body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public init(status: Int, headers: HTTPHeaders = [:], bytes: [UInt8]) {
        self.init(status: status, headers: headers, body: .bytes(bytes))
    }
}

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
