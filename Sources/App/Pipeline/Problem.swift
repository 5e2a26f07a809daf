import Codecs
import HTTPServer

/// An RFC 9457 problem: the only error type that reaches clients. `error` repeats `detail`
/// so Open Inference Protocol clients, which read `{"error": ...}`, understand it.
public struct Problem: Error, Sendable {
    /// One entry of the `errors` extension: where in the request, and what is wrong there.
    public struct FieldError: Sendable {
        public var pointer: String?
        public var parameter: String?
        public var detail: String
    }

    public var status: Int
    /// Short stable slug (e.g. "ragged-array"); rendered as the `type` URI.
    public var slug: String
    public var title: String
    public var detail: String
    public var errors: [FieldError] = []
    /// Extra response headers (Retry-After, WWW-Authenticate, Accept-Encoding, Allow).
    public var headers: HTTPHeaders = [:]

    public init(_ status: Int, _ slug: String, _ title: String, _ detail: String, errors: [FieldError] = [], headers: HTTPHeaders = [:]) {
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }

    static func badRequest(_ slug: String, _ detail: String, pointer: String? = nil) -> Problem {
        Problem(400, slug, "Bad request", detail, errors: pointer.map { [FieldError(pointer: $0, detail: detail)] } ?? [])
    }

    static func notFound(_ detail: String) -> Problem { Problem(404, "not-found", "Not found", detail) }

    /// The problem document as JSON.
    func jsonValue(instance: String?, requestID: String?) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("type", .string("https://activation-service.dev/problems/\(slug)")),
            ("title", .string(title)),
            ("status", .number(Double(status))),
            ("detail", .string(detail)),
            ("error", .string(detail)),
        ]
        if let instance { members.append(("instance", .string(instance))) }
        if !errors.isEmpty {
            members.append((
                "errors",
                .array(errors.map { e in
                    var m: [(key: String, value: JSONValue)] = []
                    if let p = e.pointer { m.append(("pointer", .string(p))) }
                    if let p = e.parameter { m.append(("parameter", .string(p))) }
                    m.append(("detail", .string(e.detail)))
                    return .object(m)
                })
            ))
        }
        if let requestID { members.append(("request_id", .string(requestID))) }
        return .object(members)
    }

    func response(instance: String?, requestID: String?) -> HTTPResponse {
        var w = JSONWriter()
        w.write(jsonValue(instance: instance, requestID: requestID))
        var headers = self.headers
        headers.set("Content-Type", "application/problem+json")
        return HTTPResponse(status: status, headers: headers, bytes: w.bytes)
    }
}

extension Problem {
    /// Maps a decoding failure to the right 4xx.
    init(_ error: CodecError, pointerPrefix: String = "") {
        let pointer = error.pointer.map { pointerPrefix + $0 }
        switch error.code {
        case .tooManyElements:
            self.init(413, "too-many-elements", "Payload too large", error.message)
        case .tooDeep:
            self.init(400, "too-deep", "Bad request", error.message)
        case .ragged:
            self.init(400, "ragged-array", "Bad request", error.message)
        case .badLength:
            self.init(400, "bad-length", "Bad request", error.message)
        case .unsupportedDType:
            self.init(400, "unsupported-dtype", "Bad request", error.message)
        case .badHeader:
            self.init(400, "bad-payload", "Bad request", error.message)
        case .wrongType:
            self.init(400, "wrong-type", "Bad request", error.message)
        default:
            self.init(400, "malformed-json", "Bad request", error.message)
        }
        if let pointer { errors = [FieldError(pointer: pointer, detail: error.message)] }
    }
}
