import Activations
import Codecs
import Dispatch
import HTTPServer
import Synchronization
import Training

/// `POST/GET /v1/jobs`, `GET/DELETE /v1/jobs/{id}`, `GET /v1/jobs/{id}/events` (SSE).
struct JobRoutes: Sendable {
    let runner: JobRunner
    let limits: DecodingLimits
    /// Seconds between SSE heartbeat comments.
    let heartbeatSeconds: Double

    func register(in router: inout Router) {
        router.add("POST", "/v1/jobs") { ctx throws(Problem) in try self.submit(ctx) }
        router.add("GET", "/v1/jobs") { ctx throws(Problem) in try self.list(ctx) }
        router.add("GET", "/v1/jobs/{id}") { ctx throws(Problem) in try self.status(ctx) }
        router.add("DELETE", "/v1/jobs/{id}") { ctx throws(Problem) in try self.delete(ctx) }
        router.add("GET", "/v1/jobs/{id}/events") { ctx throws(Problem) in try self.events(ctx) }
    }

    private func submit(_ ctx: RouteContext) throws(Problem) -> HTTPResponse {
        guard PayloadFormat(contentType: ctx.request.headers["Content-Type"]) == .json else {
            throw Problem(415, "unsupported-media-type", "Unsupported media type", "/v1/jobs takes application/json (curl --json; curl -d alone sends a form type)")
        }
        let doc: JSONValue
        do throws(CodecError) { doc = try JSONParser.parse(ctx.request.body, limits: limits) } catch { throw Problem(error) }
        let spec: JobSpec
        do throws(JobSpecError) {
            spec = try JobSpec.parse(doc, environment: runner.environment)
        } catch {
            if error.code == .limitExceeded {
                throw Problem(422, "job-too-large", "Unprocessable content",
                              "\(error.message) (limit \(error.limit ?? "job size"))",
                              errors: [.init(pointer: error.pointer, detail: error.message)])
            }
            throw Problem(400, "invalid-job", "Bad request", error.description, errors: [.init(pointer: error.pointer, detail: error.message)])
        }
        var idempotency: IdempotencyKey? = nil
        if let key = ctx.request.headers["Idempotency-Key"] {
            guard !key.isEmpty, key.utf8.count <= 255 else {
                throw Problem.badRequest("invalid-idempotency-key", "Idempotency-Key must be 1–255 characters")
            }
            idempotency = IdempotencyKey(key: key, body: ctx.request.body)
        }
        let submission: JobSubmission
        do throws(JobRunnerError) {
            submission = try runner.submit(spec, idempotency: idempotency)
        } catch {
            switch error.code {
            case .queueFull:
                throw Problem(429, "queue-full", "Too many requests", error.message, headers: ["Retry-After": "\(error.retryAfterSeconds ?? 5)"])
            case .idempotencyConflict:
                throw Problem(422, "idempotency-key-reused", "Unprocessable content", error.message)
            default:
                throw Problem(503, "shutting-down", "Service unavailable", error.message, headers: ["Retry-After": "5"])
            }
        }
        var headers: HTTPHeaders = ["Location": "/v1/jobs/\(submission.id)", "Retry-After": "1"]
        if !submission.isNew { headers.add("Idempotent-Replayed", "true") }
        return jsonResponse(submission.document, status: submission.isNew ? 202 : 200, headers: headers)
    }

    private func list(_ ctx: RouteContext) throws(Problem) -> HTTPResponse {
        var filter: JobStatus? = nil
        if let raw = ctx.queryValue("status") {
            guard let s = JobStatus(rawValue: raw) else {
                throw Problem(400, "invalid-parameter", "Bad request",
                              "status must be one of \(JobStatus.allCases.map(\.rawValue).joined(separator: ", "))",
                              errors: [.init(pointer: nil, parameter: "status", detail: "unknown status '\(raw)'")])
            }
            filter = s
        }
        return jsonResponse(.object([("jobs", .array(runner.list(status: filter)))]))
    }

    private func job(_ ctx: RouteContext) throws(Problem) -> (String, JSONValue) {
        let id = ctx.pathParameters["id"] ?? ""
        guard let doc = runner.document(of: id) else {
            throw Problem.notFound("no job '\(id)' (unknown, deleted, or expired after its time to live)")
        }
        return (id, doc)
    }

    private func status(_ ctx: RouteContext) throws(Problem) -> HTTPResponse {
        let (id, doc) = try job(ctx)
        var headers: HTTPHeaders = [:]
        if runner.status(of: id)?.isFinished == false { headers.add("Retry-After", "1") }
        return jsonResponse(doc, headers: headers)
    }

