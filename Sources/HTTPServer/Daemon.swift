// The libmicrohttpd layer: the only file that sees MHD types, OpaquePointer, Unmanaged and the
// @convention(c) trampolines. Everything above it works with HTTPRequest/HTTPResponse.
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

// MARK: - Trampolines

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

private func serverCore(_ cls: UnsafeMutableRawPointer?) -> ServerCore {
    Unmanaged<ServerCore>.fromOpaque(cls!).takeUnretainedValue()  // cls is always our context
}

/// `MHD_AccessHandlerCallback`: called after the headers, per body chunk, for the final call,
/// and again after every resume.
private let accessHandler: MHD_AccessHandlerCallback = {
    cls, connection, url, method, _, uploadData, uploadDataSize, requestSlot in
    guard let connection, let uploadDataSize, let requestSlot else { return .NO }
    if let existing = requestSlot.pointee {
        let request = Unmanaged<InFlightRequest>.fromOpaque(existing).takeUnretainedValue()
        let size = uploadDataSize.pointee
        if size > 0 {
            let chunk = UnsafeRawPointer(uploadData).map {
                UnsafeBufferPointer(start: $0.assumingMemoryBound(to: UInt8.self), count: size)
            }
            if let chunk { request.consume(chunk) }
            uploadDataSize.pointee = 0
            return .YES
        }
        return request.finish()
    }
    let head = HTTPRequest(
        method: method.map { String(cString: $0) } ?? "GET",
        path: url.map { String(cString: $0) } ?? "/",
        query: connectionValues(connection, .GET_ARGUMENT_KIND),
        headers: HTTPHeaders(fields: connectionValues(connection, .HEADER_KIND))
    )
    let request = InFlightRequest(connection: ConnectionRef(raw: connection), core: serverCore(cls), head: head)
    requestSlot.pointee = Unmanaged.passRetained(request).toOpaque()
    return request.start()
}

/// `MHD_OPTION_NOTIFY_COMPLETED`: the request is over (sent, aborted, timed out or shut down).
/// Frees the per-request state, including for uploads the client abandoned.
private let requestCompleted: MHD_RequestCompletedCallback = { _, _, requestSlot, termination in
    guard let requestSlot, let pointer = requestSlot.pointee else { return }
    requestSlot.pointee = nil
    let request = Unmanaged<InFlightRequest>.fromOpaque(pointer)
    request.takeUnretainedValue().completed(cleanly: termination == .REQUEST_TERMINATED_COMPLETED_OK)
    request.release()
}

/// `MHD_OPTION_EXTERNAL_LOGGER`: formats MHD's printf-style message into the server logger.
private let logMessage: MHD_LogCallback = { cls, format, arguments in
    guard let format, let arguments else { return }
    var buffer = [CChar](repeating: 0, count: 512)
    _ = buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, format, arguments) }
    var message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    while message.last?.isNewline == true { message.removeLast() }
    let server = serverCore(cls)
    server.lastLogMessage.withLock { $0 = message }
    server.logger.notice("libmicrohttpd: \(message)")
}

private let collectValue: MHD_KeyValueIteratorN = { cls, _, key, keySize, value, valueSize in
    let fields = cls!.assumingMemoryBound(to: [(name: String, value: String)].self)  // our array
    fields.pointee.append((name: decode(key, keySize), value: decode(value, valueSize)))
    return .YES
}

private func decode(_ pointer: UnsafePointer<CChar>?, _ count: Int) -> String {
    guard let pointer else { return "" }
    return pointer.withMemoryRebound(to: UInt8.self, capacity: count) {
        String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
    }
}

private func connectionValues(_ connection: OpaquePointer, _ kind: MHD_ValueKind) -> [(name: String, value: String)] {
    var fields: [(name: String, value: String)] = []
    withUnsafeMutablePointer(to: &fields) { _ = MHD_get_connection_values_n(connection, kind, collectValue, $0) }
    return fields
}

// MARK: - Per-request state machine

/// One request on one connection, owned by MHD's `*req_cls` (retained on the first access-handler
/// call, released in NOTIFY_COMPLETED). Responders hold it weakly.
final class InFlightRequest: ShutdownParticipant {
    private enum Phase {
        /// Reading the body.
        case receiving
        /// `screen` answered a request without a body: queued on the final call, which keeps the
        /// connection reusable (a response queued on the first call makes MHD close it).
        case screened(HTTPResponse)
        /// `handle` is running and has not responded.
        case handling
        /// The responder fired while `handle` was still running.
        case respondedDuringHandle(HTTPResponse)
        /// Waiting for the responder; the connection is suspended.
        case suspended
        /// The responder fired; the connection is resumed and the next call queues this.
        case resumed(HTTPResponse)
        /// Shutdown gave up waiting for the responder: answer 503.
        case abandoned
        /// A response was queued, or the request ended.
        case done
    }

