internal import CMicroHTTPD
import Logging
import Synchronization
import SystemInfo

#if canImport(Glibc)
import Glibc
#endif

/// `MHD_ContentReaderCallback` for ``HTTPResponse/Body/stream(_:)``.
let readStream: MHD_ContentReaderCallback = { cls, _, buffer, max in
    guard let buffer else { return MHD_CONTENT_READER_END_WITH_ERROR }
    let context = Unmanaged<StreamingBody>.fromOpaque(cls!).takeUnretainedValue()  // our context
    return context.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: max))
}

/// `MHD_ContentReaderFreeCallback`: the response is destroyed (stream ended or client gone).
let freeStream: MHD_ContentReaderFreeCallback = { cls in
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
