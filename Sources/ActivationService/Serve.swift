import App
import ArgumentParser
import Dispatch
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// `activation-service serve` (the default): runs the service until SIGTERM/SIGINT.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTP service (the default).",
        discussion: Setting.helpText)

    /// The settings' flags, parsed by `AppConfiguration.load` from the one table of settings.
    @Argument(parsing: .allUnrecognized, help: .hidden) var settings: [String] = []

    func makeConfiguration() throws -> AppConfiguration {
        do {
            return try AppConfiguration.load(arguments: settings, environment: processEnvironment())
        } catch {
            throw ValidationError(error.description)
        }
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

#if canImport(Glibc)
/// glibc's `int mallopt(int, int)` from <malloc.h>, which the Glibc module does not export.
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
