import Codecs
import Dispatch
import Synchronization
import SystemInfo

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs training jobs on a bounded pool of serial Dispatch queues, keeps their status
/// documents and event logs, and forgets them a time-to-live after they finish.
///
/// All methods are safe to call from any thread and return quickly (none waits for
/// training), except ``shutdown(reason:)`` which waits for the workers to stop.
public final class JobRunner: Sendable {
    /// Runner settings.
    public struct Configuration: Sendable {
        /// Jobs running at once (default: cores − 1, at least 1).
        public var workers: Int
        /// Jobs that may wait beyond those running; more → `.queueFull`.
        public var maxQueued: Int
        /// Seconds a finished job stays retrievable (default 24 h).
        public var timeToLive: Double
        /// Finished jobs kept at most; beyond this the oldest finished ones are forgotten
        /// before their time to live (bounds memory: each keeps its metrics and event log).
        public var maxRetained: Int
        /// Seconds between background purges of expired jobs (nil: purge lazily only).
        public var purgeInterval: Double?
        /// Wall clock in Unix seconds (injectable for tests).
        public var clock: @Sendable () -> Double
        /// Called (on the worker, or the cancelling thread) whenever a job finishes, before
        /// listeners are woken for its final event.
        public var onFinish: (@Sendable (JobCompletion) -> Void)?

        public init(
            workers: Int = JobRunner.defaultWorkers,
            maxQueued: Int = 64,
            timeToLive: Double = 86_400,
            maxRetained: Int = 256,
            purgeInterval: Double? = 60,
            clock: @escaping @Sendable () -> Double = Timestamp.now,
            onFinish: (@Sendable (JobCompletion) -> Void)? = nil
        ) {
            self.workers = workers
            self.maxQueued = maxQueued
            self.timeToLive = timeToLive
            self.maxRetained = maxRetained
            self.purgeInterval = purgeInterval
            self.clock = clock
            self.onFinish = onFinish
        }
    }

    /// max(1, online cores − 1).
    public static var defaultWorkers: Int {
        max(1, SystemInfo.coreCount - 1)
    }

    /// A job's cancel flag, read by the training loop before every batch.
    private final class CancelFlag: Sendable {
        let raised = Atomic<Bool>(false)
    }

    private struct Observer {
        let token: Int
        let after: Int
        let wake: @Sendable () -> Void
    }

    private struct Record {
        let id: String
        let kind: JobKind
        let sequence: Int
        let created: Double
        let reportsAccuracy: Bool
        /// Dropped when the job starts running or is cancelled while queued (frees inline data).
        var spec: JobSpec?
        let flag = CancelFlag()
        var status: JobStatus = .queued
        var started: Double?
        var finished: Double?
        var epoch = 0
        var epochs: Int
        var trainLoss: [Double] = []
        var valLoss: [Double] = []
        var valAccuracy: [Double] = []
        var result: JSONValue?
        var problem: JobProblem?
        var cancelReason: String?
        var idempotency: IdempotencyKey?
        var events: [JobEvent] = []
        var observers: [Observer] = []

        var isClosed: Bool { status.isFinished && events.last.map { $0.kind != .progress } == true }
    }

    private struct State {
        var jobs: [String: Record] = [:]
        var queue: [String] = []
        var queueHead = 0
        var idempotency: [String: String] = [:]
        var busy: [Bool]
        var accepting = true
        var sequence = 0
        var nextToken = 0
        var submitted = 0
        var rejected = 0
        var finished: [JobStatus: Int] = [:]
        /// Moving average of run times, for the Retry-After hint.
        var meanRunSeconds = 5.0

        var queued: Int { jobs.values.reduce(0) { $0 + ($1.status == .queued ? 1 : 0) } }
        var running: Int { jobs.values.reduce(0) { $0 + ($1.status == .running ? 1 : 0) } }
    }

