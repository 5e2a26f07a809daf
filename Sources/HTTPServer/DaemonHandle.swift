// The libmicrohttpd layer (DaemonHandle, MHDCallbacks, InFlightRequest, StreamingBody,
// ResponseBytes): the only files that see MHD types, OpaquePointer, Unmanaged and the
// @convention(c) trampolines. Everything above them works with HTTPRequest/HTTPResponse.
//
// Threads: MHD calls the trampolines on its pool threads; calls for one connection are
// serialized, different connections run concurrently. Responders and stream wake-ups arrive on
// arbitrary threads. Per-request state lives in a class behind a Mutex; every MHD call that
// suspends or resumes a connection is made while holding that Mutex, so "suspended" in our state
// and in MHD never disagree (MHD forbids resuming a connection that is not suspended).

internal import CMicroHTTPD
import Logging
import Synchronization
import SystemInfo

#if canImport(Glibc)
import Glibc
#endif

/// A `struct MHD_Connection *`.
///
/// @unchecked Sendable: the pointer is only dereferenced by MHD. We pass it to
/// `MHD_queue_response`/`MHD_suspend_connection` on the MHD thread that is serving the
/// connection, and to `MHD_resume_connection` (documented thread-safe) only while our state says
/// the connection is suspended — a suspended connection cannot be closed or freed, so the
/// pointer is valid for that call.
struct ConnectionRef: @unchecked Sendable {
    let raw: OpaquePointer
}

/// Shared, immutable-after-start context handed to every callback as `cls`.
final class ServerCore: Sendable {
    let handler: any HTTPHandler
    let maxBodyBytes: Int
    let logger: Logger
    let registry = ConnectionRegistry()
    /// The last message MHD logged, quoted in start errors ("Failed to bind to port …").
    let lastLogMessage = Mutex<String?>(nil)

    init(handler: any HTTPHandler, maxBodyBytes: Int, logger: Logger) {
        self.handler = handler
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger
    }
}

/// A running `struct MHD_Daemon *` plus the retained callback context.
///
/// @unchecked Sendable: `HTTPServer` only touches it from `start()` and `shutdown()`, which its
/// lifecycle Mutex makes mutually exclusive and one-shot: `stop` runs at most once (guarded by
/// `stopped`), after which neither `raw` nor `core` is used again.
final class DaemonHandle: @unchecked Sendable {
    private let raw: OpaquePointer
    private let core: Unmanaged<ServerCore>
    let port: Int
    private var listenSocket: Int32 = MHD_INVALID_SOCKET
    private var stopped = false

    private init(raw: OpaquePointer, core: Unmanaged<ServerCore>, port: Int) {
        self.raw = raw
        self.core = core
        self.port = port
    }