    private struct State {
        var phase = Phase.receiving
        var body: BodyAccumulator
        var isCompleted = false
    }

    private let connection: ConnectionRef
    private let core: ServerCore
    private let head: HTTPRequest
    private let state: Mutex<State>

    /// Live instances, for leak checks in tests (retain/release through MHD must balance).
    static let liveCount = Atomic(0)

    init(connection: ConnectionRef, core: ServerCore, head: HTTPRequest) {
        Self.liveCount.add(1, ordering: .relaxed)
        self.connection = connection
        self.core = core
        self.head = head
        let declared = head.headers["Content-Length"].flatMap { Int($0) }
        state = Mutex(State(body: BodyAccumulator(limit: core.maxBodyBytes, declaredLength: declared)))
    }

    deinit { Self.liveCount.subtract(1, ordering: .relaxed) }

    /// First call, headers only: screen the request before reading any body byte.
    func start() -> MHD_Result {
        if core.registry.isStopping {
            return queue(Self.serviceUnavailable)
        }
        let declared = head.headers["Content-Length"].flatMap { Int($0) }
        // A body we will not read leaves the connection unusable: close it after the answer.
        let bodyExpected = (declared ?? 0) > 0 || head.headers["Transfer-Encoding"] != nil
        if let early = core.handler.screen(head) {
            guard bodyExpected else {
                state.withLock { $0.phase = .screened(early) }
                return .YES
            }
            state.withLock { $0.phase = .done }
            return queue(early, closing: true)
        }
        if let declared, declared > core.maxBodyBytes {
            state.withLock { $0.phase = .done }
            return queue(core.handler.bodyTooLarge(head, limit: core.maxBodyBytes), closing: true)
        }
        // In flight from here: a graceful shutdown waits for a body still being uploaded too.
        guard core.registry.requestStarted(self) else {
            state.withLock { $0.phase = .done }
            return queue(Self.serviceUnavailable, closing: bodyExpected)
        }
        return .YES
    }

    /// A body chunk (called on the connection's MHD thread).
    func consume(_ chunk: UnsafeBufferPointer<UInt8>) {
        state.withLock { $0.body.append(chunk) }
    }

    /// The final call after the body, or a call after a resume.
    func finish() -> MHD_Result {
        enum Step {
            case handle(HTTPRequest)
            case respond(HTTPResponse)
            case tooLarge
            case wait
        }
        let step = state.withLock { state -> Step in
            switch state.phase {
            case .receiving:
                if state.body.isTooLarge {
                    state.phase = .done
                    return .tooLarge
                }
                if core.registry.isStopping {
                    state.phase = .done
                    return .respond(Self.serviceUnavailable)
                }
                state.phase = .handling
                var request = head
                request.body = state.body.take()
                return .handle(request)
            case .resumed(let response), .screened(let response):
                state.phase = .done
                return .respond(response)
            case .abandoned:
                state.phase = .done
                return .respond(Self.serviceUnavailable)
            case .handling, .respondedDuringHandle, .suspended, .done:
                return .wait
            }
        }
        switch step {
        case .tooLarge:
            return queue(core.handler.bodyTooLarge(head, limit: core.maxBodyBytes))
        case .respond(let response):
            return queue(response)
        case .wait:
            return .YES
        case .handle(let request):
            guard core.registry.requestStarted(self) else {
                state.withLock { $0.phase = .done }
                return queue(Self.serviceUnavailable)
            }
            // Weak: MHD's `*req_cls` keeps this alive until the request completes (a suspended
            // connection cannot complete), so a responder kept longer holds nothing and is a no-op.
            core.handler.handle(request, responder: Responder { [weak self] in self?.respond($0) })
            let ready = state.withLock { state -> HTTPResponse? in
                switch state.phase {
                case .respondedDuringHandle(let response):
                    state.phase = .done
                    return response
                case .abandoned:
                    state.phase = .done
                    return Self.serviceUnavailable
                default:
                    state.phase = .suspended
                    MHD_suspend_connection(connection.raw)
                    return nil
                }
            }
            if let ready { return queue(ready) }
            return .YES
        }
    }

    /// The `Responder` body: any thread, any number of times (only the first counts).
    private func respond(_ response: HTTPResponse) {
        let accepted = state.withLock { state -> Bool in
            guard !state.isCompleted else { return false }
            switch state.phase {
            case .handling:
                state.phase = .respondedDuringHandle(response)
                return true
            case .suspended:
                state.phase = .resumed(response)
                MHD_resume_connection(connection.raw)
                return true
            default:
                return false
            }
        }
        if !accepted {
            core.logger.debug("Ignored a second or late response", metadata: ["path": "\(head.path)"])
        }
    }

