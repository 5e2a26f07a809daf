import Dispatch
import Synchronization

/// Something the server must wind down before `MHD_stop_daemon`: a request waiting for its
/// responder, or an active response stream.
protocol ShutdownParticipant: AnyObject, Sendable {
    /// Ends the participant's work and resumes its connection if it is suspended.
    func shutDown()
}

/// Server-wide bookkeeping of in-flight requests and open streams, shared by every MHD thread.
///
/// A request is in flight from the moment its head passed `HTTPHandler.screen` (so a body still
/// being uploaded counts) until libmicrohttpd reports it completed (its response, stream
/// included, fully sent or aborted).
final class ConnectionRegistry: Sendable {
    private struct State {
        var requests: [ObjectIdentifier: any ShutdownParticipant] = [:]
        var streams: [ObjectIdentifier: any ShutdownParticipant] = [:]
        var idleSignal: DispatchSemaphore?
        var isDraining = false
        var isStopping = false
    }

    private let state = Mutex(State())

    var inFlightCount: Int { state.withLock { $0.requests.count } }

    /// True once shutdown began: responses then carry `Connection: close`.
    var isDraining: Bool { state.withLock { $0.isDraining } }

    /// True once the drain period is over: new work is refused.
    var isStopping: Bool { state.withLock { $0.isStopping } }

    /// Registers a request (idempotent); false when the server is already stopping.
    func requestStarted(_ participant: any ShutdownParticipant) -> Bool {
        state.withLock { state in
            guard !state.isStopping else { return false }
            state.requests[ObjectIdentifier(participant)] = participant
            return true
        }
    }

    func requestFinished(_ participant: any ShutdownParticipant) {
        let signal = state.withLock { state -> DispatchSemaphore? in
            guard state.requests.removeValue(forKey: ObjectIdentifier(participant)) != nil else { return nil }
            guard state.requests.isEmpty, let signal = state.idleSignal else { return nil }
            state.idleSignal = nil
            return signal
        }
        signal?.signal()
    }

    /// Registers an open stream; false when the server is already stopping (close it at once).
    func streamOpened(_ participant: any ShutdownParticipant) -> Bool {
        state.withLock { state in
            guard !state.isStopping else { return false }
            state.streams[ObjectIdentifier(participant)] = participant
            return true
        }
    }

    func streamClosed(_ participant: any ShutdownParticipant) {
        _ = state.withLock { $0.streams.removeValue(forKey: ObjectIdentifier(participant)) }
    }

    func beginDraining() {
        state.withLock { $0.isDraining = true }
    }

    /// Blocks until no request is in flight or `timeout` passes; true if idle.
    func waitUntilIdle(timeout: Duration) -> Bool {
        let signal = state.withLock { state -> DispatchSemaphore? in
            guard !state.requests.isEmpty else { return nil }
            let signal = state.idleSignal ?? DispatchSemaphore(value: 0)
            state.idleSignal = signal
            return signal
        }
        guard let signal else { return true }
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = max(0, seconds) &* 1_000_000_000 &+ max(0, attoseconds) / 1_000_000_000
        return signal.wait(timeout: .now() + .nanoseconds(Int(clamping: nanoseconds))) == .success
    }

    /// Marks the server as stopping and returns every stream, then every request, still open.
    func beginStopping() -> [any ShutdownParticipant] {
        state.withLock { state in
            state.isDraining = true
            state.isStopping = true
            return Array(state.streams.values) + Array(state.requests.values)
        }
    }
}