    /// A timer reference that can cross threads.
    /// @unchecked Sendable: `timer` is set once in `init` before `self` is shared and only
    /// read afterwards (in `shutdown`, whose `cancel()` is thread-safe per Dispatch).
    private final class TimerBox: @unchecked Sendable {
        var timer: (any DispatchSourceTimer)?
    }

    public let configuration: Configuration
    public let environment: TrainingEnvironment
    private let state: Mutex<State>
    private let queues: [DispatchQueue]
    private let group = DispatchGroup()
    private let timerBox = TimerBox()

    public init(configuration: Configuration = Configuration(), environment: TrainingEnvironment) {
        precondition(configuration.workers >= 1, "at least one worker")
        precondition(configuration.maxQueued >= 0, "maxQueued must not be negative")
        precondition(configuration.maxRetained >= 1, "maxRetained must be positive")
        self.configuration = configuration
        self.environment = environment
        self.state = Mutex(State(busy: Array(repeating: false, count: configuration.workers)))
        self.queues = (0..<configuration.workers).map { DispatchQueue(label: "activation-service.training.\($0)") }
        if let interval = configuration.purgeInterval, interval > 0 {
            let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "activation-service.training.purge"))
            timer.schedule(deadline: .now() + interval, repeating: interval)
            timer.setEventHandler { [weak self] in self?.purgeExpired() }
            timer.resume()
            timerBox.timer = timer
        }
    }

    deinit {
        timerBox.timer?.cancel()
    }

    // MARK: - Submission

    /// Queues a validated job.
    ///
    /// - Throws: ``JobRunnerError`` `.queueFull` (with a Retry-After hint),
    ///   `.idempotencyConflict` (key reused with another body), `.shuttingDown`.
    public func submit(_ spec: JobSpec, idempotency: IdempotencyKey? = nil) throws(JobRunnerError) -> JobSubmission {
        let now = configuration.clock()
        let reportsAccuracy: Bool
        if case .train(let t) = spec.body { reportsAccuracy = t.data.isClassification } else { reportsAccuracy = false }
        var wakes: [@Sendable () -> Void] = []
        let outcome: Result<(JobSubmission, Int?), JobRunnerError> = state.withLock { s in
            wakes += purge(&s, now: now)
            guard s.accepting else {
                return .failure(JobRunnerError(.shuttingDown, "the service is shutting down; no new jobs are accepted"))
            }
            if let key = idempotency, let existing = s.idempotency[key.key], let record = s.jobs[existing] {
                guard record.idempotency == key else {
                    return .failure(
                        JobRunnerError(
                            .idempotencyConflict,
                            "Idempotency-Key '\(key.key)' was already used with a different request body"
                        )
                    )
                }
                return .success((JobSubmission(id: record.id, document: document(record), isNew: false), nil))
            }
            let active = s.queued + s.running
            guard active < configuration.workers + configuration.maxQueued else {
                s.rejected += 1
                let waves = Double(s.queued + 1) / Double(configuration.workers)
                let hint = Int(min(3600, max(1, (s.meanRunSeconds * waves).rounded(.up))))
                return .failure(
                    JobRunnerError(
                        .queueFull,
                        "the job queue is full (\(s.queued) waiting, limit \(configuration.maxQueued)); retry later",
                        retryAfterSeconds: hint
                    )
                )
            }
            s.sequence += 1
            let id = Self.makeID()
            var record = Record(
                id: id,
                kind: spec.kind,
                sequence: s.sequence,
                created: now,
                reportsAccuracy: reportsAccuracy,
                spec: spec,
                epochs: spec.totalEpochs
            )
            record.idempotency = idempotency
            s.jobs[id] = record
            if let key = idempotency { s.idempotency[key.key] = id }
            s.queue.append(id)
            s.submitted += 1
            return .success((JobSubmission(id: id, document: document(record), isNew: true), claimIdleWorker(&s)))
        }
        for wake in wakes { wake() }
        let (submission, slot) = try outcome.get()
        if let slot { startWorker(slot) }
        return submission
    }

    /// Marks an idle worker busy if a queued job is waiting for one.
    private func claimIdleWorker(_ s: inout State) -> Int? {
        guard s.queueHead < s.queue.count, let slot = s.busy.firstIndex(of: false) else { return nil }
        s.busy[slot] = true
        return slot
    }

    private func startWorker(_ slot: Int) {
        queues[slot].async(group: group) { self.work(slot: slot) }
    }

    /// A worker's loop: take queued jobs until none is left.
    private func work(slot: Int) {
        while let (id, spec, flag) = takeNext(slot: slot) {
            let outcome = spec.run(
                environment: environment,
                isCancelled: { flag.raised.load(ordering: .relaxed) },
                progress: { p in self.record(progress: p, of: id) }
            )
            finish(id, outcome: outcome)
        }
    }

    private func takeNext(slot: Int) -> (String, JobSpec, CancelFlag)? {
        let now = configuration.clock()
        return state.withLock { s in
            while s.queueHead < s.queue.count {
                let id = s.queue[s.queueHead]
                s.queueHead += 1
                guard var record = s.jobs[id], record.status == .queued, let spec = record.spec else { continue }
                record.status = .running
                record.started = now
                record.spec = nil
                s.jobs[id] = record
                compactQueue(&s)
                return (id, spec, record.flag)
            }
            compactQueue(&s)
            s.busy[slot] = false
            return nil
        }
    }

    private func compactQueue(_ s: inout State) {
        if s.queueHead > 32 && s.queueHead * 2 > s.queue.count {
            s.queue.removeFirst(s.queueHead)
            s.queueHead = 0
        }
    }

    // MARK: - Progress and completion

    private func record(progress p: JobProgress, of id: String) {
        let wakes: [@Sendable () -> Void] = state.withLock { s in
            guard var record = s.jobs[id] else { return [] }
            record.epoch = p.epoch
            record.epochs = p.epochs
            if p.recordsMetrics {
                record.trainLoss.append(p.trainLoss)
                if let v = p.validationLoss { record.valLoss.append(v) }
                if let a = p.validationAccuracy { record.valAccuracy.append(a) }
            }
            var data: [(key: String, value: JSONValue)] = [
                ("epoch", .number(Double(p.epoch))), ("epochs", .number(Double(p.epochs))),
                ("fraction", .number(p.fraction)), ("train_loss", .number(p.trainLoss)),
            ]
            if let v = p.validationLoss { data.append(("val_loss", .number(v))) }
            if let a = p.validationAccuracy { data.append(("val_accuracy", .number(a))) }
            data += p.extra
            let wakes = append(&record, kind: .progress, data: .object(data))
            s.jobs[id] = record
            return wakes
        }
        for wake in wakes { wake() }
    }

    /// Appends an event and returns the observers it fires (to be called outside the lock).
    private func append(_ record: inout Record, kind: JobEvent.Kind, data: JSONValue) -> [@Sendable () -> Void] {
        let id = record.events.count + 1
        record.events.append(JobEvent(id: id, kind: kind, data: data))
        let fired = record.observers.filter { $0.after < id }
        record.observers.removeAll { $0.after < id }
        return fired.map(\.wake)
    }

    private func finish(_ id: String, outcome: JobOutcome) {
        let now = configuration.clock()
        let (wakes, completion): ([@Sendable () -> Void], JobCompletion?) = state.withLock { s in
            guard var record = s.jobs[id] else { return ([], nil) }
            switch outcome {
            case .succeeded(let result):
                record.status = .succeeded
                record.result = result
            case .failed(let problem):
                record.status = .failed
                record.problem = problem
            case .cancelled(let epoch):
                record.status = .cancelled
                record.problem = .cancelled(reason: record.cancelReason ?? "cancelled", epoch: epoch)
            }
            record.finished = now
            var wakes = close(&record)
            s.jobs[id] = record
            wakes += purge(&s, now: now)
            s.finished[record.status, default: 0] += 1
            if let started = record.started {
                s.meanRunSeconds = 0.8 * s.meanRunSeconds + 0.2 * max(0, now - started)
            }
            return (wakes, self.completion(of: record))
        }
        if let completion { configuration.onFinish?(completion) }
        for wake in wakes { wake() }
    }

    /// Writes the terminal event of a finished record.
    private func close(_ record: inout Record) -> [@Sendable () -> Void] {
        if record.status == .failed, let problem = record.problem {
            return append(&record, kind: .error, data: problem.json)
        }
        return append(&record, kind: .done, data: document(record))
    }

    private func completion(of r: Record) -> JobCompletion {
        let end = r.finished ?? r.created
        return JobCompletion(
            id: r.id,
            kind: r.kind,
            status: r.status,
            queuedSeconds: max(0, (r.started ?? end) - r.created),
            runSeconds: r.started.map { max(0, end - $0) }
        )
    }

    // MARK: - Queries

    /// The status document of a job; nil if unknown, forgotten or expired.
    public func document(of id: String) -> JSONValue? {
        lookup(id) { document($0) }
    }

    /// The state of a job; nil if unknown, forgotten or expired.
    public func status(of id: String) -> JobStatus? {
        lookup(id) { $0.status }
    }

    /// Status documents, newest first, optionally only those in `status`.
    public func list(status: JobStatus? = nil) -> [JSONValue] {
        let now = configuration.clock()
        let (wakes, docs): ([@Sendable () -> Void], [JSONValue]) = state.withLock { s in
            let wakes = purge(&s, now: now)
            let records = s.jobs.values.filter { status == nil || $0.status == status }.sorted {
                $0.sequence > $1.sequence
            }
            return (wakes, records.map { document($0) })
        }
        for wake in wakes { wake() }
        return docs
    }

    /// Events with id > `after`; nil if the job is unknown, forgotten or expired.
    public func events(of id: String, after: Int) -> JobEventBatch? {
        lookup(id) { r in
            let start = min(max(after, 0), r.events.count)
            return JobEventBatch(events: Array(r.events[start...]), isComplete: r.isClosed)
        }
    }

    /// Calls `wake` once, from any thread, as soon as the job has an event with id > `after`,
    /// or is forgotten/expired (immediately if that is already so). Designed for a pull-based
    /// stream: on `pending`, register; when woken, read ``events(of:after:)`` again.
    ///
    /// - Returns: the registration (cancel it if the listener goes away), or nil when the
    ///   job does not exist (nothing is registered and `wake` is not called).
    public func onChange(of id: String, after: Int, wake: @escaping @Sendable () -> Void) -> JobObservation? {
        let now = configuration.clock()
        let (observation, immediate): (JobObservation?, Bool) = state.withLock { s in
            guard var record = s.jobs[id], !isExpired(record, now: now) else { return (nil, false) }
            s.nextToken += 1
            let observation = JobObservation(jobID: id, token: s.nextToken)
            if record.events.count > after || record.isClosed { return (observation, true) }
            record.observers.append(Observer(token: s.nextToken, after: after, wake: wake))
            s.jobs[id] = record
            return (observation, false)
        }
        if immediate { wake() }
        return observation
    }

    /// Removes a registration that has not fired yet (no effect otherwise).
    public func cancelObservation(_ observation: JobObservation) {
        state.withLock { s in
            s.jobs[observation.jobID]?.observers.removeAll { $0.token == observation.token }
        }
    }

    public var metrics: JobRunnerMetrics {
        let now = configuration.clock()
        let (wakes, m): ([@Sendable () -> Void], JobRunnerMetrics) = state.withLock { s in
            let wakes = purge(&s, now: now)
            var jobs: [JobStatus: Int] = [:]
            for status in JobStatus.allCases { jobs[status] = 0 }
            for r in s.jobs.values { jobs[r.status, default: 0] += 1 }
            var finished = s.finished
            for status in JobStatus.allCases where status.isFinished { finished[status, default: 0] += 0 }
            return (
                wakes,
                JobRunnerMetrics(
                    jobs: jobs,
                    queueDepth: jobs[.queued] ?? 0,
                    workers: configuration.workers,
                    busyWorkers: s.busy.filter { $0 }.count,
                    submitted: s.submitted,
                    rejected: s.rejected,
                    finished: finished
                )
            )
        }
        for wake in wakes { wake() }
        return m
    }

    // MARK: - Cancel, delete, expiry, shutdown

    /// Cancels a queued job at once or asks a running one to stop (it ends `cancelled`
    /// within one epoch); finished jobs are left alone. Nil if the job does not exist.
    @discardableResult
    public func cancel(_ id: String, reason: String = "cancelled by the client") -> JobStatus? {
        let now = configuration.clock()
        let (status, wakes, completion): (JobStatus?, [@Sendable () -> Void], JobCompletion?) = state.withLock { s in
            guard var record = s.jobs[id], !isExpired(record, now: now) else { return (nil, [], nil) }
            switch record.status {
            case .queued:
                let wakes = cancelQueued(&record, reason: reason, now: now)
                s.jobs[id] = record
                s.finished[.cancelled, default: 0] += 1
                return (.cancelled, wakes, self.completion(of: record))
            case .running:
                if record.cancelReason == nil { record.cancelReason = reason }
                record.flag.raised.store(true, ordering: .relaxed)
                s.jobs[id] = record
                return (.running, [], nil)
            default:
                return (record.status, [], nil)
            }
        }
        if let completion { configuration.onFinish?(completion) }
        for wake in wakes { wake() }
        return status
    }

    private func cancelQueued(_ record: inout Record, reason: String, now: Double) -> [@Sendable () -> Void] {
        record.status = .cancelled
        record.spec = nil
        record.cancelReason = reason
        record.problem = .cancelled(reason: reason, epoch: nil)
        record.finished = now
        return close(&record)
    }

    /// DELETE semantics: cancel a queued or running job, forget a finished one. Nil if the
    /// job does not exist.
    public func delete(_ id: String, reason: String = "cancelled by the client") -> JobDeletion? {
        guard let status = self.status(of: id) else { return nil }
        if status.isFinished { return forget(id) ? .forgotten : nil }
        switch cancel(id, reason: reason) {
        case .cancelled?: return .cancelled
        case .running?: return .cancelling
        case nil: return nil
        case let finished?: return finished.isFinished ? (forget(id) ? .forgotten : nil) : .cancelling
        }
    }

    /// Forgets a finished job (its id then answers nil / 404). Returns false if the job is
    /// unknown or still queued/running.
    @discardableResult
    public func forget(_ id: String) -> Bool {
        let (removed, wakes): (Bool, [@Sendable () -> Void]) = state.withLock { s in
            guard let record = s.jobs[id], record.status.isFinished else { return (false, []) }
            return (true, remove(&s, id))
        }
        for wake in wakes { wake() }
        return removed
    }

    /// Drops every job whose time to live has passed (also runs lazily on lookups).
    public func purgeExpired() {
        let now = configuration.clock()
        let wakes = state.withLock { s in purge(&s, now: now) }
        for wake in wakes { wake() }
    }

    /// Stops accepting jobs, cancels queued and running ones with `reason`, and waits until
    /// every worker has stopped. Must not be called from a job's own callbacks.
    public func shutdown(reason: String) {
        let now = configuration.clock()
        let (wakes, completions): ([@Sendable () -> Void], [JobCompletion]) = state.withLock { s in
            s.accepting = false
            var wakes: [@Sendable () -> Void] = []
            var completions: [JobCompletion] = []
            for id in Array(s.jobs.keys) {
                guard var record = s.jobs[id] else { continue }
                switch record.status {
                case .queued:
                    wakes += cancelQueued(&record, reason: reason, now: now)
                    s.finished[.cancelled, default: 0] += 1
                    completions.append(self.completion(of: record))
                case .running:
                    record.cancelReason = reason
                    record.flag.raised.store(true, ordering: .relaxed)
                default:
                    break
                }
                s.jobs[id] = record
            }
            return (wakes, completions)
        }
        timerBox.timer?.cancel()
        for wake in wakes { wake() }
        for c in completions { configuration.onFinish?(c) }
        group.wait()
    }

    /// Ids of every job held, expired or not (no lazy purge): lets tests observe the timer.
    func heldJobIDs() -> [String] {
        state.withLock { Array($0.jobs.keys) }
    }

    // MARK: - Helpers (called with the lock held)

    private func lookup<T>(_ id: String, _ body: (Record) -> T) -> T? {
        let now = configuration.clock()
        let (value, wakes): (T?, [@Sendable () -> Void]) = state.withLock { s in
            guard let record = s.jobs[id] else { return (nil, []) }
            if isExpired(record, now: now) { return (nil, remove(&s, id)) }
            return (body(record), [])
        }
        for wake in wakes { wake() }
        return value
    }

    private func isExpired(_ r: Record, now: Double) -> Bool {
        guard let finished = r.finished else { return false }
        return now >= finished + configuration.timeToLive
    }

    private func purge(_ s: inout State, now: Double) -> [@Sendable () -> Void] {
        var wakes: [@Sendable () -> Void] = []
        for (id, record) in s.jobs where isExpired(record, now: now) { wakes += remove(&s, id) }
        let finished = s.jobs.values.filter { $0.status.isFinished }
        if finished.count > configuration.maxRetained {
            let oldest = finished.sorted { ($0.finished ?? 0, $0.sequence) < ($1.finished ?? 0, $1.sequence) }
            for record in oldest.prefix(finished.count - configuration.maxRetained) {
                wakes += remove(&s, record.id)
            }
        }
        return wakes
    }

    private func remove(_ s: inout State, _ id: String) -> [@Sendable () -> Void] {
        guard let record = s.jobs.removeValue(forKey: id) else { return [] }
        if let key = record.idempotency, s.idempotency[key.key] == id { s.idempotency.removeValue(forKey: key.key) }
        return record.observers.map(\.wake)
    }

    private func document(_ r: Record) -> JSONValue {
        var metrics: [(key: String, value: JSONValue)] = [
            ("train_loss", .array(r.trainLoss.map { .number($0) })),
            ("val_loss", .array(r.valLoss.map { .number($0) })),
        ]
        if r.reportsAccuracy { metrics.append(("val_accuracy", .array(r.valAccuracy.map { .number($0) }))) }
        let fraction = r.status == .succeeded ? 1 : (r.epochs > 0 ? Double(r.epoch) / Double(r.epochs) : 0)
        var doc: [(key: String, value: JSONValue)] = [
            ("id", .string(r.id)),
            ("kind", .string(r.kind.rawValue)),
            ("status", .string(r.status.rawValue)),
            (
                "progress",
                .object([
                    ("epoch", .number(Double(r.epoch))), ("epochs", .number(Double(r.epochs))),
                    ("fraction", .number(fraction)),
                ])
            ),
            ("metrics", .object(metrics)),
        ]
        if let result = r.result { doc.append(("result", result)) }
        if let problem = r.problem { doc.append(("error", problem.json)) }
        doc.append(("created_at", .string(Timestamp.rfc3339(r.created))))
        if let t = r.started { doc.append(("started_at", .string(Timestamp.rfc3339(t)))) }
        if let t = r.finished { doc.append(("finished_at", .string(Timestamp.rfc3339(t)))) }
        // Unknown until the job finishes: null while queued or running.
        doc.append(
            ("expires_at", r.finished.map { .string(Timestamp.rfc3339($0 + configuration.timeToLive)) } ?? .null)
        )
        return .object(doc)
    }

    private static func makeID() -> String {
        var g = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &g) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40  // version 4
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        let hex = bytes.map { b -> String in
            let s = String(b, radix: 16)
            return s.count == 1 ? "0" + s : s
        }
        return hex[0..<4].joined() + "-" + hex[4..<6].joined() + "-" + hex[6..<8].joined() + "-"
            + hex[8..<10].joined() + "-" + hex[10..<16].joined()
    }
}
