import HTTPServer
import Logging
import SystemInfo

/// Every setting of the service as typed values. How each is named, parsed, validated, documented
/// and logged is declared once, in `Setting.all` (Settings.swift); the defaults are here.
public struct AppConfiguration: Sendable {
    public var host = "0.0.0.0"
    public var port = 8080
    public var logLevel: Logger.Level = .info
    /// libmicrohttpd worker threads (0 also means the number of cores).
    public var threads = SystemInfo.coreCount
    public var maxBodyBytes = 64 * 1024 * 1024
    public var maxElements = 16_777_216
    public var maxDepth = 32
    /// Cap on the inflated size of a gzip/deflate request body.
    public var maxInflatedBytes = 256 * 1024 * 1024
    public var connectionTimeoutSeconds = 30
    public var maxConnections = 1024
    public var jobWorkers = max(1, SystemInfo.coreCount - 1)
    public var maxQueuedJobs = 64
    /// Seconds a finished job stays queryable.
    public var jobTTLSeconds = 86_400
    /// Limit on samples × epochs × parameters of one job.
    public var maxJobSize = 2_000_000_000_000
    public var drainTimeoutSeconds = 20
    /// Bearer key required on every route but the probes; nil = open.
    public var apiKey: String? = nil
    /// zlib level for responses (1 = fastest; measured best for dynamic JSON).
    public var gzipLevel = 1
    /// Responses smaller than this are sent as identity.
    public var gzipMinBytes = 1024
    /// Requests at least this large are evaluated off the HTTP threads.
    public var offloadThresholdBytes = 256 * 1024
    /// Offloaded evaluations allowed at once; more are answered 503 + Retry-After.
    public var maxInflight = 8 * SystemInfo.coreCount
    /// Request body bytes offloaded evaluations may hold at once; more → 503 + Retry-After.
    public var maxInflightBytes = 512 * 1024 * 1024

    public init() {}

    var server: HTTPServerConfiguration {
        var c = HTTPServerConfiguration()
        c.host = host
        c.port = port
        c.threads = threads
        c.connectionTimeoutSeconds = connectionTimeoutSeconds
        c.maxConnections = maxConnections
        c.maxBodyBytes = maxBodyBytes
        return c
    }
}
