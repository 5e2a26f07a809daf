/// Server settings (limits of API.md and SERVICE-NOTES.md §4.3).
public struct HTTPServerConfiguration: Sendable {
    public var host: String = "0.0.0.0"
    /// 0 picks a free port; `HTTPServer.start()` returns the bound one.
    public var port: Int = 8080
    /// libmicrohttpd thread pool size (epoll); default: the number of cores.
    public var threads: Int = 0
    /// Idle connections are closed after this many seconds.
    public var connectionTimeoutSeconds: Int = 30
    /// Per-connection memory for headers and I/O buffers.
    public var connectionMemoryLimit: Int = 128 * 1024
    /// Maximum concurrent connections.
    public var maxConnections: Int = 1024
    /// Maximum request body bytes (as sent on the wire).
    public var maxBodyBytes: Int = 64 * 1024 * 1024

    public init() {}
}