    /// NOTIFY_COMPLETED: the connection is done with this request; later responders are no-ops.
    func completed(cleanly: Bool) {
        if !cleanly {
            core.logger.debug("Request ended before its response was sent", metadata: ["path": "\(head.path)"])
        }
        state.withLock { state in
            state.isCompleted = true
            state.phase = .done
            state.body = BodyAccumulator(limit: 0, declaredLength: nil)
        }
        core.registry.requestFinished(self)
    }

    /// Shutdown: stop waiting for the responder. A suspended connection is resumed and answered 503.
    func shutDown() {
        state.withLock { state in
            guard !state.isCompleted else { return }
            switch state.phase {
            case .suspended:
                state.phase = .abandoned
                MHD_resume_connection(connection.raw)
            case .handling:
                state.phase = .abandoned
            default:
                break
            }
        }
    }

    private static let serviceUnavailable = HTTPResponse(
        status: 503,
        headers: ["Content-Type": "text/plain; charset=utf-8", "Retry-After": "1"],
        bytes: Array("server is shutting down\n".utf8)
    )

    /// Builds the MHD response and queues it; `closing` ends the connection afterwards (used when
    /// the body was not read).
    private func queue(_ response: HTTPResponse, closing: Bool = false) -> MHD_Result {
        var response = response
        if closing || core.registry.isDraining { response.headers.set("Connection", "close") }
        var status = response.status
        if !(100...999).contains(status) {
            core.logger.error("Handler returned invalid status \(status); sending 500")
            status = 500
        }
        guard let mhdResponse = makeResponse(response) else {
            core.logger.error("libmicrohttpd could not create a response")
            return .NO
        }
        defer { MHD_destroy_response(mhdResponse) }
        return MHD_queue_response(connection.raw, UInt32(status), mhdResponse)
    }

    private func makeResponse(_ response: HTTPResponse) -> OpaquePointer? {
        let mhdResponse: OpaquePointer?
        switch response.body {
        case .bytes(let bytes) where bytes.isEmpty:
            mhdResponse = MHD_create_response_from_buffer(0, nil, .RESPMEM_PERSISTENT)
        case .bytes(let bytes):
            // No copy: MHD sends straight from the array's storage, kept alive by a retained box
            // that MHD releases (freeBytes) when the response is destroyed.
            let box = Unmanaged.passRetained(ResponseBytes(bytes))
            mhdResponse = MHD_create_response_from_buffer_with_free_callback_cls(
                bytes.count, box.takeUnretainedValue().base, freeBytes, box.toOpaque())
            if mhdResponse == nil { box.release() }
        case .stream(let stream):
            let context = StreamingBody(connection: connection, stream: stream, core: core)
            let retained = Unmanaged.passRetained(context)
            mhdResponse = MHD_create_response_from_callback(
                UInt64.max,
                32 * 1024,
                readStream,
                retained.toOpaque(),
                freeStream
            )  // UInt64.max = MHD_SIZE_UNKNOWN
            if mhdResponse == nil {
                retained.release()
                context.streamFreed()
            }
        }
        guard let mhdResponse else { return nil }
        for (name, value) in response.headers {
            // MHD computes framing itself and rejects application-set Content-Length.
            if HTTPHeaders.sameName(name, "Content-Length") || HTTPHeaders.sameName(name, "Transfer-Encoding") { continue }
            // Explicit withCString: the implicit String -> char* conversion built a
            // ContiguousArray copy (utf8CString) of every name and value.
            let added = name.withCString { n in value.withCString { v in MHD_add_response_header(mhdResponse, n, v) } }
            if added != .YES {
                core.logger.warning("Dropped invalid response header", metadata: ["name": "\(name)"])
            }
        }
        return mhdResponse
    }
}

// MARK: - Streams

/// `MHD_ContentReaderCallback` for ``HTTPResponse/Body/stream(_:)``.
private let readStream: MHD_ContentReaderCallback = { cls, _, buffer, max in
    guard let buffer else { return MHD_CONTENT_READER_END_WITH_ERROR }
    let context = Unmanaged<StreamingBody>.fromOpaque(cls!).takeUnretainedValue()  // our context
    return context.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: max))
}

/// A response body handed to libmicrohttpd without copying.
/// @unchecked Sendable: `bytes` is immutable and never mutated after init, so its storage (and
/// `base`, which points into it) stays valid and unchanged for the box's lifetime; MHD only reads it.
private final class ResponseBytes: @unchecked Sendable {
    let bytes: [UInt8]
    /// The first byte of `bytes`' contiguous storage (a native array's buffer does not move
    /// while the array is alive and unmutated).
    let base: UnsafeMutableRawPointer

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        // `bytes` and `self.bytes` share one buffer (no mutation, so no copy-on-write).
        base = UnsafeMutableRawPointer(mutating: bytes.withUnsafeBytes { $0.baseAddress! })  // non-empty
    }
}

