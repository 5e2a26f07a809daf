extension Setting {
    /// Every setting of the service, in the order `--help`, the log line and the README show
    /// them. Adding a setting is one entry here (plus its field in `AppConfiguration`); the
    /// README table is checked against this list by a test.
    public static let all: [Setting] = [
        .text("host", \.host, valueName: "address", "listen address"),
        .integer("port", \.port, in: 0...65535, "listen port (0 picks a free one)"),
        .logLevel("log-level", \.logLevel,
                  "trace … critical; one line per request at info, written to stderr in batches (every 100 ms or 64 KiB, and at exit); warnings and errors at once"),
        .integer("threads", \.threads, in: 0...4096, default: "cores",
                 "libmicrohttpd epoll thread pool (0 = cores)"),
        .integer("max-body-bytes", \.maxBodyBytes, in: 1...Int.max,
                 "request body limit → 413 (refused from `Content-Length` before upload)"),
        .integer("max-elements", \.maxElements, in: 1...Int.max, "elements per array → 413"),
        .integer("max-depth", \.maxDepth, in: 1...Int.max, "JSON nesting depth → 400"),
        .integer("max-inflated-bytes", \.maxInflatedBytes, in: 1...Int.max,
                 "inflated size of a gzip/deflate body → 413"),
        .integer("connection-timeout", \.connectionTimeoutSeconds, in: 0...Int.max,
                 "idle/slow connection timeout, seconds"),
        .integer("max-connections", \.maxConnections, in: 1...Int.max, "concurrent connections"),
        .integer("job-workers", \.jobWorkers, in: 1...4096, default: "cores − 1 (≥ 1)", "training worker threads"),
        .integer("max-queued-jobs", \.maxQueuedJobs, in: 0...Int.max, "queued jobs before 429"),
        .integer("job-ttl", \.jobTTLSeconds, in: 0...Int.max, "seconds a finished job stays queryable"),
        .integer("max-job-size", \.maxJobSize, in: 1...Int.max, "samples × epochs × parameters per job → 422"),
        .integer("drain-timeout", \.drainTimeoutSeconds, in: 0...Int.max, "seconds in-flight requests get on shutdown"),
        .secret("api-key", \.apiKey, "bearer key for every route but the probes"),
        .integer("gzip-level", \.gzipLevel, in: 1...9,
                 "zlib level for compressed responses other than evaluation answers (those are Huffman-only coded by the service's own DEFLATE encoder: faster and smaller for float text)"),
        .integer("gzip-min-bytes", \.gzipMinBytes, in: 0...Int.max, "smaller responses are sent as identity"),
        .integer("max-inflight", \.maxInflight, in: 1...Int.max, default: "8 × cores",
                 "evaluations offloaded at once (bodies ≥ 256 KiB); more → 503 `overloaded` + `Retry-After`"),
        .integer("max-inflight-bytes", \.maxInflightBytes, in: 1...Int.max,
                 "body bytes those evaluations hold at once; more → 503 (one request is always admitted)"),
    ]
}