    private func delete(_ ctx: RouteContext) throws(Problem) -> HTTPResponse {
        let id = ctx.pathParameters["id"] ?? ""
        switch runner.delete(id) {
        case nil:
            throw Problem.notFound("no job '\(id)' (unknown, deleted, or expired after its time to live)")
        case .forgotten?:
            return HTTPResponse(status: 204)
        case .cancelled?, .cancelling?:
            return jsonResponse(runner.document(of: id) ?? .object([("id", .string(id))]), status: 202)
        }
    }

    private func events(_ ctx: RouteContext) throws(Problem) -> HTTPResponse {
        let (id, _) = try job(ctx)
        var after = 0
        for (raw, name) in [(ctx.queryValue("last_event_id"), "last_event_id"), (ctx.request.headers["Last-Event-ID"], "Last-Event-ID")] {
            guard let raw else { continue }
            let digits = raw.trimmed()
            guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                throw Problem(400, "invalid-last-event-id", "Bad request", "\(name) must be a non-negative integer event id",
                              errors: [.init(pointer: nil, parameter: name, detail: "got '\(raw)'")])
            }
            // Ids beyond any real event simply mean "nothing to replay".
            after = Int(digits) ?? Int.max
        }
        let stream = JobEventStream(runner: runner, jobID: id, after: after, heartbeatSeconds: heartbeatSeconds)
        return HTTPResponse(status: 200, headers: [
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",
        ], body: .stream(stream))
    }
}

/// A job's events as Server-Sent Events, pulled by the HTTP server: replays the log after
/// `Last-Event-ID`, then waits for new events (heartbeat comments in between) until the final
/// `done` or `error` event.
final class JobEventStream: ResponseStream {
    private struct State {
        var after: Int
        var sentPreamble = false
        var finished = false
        var closed = false
        var observation: JobObservation?
        var heartbeat: DispatchWorkItem?
        var lastSent: DispatchTime = .now()
    }

    private let runner: JobRunner
    private let jobID: String
    private let heartbeatSeconds: Double
    private let state: Mutex<State>

    init(runner: JobRunner, jobID: String, after: Int, heartbeatSeconds: Double) {
        self.runner = runner
        self.jobID = jobID
        self.heartbeatSeconds = heartbeatSeconds
        self.state = Mutex(State(after: after))
    }

    func next(wake: @escaping @Sendable () -> Void) -> StreamChunk {
        state.withLock { s -> StreamChunk in
            if s.closed || s.finished { return .end }
            s.heartbeat?.cancel()
            s.heartbeat = nil
            if let o = s.observation {
                runner.cancelObservation(o)
                s.observation = nil
            }
            var out: [UInt8] = []
            if !s.sentPreamble {
                out += Array("retry: 2000\n\n".utf8)
                s.sentPreamble = true
            }
            guard let batch = runner.events(of: jobID, after: s.after) else {
                // Forgotten or expired while streaming.
                s.finished = true
                out += Array("event: error\ndata: {\"status\":404,\"detail\":\"the job no longer exists\"}\n\n".utf8)
                return .data(out)
            }
            for e in batch.events {
                var w = JSONWriter()
                w.write(e.data)
                out += Array("id: \(e.id)\nevent: \(e.kind.rawValue)\ndata: ".utf8)
                out += w.bytes
                out += [0x0a, 0x0a]
                s.after = e.id
            }
            if batch.isComplete { s.finished = true }
            let now = DispatchTime.now()
            if out.isEmpty, !s.finished, now.uptimeNanoseconds - s.lastSent.uptimeNanoseconds >= UInt64(heartbeatSeconds * 0.95e9) {
                out = Array(": heartbeat\n\n".utf8)
            }
            if !out.isEmpty {
                s.lastSent = now
                return .data(out)
            }
            if s.finished { return .end }
            // Nothing yet: wake on the next event, or for the next heartbeat.
            s.observation = runner.onChange(of: jobID, after: s.after, wake: wake)
            let item = DispatchWorkItem(block: wake)
            s.heartbeat = item
            DispatchQueue.global().asyncAfter(deadline: .now() + heartbeatSeconds, execute: item)
            return .pending
        }
    }

    func close() {
        state.withLock { s in
            s.closed = true
            s.heartbeat?.cancel()
            s.heartbeat = nil
            if let o = s.observation { runner.cancelObservation(o) }
            s.observation = nil
        }
    }
}
