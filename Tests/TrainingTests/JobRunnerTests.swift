import Codecs
import Dispatch
import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Training

private var longJob: [String: Any] {
    [
        "dataset": ["name": "moons", "samples": 512], "model": ["hidden": [32, 32], "activation": ["name": "tanh"]],
        "training": ["epochs": 10_000],
    ]
}

private func smallJob(epochs: Int = 3, seed: Int = 0) -> [String: Any] {
    [
        "dataset": ["name": "moons", "samples": 64], "model": ["hidden": [4], "activation": ["name": "tanh"]],
        "training": ["epochs": epochs, "seed": seed],
    ]
}

private func makeRunner(
    workers: Int = 1,
    maxQueued: Int = 8,
    ttl: Double = 86_400,
    maxRetained: Int = 256,
    purgeInterval: Double? = nil,
    clock: TestClock? = nil,
    onFinish: (@Sendable (JobCompletion) -> Void)? = nil
) -> JobRunner {
    JobRunner(
        configuration: JobRunner.Configuration(
            workers: workers,
            maxQueued: maxQueued,
            timeToLive: ttl,
            maxRetained: maxRetained,
            purgeInterval: purgeInterval,
            clock: clock?.function ?? Timestamp.now,
            onFinish: onFinish
        ),
        environment: testEnvironment
    )
}

/// Waits for the first progress event of a job.
private func waitUntilRunning(_ runner: JobRunner, _ id: String) {
    _ = collectEvents(runner, id) { events in events.contains { $0.kind == .progress } }
}