/// `MHD_ContentReaderFreeCallback` for ``ResponseBytes``: the response is gone.
private let freeBytes: MHD_ContentReaderFreeCallback = { cls in
    guard let cls else { return }
    Unmanaged<ResponseBytes>.fromOpaque(cls).release()
}

/// `MHD_ContentReaderFreeCallback`: the response is destroyed (stream ended or client gone).
private let freeStream: MHD_ContentReaderFreeCallback = { cls in
    let context = Unmanaged<StreamingBody>.fromOpaque(cls!)  // our retained context
    context.takeUnretainedValue().streamFreed()
    context.release()
}

/// Bridges a ``ResponseStream`` to MHD's pull-based content reader with suspend/resume.
final class StreamingBody: ShutdownParticipant {
    private struct State {
        /// Bytes from the last `.data` chunk that did not fit MHD's buffer.
        var leftover: [UInt8] = []
        var leftoverOffset = 0
        var isSuspended = false
        /// `wake` arrived while the reader was not suspended: do not suspend on the next `.pending`.
        var wokenEarly = false
        var isClosedByServer = false
        var isFreed = false
        var closeCalled = false
    }

    private let connection: ConnectionRef
    private let stream: any ResponseStream
    private let core: ServerCore
    private let state = Mutex(State())

    /// Live instances, for leak checks in tests.
    static let liveCount = Atomic(0)

    deinit { Self.liveCount.subtract(1, ordering: .relaxed) }

    init(connection: ConnectionRef, stream: any ResponseStream, core: ServerCore) {
        Self.liveCount.add(1, ordering: .relaxed)
        self.connection = connection
        self.stream = stream
        self.core = core
        if !core.registry.streamOpened(self) {
            state.withLock { $0.isClosedByServer = true }
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        if let copied = takeLeftover(into: buffer) { return copied }
        let ended = state.withLock { state -> Bool in
            state.wokenEarly = false
            return state.isClosedByServer
        }
        if ended { return MHD_CONTENT_READER_END_OF_STREAM }
        for _ in 0..<16 {
            switch stream.next(wake: { [weak self] in self?.wake() }) {
            case .end:
                return MHD_CONTENT_READER_END_OF_STREAM
            case .data(let bytes) where bytes.isEmpty:
                continue
            case .data(let bytes):
                let count = min(bytes.count, buffer.count)
                bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: count) }
                if count < bytes.count {
                    state.withLock {
                        $0.leftover = bytes
                        $0.leftoverOffset = count
                    }
                }
                return count
            case .pending:
                let outcome = state.withLock { state -> Int? in
                    if state.isClosedByServer { return MHD_CONTENT_READER_END_OF_STREAM }
                    if state.wokenEarly {
                        state.wokenEarly = false
                        return nil  // data arrived meanwhile: ask again
                    }
                    state.isSuspended = true
                    MHD_suspend_connection(connection.raw)
                    return 0  // with the connection suspended, 0 does not busy-loop
                }
                if let outcome { return outcome }
            }
        }
        return 0  // a stream that keeps waking itself: let MHD call again
    }

    private func takeLeftover(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        state.withLock { state -> Int? in
            guard state.leftoverOffset < state.leftover.count else { return nil }
            let count = min(state.leftover.count - state.leftoverOffset, buffer.count)
            state.leftover.withUnsafeBytes {
                buffer.baseAddress!.copyMemory(from: $0.baseAddress! + state.leftoverOffset, byteCount: count)
            }
            state.leftoverOffset += count
            if state.leftoverOffset == state.leftover.count {
                state.leftover = []
                state.leftoverOffset = 0
            }
            return count
        }
    }

    /// The stream's `wake`: safe from any thread, any time, any number of times.
    private func wake() {
        state.withLock { state in
            guard !state.isFreed else { return }
            if state.isSuspended {
                state.isSuspended = false
                MHD_resume_connection(connection.raw)
            } else {
                state.wokenEarly = true
            }
        }
    }

    /// Shutdown: end the stream now; a parked connection is resumed so MHD can finish it.
    func shutDown() {
        let shouldClose = state.withLock { state -> Bool in
            guard !state.isFreed else { return false }
            state.isClosedByServer = true
            if state.isSuspended {
                state.isSuspended = false
                MHD_resume_connection(connection.raw)
            }
            defer { state.closeCalled = true }
            return !state.closeCalled
        }
        if shouldClose { stream.close() }
    }

    /// The MHD response is gone: nothing may touch the connection any more.
    func streamFreed() {
        let shouldClose = state.withLock { state -> Bool in
            state.isFreed = true
            state.isSuspended = false
            defer { state.closeCalled = true }
            return !state.closeCalled
        }
        core.registry.streamClosed(self)
        if shouldClose { stream.close() }
    }
}
