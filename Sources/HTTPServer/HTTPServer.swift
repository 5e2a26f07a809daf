import Dispatch
import Logging
import Synchronization

/// Server settings (limits: docs/API.md "Content negotiation and compression"; README "Configuration").
public struct HTTPServerConfiguration: Sendable {
    /// IPv4 or IPv6 literal, or `localhost`; `::` listens on IPv6 and IPv4 (dual stack).
    public var host: String = "0.0.0.0"
    /// 0 picks a free port; `HTTPServer.start()` returns the bound one.
    public var port: Int = 8080
    /// libmicrohttpd thread pool size (epoll); default: the number of cores.
    public var threads: Int = 0
    /// Idle connections are closed after this many seconds.
    public var connectionTimeoutSeconds: Int = 30
    /// Per-connection memory for headers and I/O buffers. libmicrohttpd zeroes all of it for
    /// every request: 32 KiB (as the bare C server) measured 9% less CPU per small request than
    /// 64 KiB and ~6% more per 1M-float upload (more, smaller reads); request heads up to
    /// ~28 KiB still fit, larger ones get 431 (docs/PERFORMANCE.md).
    public var connectionMemoryLimit: Int = 32 * 1024
    /// Maximum concurrent connections.
    public var maxConnections: Int = 1024
    /// Maximum request body bytes (as sent on the wire).
    public var maxBodyBytes: Int = 64 * 1024 * 1024

    public init() {}
}

/// An HTTP/1.1 server on libmicrohttpd that hands complete requests to an ``HTTPHandler``.
///
/// Requests are read on libmicrohttpd's thread pool. `screen` sees the head before any body byte,
/// `handle` the full body; a handler that responds later (from any thread) parks the connection
/// without holding a thread. Streams (``HTTPResponse/Body/stream(_:)``) use chunked encoding and
/// park while ``StreamChunk/pending``.
///
/// Lifecycle: ``start()`` once, ``shutdown(drainTimeout:)`` once (further calls wait for or return
/// after the first); a stopped server cannot be restarted.
public final class HTTPServer: Sendable {
    private enum Lifecycle {
        case idle
        case running(DaemonHandle, ServerCore)
        case stopping(DispatchGroup, ServerCore)
        case stopped
    }

    private let configuration: HTTPServerConfiguration
    private let handler: any HTTPHandler
    private let logger: Logger
    private let lifecycle = Mutex(Lifecycle.idle)

    public init(configuration: HTTPServerConfiguration, handler: any HTTPHandler, logger: Logger) {
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
    }

    deinit {
        shutdown(drainTimeout: .zero)
    }

    /// Binds and starts serving; returns the bound port (useful with `port = 0`).
    @discardableResult
    public func start() throws(HTTPServerError) -> Int {
        try lifecycle.withLock { (state) throws(HTTPServerError) -> Int in
            guard case .idle = state else {
                throw HTTPServerError(.invalidState, "the server was already started")
            }
            let core = ServerCore(handler: handler, maxBodyBytes: configuration.maxBodyBytes, logger: logger)
            let daemon = try DaemonHandle.start(configuration: configuration, core: core)
            state = .running(daemon, core)
            logger.info(
                "HTTP server listening",
                metadata: ["host": "\(configuration.host)", "port": "\(daemon.port)"]
            )
            return daemon.port
        }
    }

    /// Graceful, blocking shutdown; call from any thread except a handler running on the server.
    ///
    /// Stops accepting connections, waits up to `drainTimeout` for in-flight requests (including
    /// open streams) to finish, then closes the remaining streams, answers requests still waiting
    /// for their responder with 503, gives those last answers up to a second to flush, stops
    /// libmicrohttpd and closes the listen socket.
    /// Responses sent while draining carry `Connection: close`. Idempotent.
    public func shutdown(drainTimeout: Duration) {
        enum Action {
            case stop(DaemonHandle, ServerCore, DispatchGroup)
            case wait(DispatchGroup)
            case none
        }
        let action = lifecycle.withLock { state -> Action in
            switch state {
            case .idle:
                state = .stopped
                return .none
            case .running(let daemon, let core):
                let group = DispatchGroup()
                group.enter()
                state = .stopping(group, core)
                return .stop(daemon, core, group)
            case .stopping(let group, _):
                return .wait(group)
            case .stopped:
                return .none
            }
        }
        switch action {
        case .none:
            return
        case .wait(let group):
            group.wait()
        case .stop(let daemon, let core, let group):
            core.registry.beginDraining()
            daemon.quiesce()
            let pending = core.registry.inFlightCount
            if pending > 0 {
                logger.info("Draining in-flight requests", metadata: ["count": "\(pending)"])
            }
            if !core.registry.waitUntilIdle(timeout: drainTimeout) {
                logger.warning(
                    "Drain timeout passed; ending remaining requests",
                    metadata: ["count": "\(core.registry.inFlightCount)"]
                )
            }
            for participant in core.registry.beginStopping() { participant.shutDown() }
            // Let the 503s and stream terminators just queued reach their clients.
            _ = core.registry.waitUntilIdle(timeout: Self.finalFlushTimeout)
            daemon.stop()
            lifecycle.withLock { $0 = .stopped }
            logger.info("HTTP server stopped")
            group.leave()
        }
    }

    /// How long shutdown lets the final 503s and stream ends flush after the drain period.
    static let finalFlushTimeout = Duration.seconds(1)

    /// Requests handed to the handler whose response (or stream) is not finished.
    public var inFlightRequests: Int {
        let core = lifecycle.withLock { state -> ServerCore? in
            switch state {
            case .running(_, let core), .stopping(_, let core): core
            case .idle, .stopped: nil
            }
        }
        return core?.registry.inFlightCount ?? 0
    }

    /// True between a successful ``start()`` and the beginning of ``shutdown(drainTimeout:)``.
    public var isRunning: Bool {
        lifecycle.withLock { state in
            if case .running = state { return true }
            return false
        }
    }
}
