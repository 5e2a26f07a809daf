import Codecs

/// The life-cycle state of a job.
public enum JobStatus: String, Sendable, CaseIterable {
    case queued, running, succeeded, failed, cancelled

    /// Whether the job has ended (succeeded, failed or cancelled).
    public var isFinished: Bool { self == .succeeded || self == .failed || self == .cancelled }
}

/// One entry of a job's event log (the Server-Sent Events stream). Ids are 1, 2, 3, … per job.
public struct JobEvent: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// After every epoch: epoch, epochs, fraction, train_loss, val_loss?, val_accuracy?.
        case progress
        /// The job succeeded or was cancelled; data is the final status document.
        case done
        /// The job failed; data is the problem object.
        case error
    }

    public let id: Int
    public let kind: Kind
    public let data: JSONValue
}

/// Events after a given id.
public struct JobEventBatch: Sendable, Equatable {
    public var events: [JobEvent]
    /// True when the log is closed (the final `done`/`error` event exists) and `events`
    /// reaches its end: a stream that has sent these events is finished.
    public var isComplete: Bool
}

/// A registered one-shot change callback; pass it to ``JobRunner/cancelObservation(_:)``
/// when the listener goes away before it fired.
public struct JobObservation: Sendable, Hashable {
    public let jobID: String
    let token: Int
}

/// An `Idempotency-Key` with a digest of the request body it came with.
public struct IdempotencyKey: Sendable, Hashable {
    public let key: String
    public let bodyDigest: [UInt64]

    /// Digests `body` (two independent 64-bit hashes plus the length).
    public init(key: String, body: some Sequence<UInt8>) {
        var fnv: UInt64 = 0xcbf2_9ce4_8422_2325
        var mix: UInt64 = 0x9E37_79B9_7F4A_7C15
        var count: UInt64 = 0
        for b in body {
            fnv = (fnv ^ UInt64(b)) &* 0x0000_0100_0000_01B3
            mix = (mix ^ UInt64(b)) &* 0xBF58_476D_1CE4_E5B9
            mix ^= mix >> 29
            count &+= 1
        }
        self.key = key
        self.bodyDigest = [fnv, mix, count]
    }
}

/// Why the runner refused a submission.
public struct JobRunnerError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String { case queueFull, idempotencyConflict, shuttingDown }
        private let base: Base
        /// Too many jobs waiting (HTTP 429 with Retry-After).
        public static let queueFull = Code(base: .queueFull)
        /// The Idempotency-Key was used with a different body (HTTP 422).
        public static let idempotencyConflict = Code(base: .idempotencyConflict)
        /// The runner is shutting down (HTTP 503).
        public static let shuttingDown = Code(base: .shuttingDown)
        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String
    /// For `.queueFull`: a suggested Retry-After in seconds.
    public let retryAfterSeconds: Int?

    public init(_ code: Code, _ message: String, retryAfterSeconds: Int? = nil) {
        self.code = code
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { message }
}

/// The answer to a submission.
public struct JobSubmission: Sendable {
    public let id: String
    /// The status document at submission time.
    public let document: JSONValue
    /// False when an Idempotency-Key matched an existing job (which is returned instead).
    public let isNew: Bool
}

/// What `delete` did.
public enum JobDeletion: Sendable, Equatable {
    /// The job was queued and is now cancelled (HTTP 202).
    case cancelled
    /// The job is running; it ends `cancelled` within one epoch (HTTP 202).
    case cancelling
    /// The job had finished and has been forgotten (HTTP 204).
    case forgotten
}

/// A finished job, reported to ``JobRunner/Configuration/onFinish`` (for histograms).
public struct JobCompletion: Sendable, Equatable {
    public let id: String
    public let kind: JobKind
    public let status: JobStatus
    /// Seconds between submission and start (or end, if it never started).
    public let queuedSeconds: Double
    /// Seconds spent running (nil if it never started).
    public let runSeconds: Double?
}

/// A snapshot of the runner for the metrics endpoint.
public struct JobRunnerMetrics: Sendable, Equatable {
    /// Jobs currently held, by state (finished jobs count until they expire).
    public var jobs: [JobStatus: Int]
    /// Jobs waiting for a worker.
    public var queueDepth: Int
    public var workers: Int
    public var busyWorkers: Int
    /// Accepted submissions since start (idempotent replays not counted).
    public var submitted: Int
    /// Submissions refused because the queue was full.
    public var rejected: Int
    /// Jobs finished since start, by final state.
    public var finished: [JobStatus: Int]
}
