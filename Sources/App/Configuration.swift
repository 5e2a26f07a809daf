import HTTPServer
import Logging

/// Every setting of the service. Each has a command-line flag and an environment variable
/// (see the README's configuration table).
public struct AppConfiguration: Sendable {
    public var host = "0.0.0.0"
    public var port = 8080
    public var logLevel: Logger.Level = .info
    /// libmicrohttpd worker threads (0 = number of cores).
    public var threads = 0
    public var maxBodyBytes = 64 * 1024 * 1024
    public var maxElements = 16_777_216
    public var maxDepth = 32
    /// Cap on the inflated size of a gzip/deflate request body.
    public var maxInflatedBytes = 256 * 1024 * 1024
    public var connectionTimeoutSeconds = 30
    public var maxConnections = 1024
    public var jobWorkers = max(1, System.coreCount - 1)
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

    /// The settings as log metadata (never the API key itself).
    public var loggable: Logger.Metadata {
        [
            "host": "\(host)", "port": "\(port)", "threads": "\(threads == 0 ? System.coreCount : threads)",
            "max_body_bytes": "\(maxBodyBytes)", "max_elements": "\(maxElements)", "max_depth": "\(maxDepth)",
            "max_inflated_bytes": "\(maxInflatedBytes)", "connection_timeout": "\(connectionTimeoutSeconds)",
            "max_connections": "\(maxConnections)", "job_workers": "\(jobWorkers)",
            "max_queued_jobs": "\(maxQueuedJobs)", "job_ttl": "\(jobTTLSeconds)", "max_job_size": "\(maxJobSize)",
            "drain_timeout": "\(drainTimeoutSeconds)", "api_key": "\(apiKey == nil ? "unset" : "set")",
            "gzip_level": "\(gzipLevel)", "gzip_min_bytes": "\(gzipMinBytes)", "log_level": "\(logLevel)",
        ]
    }
}

enum System {
    /// Online cores, read once: `sysconf` opens /sys/devices/system/cpu/online on every call,
    /// which cost three system calls per evaluated request.
    static let coreCount: Int = {
        #if canImport(Glibc)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 2
        #endif
    }()
}

#if canImport(Glibc)
import Glibc
#endif
