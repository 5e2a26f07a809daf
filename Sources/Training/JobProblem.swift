import Codecs

/// An RFC 9457 problem object as it appears in a job document's `error` and in SSE `error`
/// events: `{type, title, status, detail}` plus extension members.
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
                ("detail", .string(detail)),
            ] + extensions
        )
    }

    /// Training produced a non-finite loss or parameter.
    static func diverged(epoch: Int, reason: String) -> JobProblem {
        JobProblem(
            type: "/problems/training-diverged",
            title: "Training diverged",
            status: 422,
            detail: "training diverged at epoch \(epoch): \(reason)",
            extensions: [("epoch", .number(Double(epoch)))]
        )
    }

    /// The job was cancelled (by the client or at shutdown).
    static func cancelled(reason: String, epoch: Int?) -> JobProblem {
        JobProblem(
            type: "/problems/job-cancelled",
            title: "Job cancelled",
            status: 409,
            detail: reason,
            extensions: epoch.map { [("epoch", .number(Double($0)))] } ?? []
        )
    }

    /// The job could not be run as specified (found only at run time).
    static func invalid(_ detail: String) -> JobProblem {
        JobProblem(type: "/problems/job-invalid", title: "Job cannot run", status: 422, detail: detail)
    }
}
