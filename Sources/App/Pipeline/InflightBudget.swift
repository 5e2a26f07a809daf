import Synchronization

/// Admission control for evaluations offloaded from the HTTP threads: at most `maxRequests`
/// at once, holding at most `maxBytes` of request bodies between them. Past either limit the
/// service sheds load (503 + Retry-After) instead of queueing without bound. A single request
/// is always admitted when nothing else is in flight, so a body the size limits accept can
/// never be refused forever.
final class InflightBudget: Sendable {
    struct Usage: Equatable {
        var requests = 0
        var bytes = 0
    }

    let maxRequests: Int
    let maxBytes: Int
    private let usage = Mutex(Usage())

    init(maxRequests: Int, maxBytes: Int) {
        self.maxRequests = maxRequests
        self.maxBytes = maxBytes
    }

    /// Reserves room for one request of `bytes`; false when the budget is spent.
    /// Every successful call must be balanced by ``release(bytes:)``.
    func acquire(bytes: Int) -> Bool {
        usage.withLock { u in
            if u.requests > 0 && (u.requests >= maxRequests || u.bytes + bytes > maxBytes) { return false }
            u.requests += 1
            u.bytes += bytes
            return true
        }
    }

    func release(bytes: Int) {
        usage.withLock { u in
            u.requests -= 1
            u.bytes -= bytes
        }
    }

    var current: Usage { usage.withLock { $0 } }
}
