internal import CMicroHTTPD
import Logging
import Synchronization
import SystemInfo

#if canImport(Glibc)
import Glibc
#endif

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