@Suite(.timeLimit(.minutes(2))) struct JobRunnerTests {
    @Test func eventsAreOrderedAndEndWithDone() throws {
        let runner = makeRunner()
        defer { runner.shutdown(reason: "test over") }
        let submission = try runner.submit(try parse(smallJob(epochs: 5)))
        #expect(submission.isNew)
        #expect(submission.document["status"]?.string == "queued" || submission.document["status"]?.string == "running")
        #expect(submission.document["expires_at"] == .null)
        let events = collectEvents(runner, submission.id)
        #expect(events.map(\.id) == Array(1...6))
        #expect(events.prefix(5).allSatisfy { $0.kind == .progress })
        let third = events[2].data
        #expect(third["epoch"]?.number == 3 && third["epochs"]?.number == 5 && third["fraction"]?.number == 0.6)
        #expect(third["train_loss"]?.number != nil && third["val_loss"]?.number != nil)
        #expect(third["val_accuracy"]?.number != nil)
        let done = try #require(events.last)
        #expect(done.kind == .done)
        #expect(done.data["status"]?.string == "succeeded")
        #expect(done.data["result", "final", "val_accuracy"]?.number != nil)

        let doc = try #require(runner.document(of: submission.id))
        #expect(doc == done.data)
        #expect(doc["kind"]?.string == "train")
        #expect(doc["progress", "epoch"]?.number == 5 && doc["progress", "fraction"]?.number == 1)
        #expect(doc["metrics", "train_loss"]?.array?.count == 5)
        #expect(doc["metrics", "val_loss"]?.array?.count == 5)
        #expect(doc["metrics", "val_accuracy"]?.array?.count == 5)
        for key in ["created_at", "started_at", "finished_at", "expires_at"] {
            #expect(doc[key]?.string?.hasSuffix("Z") == true, "\(key)")
        }
        #expect(doc["error"] == nil)

        let tail = try #require(runner.events(of: submission.id, after: 3))
        #expect(tail.events.map(\.id) == [4, 5, 6] && tail.isComplete)
        #expect(runner.events(of: submission.id, after: 6) == JobEventBatch(events: [], isComplete: true))
        #expect(runner.events(of: "nope", after: 0) == nil)
        #expect(runner.onChange(of: "nope", after: 0, wake: {}) == nil)
    }

    @Test func queueFullIsRefusedWithARetryHint() throws {
        let runner = makeRunner(workers: 1, maxQueued: 1)
        defer { runner.shutdown(reason: "test over") }
        let spec = try parse(longJob)
        _ = try runner.submit(spec)
        _ = try runner.submit(spec)
        #expect {
            _ = try runner.submit(spec)
        } throws: { error in
            guard let e = error as? JobRunnerError else { return false }
            return e.code == .queueFull && (e.retryAfterSeconds ?? 0) >= 1 && e.message.contains("limit 1")
        }
        let m = runner.metrics
        #expect(m.submitted == 2 && m.rejected == 1)
        #expect(m.jobs[.queued]! + m.jobs[.running]! == 2)
    }

    @Test func cancelEndsARunningJobWithinAnEpoch() throws {
        let runner = makeRunner()
        defer { runner.shutdown(reason: "test over") }
        let id = try runner.submit(try parse(longJob)).id
        waitUntilRunning(runner, id)
        #expect(runner.status(of: id) == .running)
        let progressBefore = runner.events(of: id, after: 0)!.events.count
        #expect(runner.delete(id) == .cancelling)
        let events = collectEvents(runner, id)
        let last = try #require(events.last)
        #expect(last.kind == .done)
        #expect(last.data["status"]?.string == "cancelled")
        #expect(last.data["error", "detail"]?.string == "cancelled by the client")
        // The cancel flag is checked before every batch, so the epoch running when cancel
        // arrives ends early. Only an epoch whose last batch was already under way (plus one
        // finishing between the count above and the cancel) can still report progress.
        let progressAfter = events.filter { $0.kind == .progress }.count
        #expect(progressAfter <= progressBefore + 2)
        #expect(runner.status(of: id) == .cancelled)
        let doc = try #require(runner.document(of: id))
        #expect(try #require(doc["progress", "epoch"]?.number) < 10_000)
        // Cancelling again changes nothing; deleting now forgets it.
        #expect(runner.cancel(id) == .cancelled)
        #expect(runner.delete(id) == .forgotten)
        #expect(runner.document(of: id) == nil && runner.delete(id) == nil)
    }

    @Test func cancellingAQueuedJobIsImmediate() throws {
        let completions = Mutex<[JobCompletion]>([])
        let finished = DispatchSemaphore(value: 0)
        let runner = makeRunner(
            workers: 1,
            onFinish: { c in
                completions.withLock { $0.append(c) }
                finished.signal()
            }
        )
        defer { runner.shutdown(reason: "test over") }
        let running = try runner.submit(try parse(longJob)).id
        let queued = try runner.submit(try parse(smallJob())).id
        #expect(runner.status(of: queued) == .queued)
        #expect(runner.delete(queued) == .cancelled)
        #expect(runner.status(of: queued) == .cancelled)
        let events = runner.events(of: queued, after: 0)!
        #expect(events.isComplete && events.events.map(\.kind) == [.done])
        #expect(completions.withLock { $0.map(\.id) } == [queued])
        #expect(completions.withLock { $0[0].runSeconds } == nil)
        #expect(finished.wait(timeout: .now() + 60) == .success)
        runner.cancel(running)
        #expect(finished.wait(timeout: .now() + 60) == .success)
        #expect(completions.withLock { $0.map(\.status) } == [.cancelled, .cancelled])
    }

    @Test func idempotencyKeys() throws {
        let runner = makeRunner()
        defer { runner.shutdown(reason: "test over") }
        let bodyA = Array("{\"training\":{\"epochs\":2}}".utf8)
        let bodyB = Array("{\"training\":{\"epochs\":3}}".utf8)
        let first = try runner.submit(
            try parse(smallJob(epochs: 2)),
            idempotency: IdempotencyKey(key: "k1", body: bodyA)
        )
        let again = try runner.submit(
            try parse(smallJob(epochs: 2)),
            idempotency: IdempotencyKey(key: "k1", body: bodyA)
        )
        #expect(first.isNew && !again.isNew && first.id == again.id)
        #expect(throws: JobRunnerError.self) {
            try runner.submit(try parse(smallJob(epochs: 3)), idempotency: IdempotencyKey(key: "k1", body: bodyB))
        }
        do {
            _ = try runner.submit(try parse(smallJob(epochs: 3)), idempotency: IdempotencyKey(key: "k1", body: bodyB))
        } catch let e as JobRunnerError {
            #expect(e.code == .idempotencyConflict)
        }
        let other = try runner.submit(
            try parse(smallJob(epochs: 3)),
            idempotency: IdempotencyKey(key: "k2", body: bodyB)
        )
        #expect(other.isNew && other.id != first.id)
        #expect(runner.metrics.submitted == 2)
        // Forgetting the job frees its key.
        _ = collectEvents(runner, first.id)
        #expect(runner.forget(first.id))
        let reused = try runner.submit(
            try parse(smallJob(epochs: 3)),
            idempotency: IdempotencyKey(key: "k1", body: bodyB)
        )
        #expect(reused.isNew)
    }

    @Test func finishedJobsExpireAfterTheirTimeToLive() throws {
        let clock = TestClock()
        let runner = makeRunner(ttl: 100, clock: clock)
        defer { runner.shutdown(reason: "test over") }
        let key = IdempotencyKey(key: "ttl", body: [1, 2, 3])
        let id = try runner.submit(try parse(smallJob()), idempotency: key).id
        _ = collectEvents(runner, id)
        let doc = try #require(runner.document(of: id))
        #expect(doc["finished_at"]?.string == Timestamp.rfc3339(clock.now))
        #expect(doc["expires_at"]?.string == Timestamp.rfc3339(clock.now + 100))
        clock.advance(99)
        #expect(runner.document(of: id) != nil)
        #expect(runner.list().count == 1)
        clock.advance(1)
        #expect(runner.document(of: id) == nil)
        #expect(runner.events(of: id, after: 0) == nil)
        #expect(runner.list().isEmpty)
        // The key went with the job.
        #expect(
            try runner.submit(try parse(smallJob(epochs: 2)), idempotency: IdempotencyKey(key: "ttl", body: [9])).isNew
        )
    }

    @Test func theTimerPurgesExpiredJobs() throws {
        let clock = TestClock()
        let runner = makeRunner(ttl: 10, purgeInterval: 0.02, clock: clock)
        defer { runner.shutdown(reason: "test over") }
        let id = try runner.submit(try parse(smallJob())).id
        _ = collectEvents(runner, id)
        #expect(runner.heldJobIDs() == [id])
        clock.advance(11)
        // Only the timer runs now (no lookups); give it up to 5 s of 20 ms periods.
        var waited = 0
        while !runner.heldJobIDs().isEmpty && waited < 250 {
            Thread.sleep(forTimeInterval: 0.02)
            waited += 1
        }
        #expect(runner.heldJobIDs().isEmpty)
    }

    @Test func shutdownCancelsRunningAndQueuedJobsWithTheReason() throws {
        let completions = Mutex<[JobCompletion]>([])
        let runner = makeRunner(workers: 1, onFinish: { c in completions.withLock { $0.append(c) } })
        let running = try runner.submit(try parse(longJob)).id
        let queued = try runner.submit(try parse(longJob)).id
        waitUntilRunning(runner, running)
        runner.shutdown(reason: "the service is shutting down")
        for id in [running, queued] {
            let doc = try #require(runner.document(of: id))
            #expect(doc["status"]?.string == "cancelled")
            #expect(doc["error", "detail"]?.string == "the service is shutting down")
            #expect(doc["error", "type"]?.string == "https://activation-service.dev/problems/job-cancelled")
            #expect(runner.events(of: id, after: 0)?.isComplete == true)
        }
        #expect(runner.document(of: running)?["started_at"] != nil)
        #expect(runner.document(of: queued)?["started_at"] == nil)
        #expect(Set(completions.withLock { $0.map(\.id) }) == [running, queued])
        #expect(runner.metrics.busyWorkers == 0)
        #expect {
            _ = try runner.submit(try parse(smallJob()))
        } throws: { ($0 as? JobRunnerError)?.code == .shuttingDown }
    }

    @Test func failedJobsEndWithAnErrorEvent() throws {
        let runner = makeRunner()
        defer { runner.shutdown(reason: "test over") }
        let id = try runner.submit(
            try parse([
                "dataset": ["name": "moons", "samples": 256],
                "model": ["hidden": [64, 64, 64, 64], "activation": ["name": "tanh"], "adversarial": "alternate"],
                "training": ["epochs": 50, "optimizer": "sgd", "learning_rate": 10],
            ])
        ).id
        let events = collectEvents(runner, id)
        let last = try #require(events.last)
        #expect(last.kind == .error)
        #expect(last.data["type"]?.string == "https://activation-service.dev/problems/training-diverged")
        #expect(last.data["status"]?.number == 422)
        #expect(last.data["epoch"]?.number == Double(events.count))
        let doc = try #require(runner.document(of: id))
        #expect(doc["status"]?.string == "failed")
        #expect(doc["error"] == last.data)
        #expect(doc["result"] == nil)
        #expect(runner.metrics.finished[.failed] == 1)
    }

    @Test func listIsNewestFirstWithAStatusFilter() throws {
        let runner = makeRunner(workers: 2)
        defer { runner.shutdown(reason: "test over") }
        var ids: [String] = []
        for seed in 0..<3 { ids.append(try runner.submit(try parse(smallJob(seed: seed))).id) }
        for id in ids { _ = collectEvents(runner, id) }
        #expect(runner.list().compactMap { $0["id"]?.string } == ids.reversed())
        #expect(runner.list(status: .succeeded).count == 3)
        #expect(runner.list(status: .running).isEmpty)
        let m = runner.metrics
        #expect(m.jobs[.succeeded] == 3 && m.queueDepth == 0 && m.workers == 2)
        #expect(m.finished[.succeeded] == 3 && m.finished[.failed] == 0)
    }

    @Test func onlyTheNewestFinishedJobsAreRetained() throws {
        let runner = makeRunner(maxRetained: 2)
        defer { runner.shutdown(reason: "test over") }
        var ids: [String] = []
        for seed in 0..<4 {
            let id = try runner.submit(try parse(smallJob(epochs: 1, seed: seed))).id
            _ = collectEvents(runner, id)
            ids.append(id)
        }
        #expect(Set(runner.heldJobIDs()) == Set(ids.suffix(2)))
        #expect(runner.document(of: ids[0]) == nil)
        #expect(runner.list().compactMap { $0["id"]?.string } == [ids[3], ids[2]])
    }

    @Test func timestampsAreRFC3339() {
        #expect(Timestamp.rfc3339(0) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.rfc3339(951_782_400.5) == "2000-02-29T00:00:00.500Z")
        #expect(Timestamp.rfc3339(1_795_440_240.123) == "2026-11-23T13:24:00.123Z")
        #expect(Timestamp.rfc3339(-1) == "1969-12-31T23:59:59.000Z")
    }
}
