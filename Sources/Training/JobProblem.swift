import Codecs

/// An RFC 9457 problem object as it appears in a job document's `error` and in SSE `error`
/// events: `{type, title, status, detail, error}` (`error` repeats `detail`, as in every problem
/// the service sends) plus extension members.
public struct JobProblem: Sendable, Equatable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    public var extensions: [(key: String, value: JSONValue)]

    public init(
        type: String,
        title: String,
        status: Int,
        detail: String,
        extensions: [(key: String, value: JSONValue)] = []
    ) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.extensions = extensions
    }

    public static func == (l: JobProblem, r: JobProblem) -> Bool {
        l.json == r.json
    }

    public var json: JSONValue {
        .object(
            [
                ("type", .string(type)), ("title", .string(title)), ("status", .number(Double(status))),
                ("detail", .string(detail)), ("error", .string(detail)),
            ] + extensions
        )
    }

    /// Training produced a non-finite loss or parameter.
    static func diverged(epoch: Int, reason: String) -> JobProblem {
        JobProblem(
            type: "https://activation-service.dev/problems/training-diverged",
            title: "Training diverged",
            status: 422,
            detail: "training diverged at epoch \(epoch): \(reason)",
            extensions: [("epoch", .number(Double(epoch)))]
        )
    }

    /// The job was cancelled (by the client or at shutdown).
    static func cancelled(reason: String, epoch: Int?) -> JobProblem {
        JobProblem(
            type: "https://activation-service.dev/problems/job-cancelled",
            title: "Job cancelled",
            status: 409,
            detail: reason,
            extensions: epoch.map { [("epoch", .number(Double($0)))] } ?? []
        )
    }

    /// The job could not be run as specified (found only at run time).
    static func invalid(_ detail: String) -> JobProblem {
        JobProblem(type: "https://activation-service.dev/problems/job-invalid", title: "Job cannot run", status: 422, detail: detail)
    }
}

extension JobSpecError {
    /// The RFC 9457 problem for this error: 400 (`/problems/invalid-job`) or 422
    /// (`/problems/job-too-large`, with `limit`), with `errors: [{pointer, detail}]`.
    public var problem: JobProblem {
        let tooLarge = code == .limitExceeded
        var extensions: [(key: String, value: JSONValue)] = [
            ("errors", .array([.object([("pointer", .string(pointer)), ("detail", .string(message))])]))
        ]
        if let limit { extensions.append(("limit", .string(limit))) }
        return JobProblem(
            type: tooLarge ? "https://activation-service.dev/problems/job-too-large" : "https://activation-service.dev/problems/invalid-job",
            title: tooLarge ? "Job exceeds a size limit" : "Invalid job",
            status: tooLarge ? 422 : 400,
            detail: description,
            extensions: extensions
        )
    }
}

extension JobRunnerError {
    /// The RFC 9457 problem: 429 (queue full; see `retryAfterSeconds`), 422 (idempotency key
    /// reused with another body) or 503 (shutting down).
    public var problem: JobProblem {
        switch code {
        case .queueFull:
            return JobProblem(type: "https://activation-service.dev/problems/queue-full", title: "Job queue is full", status: 429, detail: message)
        case .idempotencyConflict:
            return JobProblem(
                type: "https://activation-service.dev/problems/idempotency-key-reused",
                title: "Idempotency-Key reused with a different body",
                status: 422,
                detail: message
            )
        default:
            return JobProblem(
                type: "https://activation-service.dev/problems/shutting-down",
                title: "Service is shutting down",
                status: 503,
                detail: message
            )
        }
    }
}
