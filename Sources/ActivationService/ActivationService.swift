import App
import ArgumentParser
import Dispatch
import Logging

#if canImport(Glibc)
import Glibc
#endif

@main
struct ActivationServiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activation-service",
        abstract: "Evaluates neural-network activation functions and their gradients over HTTP.",
        version: Application.version,
        subcommands: [Serve.self, Healthcheck.self],
        defaultSubcommand: Serve.self
    )
}

/// Reads `flag` if given, else the environment variable `name`, else nil.
func setting<T: LosslessStringConvertible>(_ flag: T?, env name: String) throws -> T? {
    if let flag { return flag }
    guard let raw = getenv(name).map({ String(cString: $0) }), !raw.isEmpty else { return nil }
    guard let value = T(raw) else { throw ValidationError("environment variable \(name)='\(raw)' is not a valid \(T.self)") }
    return value
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP service (the default).")

    @Option(help: "Listen address (env HOST, default 0.0.0.0).") var host: String?
    @Option(help: "Listen port; 0 picks a free one (env PORT, default 8080).") var port: Int?
    @Option(help: "trace|debug|info|notice|warning|error|critical (env LOG_LEVEL, default info).") var logLevel: String?
    @Option(help: "HTTP worker threads, 0 = cores (env THREADS).") var threads: Int?
    @Option(help: "Max request body bytes (env MAX_BODY_BYTES, default 67108864).") var maxBodyBytes: Int?
    @Option(help: "Max elements per array (env MAX_ELEMENTS, default 16777216).") var maxElements: Int?
    @Option(help: "Max JSON nesting depth (env MAX_DEPTH, default 32).") var maxDepth: Int?
    @Option(help: "Max inflated size of a gzip/deflate body (env MAX_INFLATED_BYTES, default 268435456).") var maxInflatedBytes: Int?
    @Option(help: "Idle connection timeout in seconds (env CONNECTION_TIMEOUT, default 30).") var connectionTimeout: Int?
    @Option(help: "Max concurrent connections (env MAX_CONNECTIONS, default 1024).") var maxConnections: Int?
    @Option(help: "Training worker threads (env JOB_WORKERS, default cores−1, at least 1).") var jobWorkers: Int?
    @Option(help: "Max queued jobs before 429 (env MAX_QUEUED_JOBS, default 64).") var maxQueuedJobs: Int?
    @Option(help: "Seconds a finished job is kept (env JOB_TTL, default 86400).") var jobTTL: Int?
    @Option(help: "Max samples×epochs×parameters of a job (env MAX_JOB_SIZE).") var maxJobSize: Int?
    @Option(help: "Seconds to let in-flight requests finish on shutdown (env DRAIN_TIMEOUT, default 20).") var drainTimeout: Int?
    @Option(help: "Bearer API key (env API_KEY); prefer --api-key-file.") var apiKey: String?
    @Option(help: "File holding the API key, e.g. a mounted Kubernetes secret (env API_KEY_FILE).") var apiKeyFile: String?
    @Option(help: "gzip level for responses, 1–9 (env GZIP_LEVEL, default 1).") var gzipLevel: Int?
    @Option(help: "Smallest response body that is compressed (env GZIP_MIN_BYTES, default 1024).") var gzipMinBytes: Int?
    @Option(help: "Max offloaded evaluations at once before 503 (env MAX_INFLIGHT, default 8×cores).") var maxInflight: Int?
    @Option(help: "Max body bytes of offloaded evaluations at once before 503 (env MAX_INFLIGHT_BYTES, default 536870912).") var maxInflightBytes: Int?

    func makeConfiguration() throws -> AppConfiguration {
        var c = AppConfiguration()
        if let v = try setting(host, env: "HOST") { c.host = v }
        if let v = try setting(port, env: "PORT") { c.port = v }
        if let v = try setting(logLevel, env: "LOG_LEVEL") {
            guard let level = Logger.Level(rawValue: v.lowercased()) else { throw ValidationError("unknown log level '\(v)'") }
            c.logLevel = level
        }
        if let v = try setting(threads, env: "THREADS") { c.threads = v }
        if let v = try setting(maxBodyBytes, env: "MAX_BODY_BYTES") { c.maxBodyBytes = v }
        if let v = try setting(maxElements, env: "MAX_ELEMENTS") { c.maxElements = v }
        if let v = try setting(maxDepth, env: "MAX_DEPTH") { c.maxDepth = v }
        if let v = try setting(maxInflatedBytes, env: "MAX_INFLATED_BYTES") { c.maxInflatedBytes = v }
        if let v = try setting(connectionTimeout, env: "CONNECTION_TIMEOUT") { c.connectionTimeoutSeconds = v }
        if let v = try setting(maxConnections, env: "MAX_CONNECTIONS") { c.maxConnections = v }
        if let v = try setting(jobWorkers, env: "JOB_WORKERS") { c.jobWorkers = v }
        if let v = try setting(maxQueuedJobs, env: "MAX_QUEUED_JOBS") { c.maxQueuedJobs = v }
        if let v = try setting(jobTTL, env: "JOB_TTL") { c.jobTTLSeconds = v }
        if let v = try setting(maxJobSize, env: "MAX_JOB_SIZE") { c.maxJobSize = v }
        if let v = try setting(drainTimeout, env: "DRAIN_TIMEOUT") { c.drainTimeoutSeconds = v }
        if let v = try setting(gzipLevel, env: "GZIP_LEVEL") { c.gzipLevel = v }
        if let v = try setting(gzipMinBytes, env: "GZIP_MIN_BYTES") { c.gzipMinBytes = v }
        if let v = try setting(maxInflight, env: "MAX_INFLIGHT") { c.maxInflight = v }
        if let v = try setting(maxInflightBytes, env: "MAX_INFLIGHT_BYTES") { c.maxInflightBytes = v }
        if let key = try setting(apiKey, env: "API_KEY") {
            c.apiKey = key
        } else if let path = try setting(apiKeyFile, env: "API_KEY_FILE") {
            c.apiKey = try readKeyFile(path)
        }
        guard (0...65535).contains(c.port) else { throw ValidationError("port must be 0–65535") }
        guard (1...9).contains(c.gzipLevel) else { throw ValidationError("gzip level must be 1–9") }
        guard c.maxBodyBytes > 0, c.maxElements > 0, c.maxDepth > 0, c.maxInflatedBytes > 0, c.maxInflight > 0, c.maxInflightBytes > 0 else {
            throw ValidationError("limits must be positive")
        }
        guard c.jobWorkers >= 1, c.maxQueuedJobs >= 0, c.jobTTLSeconds >= 0, c.drainTimeoutSeconds >= 0 else {
            throw ValidationError("job settings out of range")
        }
        return c
    }

    /// glibc serves allocations above its mmap threshold (128 KiB, rising only after frees) with
    /// fresh mappings, so every MB-sized request body, tensor and answer would be page-faulted in
    /// and unmapped again: ~20% of a 1M-float binary request's profile. Up to 32 MiB (glibc's maximum
    /// threshold) they come from the heap instead and are reused; up to 128 MiB of free heap is kept
    /// before trimming. MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ in the environment win.
    static func keepLargeBuffersInTheHeap() {
        #if canImport(Glibc)
        let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3  // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD (malloc.h)
        if getenv("MALLOC_MMAP_THRESHOLD_") == nil { _ = glibcMallopt(mmapThreshold, 32 << 20) }
        if getenv("MALLOC_TRIM_THRESHOLD_") == nil { _ = glibcMallopt(trimThreshold, 128 << 20) }
        #endif
    }

    func run() throws {
        if let message = CPUSupport.unsupportedCPUMessage() {
            let line = "activation-service: \(message)\n"
            _ = line.withCString { write(2, $0, strlen($0)) }
            throw ExitCode(78)  // EX_CONFIG: this build does not fit the machine
        }
        let configuration = try makeConfiguration()
        Self.keepLargeBuffersInTheHeap()
        LoggingSystem.bootstrap { label in
            // StreamLogHandler's format, cheaper per line; batched writes (flushed at exit).
            var handler = LineLogHandler(label: label, sink: .standardError)
            handler.logLevel = configuration.logLevel
            return handler
        }
        let logger = Logger(label: "activation-service")
        logger.info("configuration", metadata: configuration.loggable)
        let app = Application(configuration: configuration, logger: logger)
        do {
            try app.start()
        } catch {
            logger.critical("could not start: \(error)")  // critical: written at once
            throw ExitCode.failure
        }
        let stop = DispatchSemaphore(value: 0)
        var sources: [any DispatchSourceSignal] = []
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { stop.signal() }
            source.resume()
            sources.append(source)
        }
        stop.wait()
        logger.info("signal received: shutting down")
        app.shutdown()
        sources.forEach { $0.cancel() }
        LogSink.standardError.flush()
    }
}

private func readKeyFile(_ path: String) throws -> String {
    guard let f = fopen(path, "r") else { throw ValidationError("cannot read API key file \(path)") }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = fread(&buffer, 1, buffer.count, f)
        if n <= 0 { break }
        bytes.append(contentsOf: buffer[0..<n])
    }
    let key = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
    guard !key.isEmpty else { throw ValidationError("API key file \(path) is empty") }
    return key
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}

#if canImport(Glibc)
/// glibc's `int mallopt(int, int)` from <malloc.h>, which the Glibc module does not export.
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