    /// Starts libmicrohttpd; the one place where start failures become ``HTTPServerError``.
    static func start(configuration: HTTPServerConfiguration, core: ServerCore) throws(HTTPServerError)
        -> DaemonHandle
    {
        let address = try BindAddress(host: configuration.host)
        guard (0...65535).contains(configuration.port) else {
            throw HTTPServerError(.invalidConfiguration, "port \(configuration.port) is outside 0...65535")
        }
        guard configuration.connectionTimeoutSeconds >= 0, configuration.connectionMemoryLimit >= 4096,
            configuration.maxConnections > 0, configuration.maxBodyBytes >= 0, configuration.threads >= 0
        else {
            throw HTTPServerError(.invalidConfiguration, "limits must be positive (memory limit ≥ 4096 bytes)")
        }

        var flags =
            MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue
            | MHD_ALLOW_SUSPEND_RESUME.rawValue | MHD_USE_ERROR_LOG.rawValue
        if case .ipv6 = address {
            flags |= address.isDualStackAny ? MHD_USE_DUAL_STACK.rawValue : MHD_USE_IPv6.rawValue
        }
        let threads =
            configuration.threads > 0 ? configuration.threads : SystemInfo.coreCount

        let context = Unmanaged.passRetained(core)
        let cls = context.toOpaque()
        var options: [MHD_OptionItem] = [
            .init(option: .CONNECTION_TIMEOUT, value: configuration.connectionTimeoutSeconds, ptr_value: nil),
            .init(option: .CONNECTION_MEMORY_LIMIT, value: configuration.connectionMemoryLimit, ptr_value: nil),
            .init(option: .CONNECTION_LIMIT, value: configuration.maxConnections, ptr_value: nil),
            .init(option: .NOTIFY_COMPLETED, value: functionAddress(requestCompleted), ptr_value: cls),
            .init(option: .EXTERNAL_LOGGER, value: functionAddress(logMessage), ptr_value: cls),
        ]
        if threads > 1 {
            options.append(.init(option: .THREAD_POOL_SIZE, value: threads, ptr_value: nil))
        }

        let port = UInt16(configuration.port)
        let daemon: OpaquePointer? = withSocketAddress(address, port: port) { sockaddr in
            options.append(.init(option: .SOCK_ADDR, value: 0, ptr_value: sockaddr))
            options.append(.init(option: .END, value: 0, ptr_value: nil))
            return options.withUnsafeBufferPointer {
                CMicroHTTPD_startDaemon(flags, port, accessHandler, cls, $0.baseAddress)
            }
        }
        let savedErrno = errno
        guard let daemon else {
            context.release()
            let detail = core.lastLogMessage.withLock { $0 } ?? String(cString: strerror(savedErrno))
            let code: HTTPServerError.Code =
                [EADDRINUSE, EACCES, EADDRNOTAVAIL].contains(savedErrno) || detail.contains("bind")
                ? .bindFailed : .startFailed
            throw HTTPServerError(code, "cannot listen on \(configuration.host):\(configuration.port): \(detail)")
        }
        return DaemonHandle(raw: daemon, core: context, port: Int(CMicroHTTPD_boundPort(daemon)))
    }

    /// Stops accepting connections; in-flight ones continue. The listen socket is kept to be
    /// closed after `stop` (MHD's threads may still reference it until then).
    func quiesce() {
        guard !stopped, listenSocket == MHD_INVALID_SOCKET else { return }
        listenSocket = MHD_quiesce_daemon(raw)
    }

    /// Stops the daemon (joining its threads and closing every connection), then releases the
    /// callback context and closes the quiesced listen socket.
    func stop() {
        guard !stopped else { return }
        stopped = true
        MHD_stop_daemon(raw)
        core.release()
        if listenSocket != MHD_INVALID_SOCKET {
            close(listenSocket)
            listenSocket = MHD_INVALID_SOCKET
        }
    }
}

/// The integer value of a C function pointer, for `MHD_OptionItem.value`.
private func functionAddress<F>(_ function: F) -> Int {
    unsafeBitCast(function, to: Int.self)
}

private func withSocketAddress<R>(
    _ address: BindAddress,
    port: UInt16,
    _ body: (UnsafeMutableRawPointer) -> R
) -> R {
    switch address {
    case .ipv4(let bytes):
        var storage = sockaddr_in()
        storage.sin_family = sa_family_t(AF_INET)
        storage.sin_port = port.bigEndian
        withUnsafeMutableBytes(of: &storage.sin_addr) { $0.copyBytes(from: bytes) }
        return withUnsafeMutableBytes(of: &storage) { body($0.baseAddress!) }  // non-empty struct
    case .ipv6(let bytes):
        var storage = sockaddr_in6()
        storage.sin6_family = sa_family_t(AF_INET6)
        storage.sin6_port = port.bigEndian
        withUnsafeMutableBytes(of: &storage.sin6_addr) { $0.copyBytes(from: bytes) }
        return withUnsafeMutableBytes(of: &storage) { body($0.baseAddress!) }  // non-empty struct
    }
}
