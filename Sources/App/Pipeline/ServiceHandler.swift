import Dispatch
import Gzip
import HTTPServer
import Logging
import Synchronization

/// The application behind the HTTP transport: screening, inflation, routing, offloading large-body
/// evaluations, response compression, request ids, the request log and metrics.
final class ServiceHandler: HTTPHandler {
    let router: Router
    let configuration: AppConfiguration
    let metrics: ServiceMetrics
    let logger: Logger
    /// Heavy evaluations run here, never on libmicrohttpd's threads.
    private let offloadQueue = DispatchQueue(label: "activation-service.evaluate", qos: .userInitiated, attributes: .concurrent)
    /// Bounds what is offloaded at once; past it, requests get 503 + Retry-After.
    let inflight: InflightBudget

    /// Routes that stay open when an API key is configured.
    static let openPaths: Set<String> = ["/healthz", "/readyz", "/v2/health/live", "/v2/health/ready"]

    /// The logger's handler when it is a ``LineLogHandler`` that can write access lines
    /// straight from their fields (same line, no metadata dictionary per request).
    private let directAccessLog: LineLogHandler?

    init(router: Router, configuration: AppConfiguration, metrics: ServiceMetrics, logger: Logger) {
        self.router = router
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        directAccessLog = (logger.handler as? LineLogHandler).flatMap { $0.writesAccessLinesDirectly ? $0 : nil }
        inflight = InflightBudget(maxRequests: configuration.maxInflight, maxBytes: configuration.maxInflightBytes)
    }

    // MARK: HTTPHandler

    func screen(_ head: HTTPRequest) -> HTTPResponse? {
        let start = ContinuousClock.now
        if let problem = earlyProblem(head) {
            let id = requestID(head)
            return finish(head, problem.response(instance: head.path, requestID: id), route: routeLabel(head), requestID: id, start: start, inflatedBytes: 0)
        }
        return nil
    }

    func bodyTooLarge(_ head: HTTPRequest, limit: Int) -> HTTPResponse {
        let id = requestID(head)
        let p = Problem(413, "payload-too-large", "Payload too large", "the request body exceeds the limit of \(limit) bytes (max body bytes)")
        return finish(head, p.response(instance: head.path, requestID: id), route: routeLabel(head), requestID: id, start: .now, inflatedBytes: 0)
    }

    func handle(_ request: HTTPRequest, responder: Responder) {
        let start = ContinuousClock.now
        let id = requestID(request)
        let match = router.match(method: request.method, path: request.path)
        if case .found(let route, _) = match, route.offloadsLargeBodies, request.body.count >= configuration.offloadThresholdBytes {
            let bytes = request.body.count
            guard inflight.acquire(bytes: bytes) else {
                responder.respond(finish(request, overloaded().response(instance: request.path, requestID: id), route: route.template,
                                         requestID: id, start: start, inflatedBytes: bytes))
                return
            }
            offloadQueue.async {
                defer { self.inflight.release(bytes: bytes) }
                responder.respond(self.process(request, match: match, requestID: id, start: start))
            }
        } else {
            responder.respond(process(request, match: match, requestID: id, start: start))
        }
    }

    /// The load-shedding answer when the in-flight budget is spent.
    private func overloaded() -> Problem {
        Problem(503, "overloaded", "Service unavailable",
                "the service is evaluating as much as it may at once (max in-flight \(inflight.maxRequests) requests, \(inflight.maxBytes) bytes); retry shortly",
                headers: ["Retry-After": "1"])
    }

    // MARK: Pipeline

    /// Answers a request whose head passed ``screen(_:)`` (libmicrohttpd and
    /// `Application.respond(to:)` always screen first), routed once by the caller as `match`.
    func process(_ request: HTTPRequest, match: Router.Match, requestID id: String, start: ContinuousClock.Instant) -> HTTPResponse {
        var request = request
        var inflated = request.body.count
        var label = "unmatched"
        if case .found(let route, _) = match { label = route.template }
        let response: HTTPResponse
        do throws(Problem) {
            // Routing first: an unknown route or method is 404/405 whatever the body holds.
            if case .found = match {
                try inflate(&request)
                inflated = request.body.count
            }
            switch match {
            case .notFound:
                throw Problem.notFound("no route for \(request.method) \(request.path)")
            case .methodNotAllowed(let allowed):
                throw Problem(405, "method-not-allowed", "Method not allowed", "\(request.method) is not allowed on \(request.path); allowed: \(allowed.joined(separator: ", "))",
                              headers: ["Allow": allowed.joined(separator: ", ")])
            case .found(let route, let params):
                var r = try route.handler(RouteContext(request: request, pathParameters: params, requestID: id, route: route.template))
                if request.method == "HEAD", case .bytes = r.body { r.body = .bytes([]) }
                response = r
            }
        } catch {
            response = error.response(instance: request.path, requestID: id)
        }
        return finish(request, response, route: label, requestID: id, start: start, inflatedBytes: inflated,
                      floatArrays: match.answersFloatArrays && response.status == 200)
    }

    /// Checks that need only the head: authentication, declared size, content coding.
    private func earlyProblem(_ head: HTTPRequest) -> Problem? {
        if let key = configuration.apiKey, !Self.openPaths.contains(head.path) {
            let supplied = head.headers["Authorization"].flatMap { h -> String? in
                let parts = h.split(separator: " ", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
                return parts[1].trimmed()
            }
            if supplied == nil || !constantTimeEquals(supplied!, key) {
                return Problem(401, "unauthorized", "Unauthorized", supplied == nil ? "this route requires Authorization: Bearer <key>" : "the API key is not valid",
                               headers: ["WWW-Authenticate": "Bearer realm=\"activation-service\""])
            }
        }
        if let raw = head.headers["Content-Length"], let n = Int(raw), n > configuration.maxBodyBytes {
            return Problem(413, "payload-too-large", "Payload too large", "the request body of \(n) bytes exceeds the limit of \(configuration.maxBodyBytes) bytes (max body bytes)")
        }
        if let coding = head.headers["Content-Encoding"]?.trimmed().lowercased(),
           !["", "identity", "gzip", "x-gzip", "deflate"].contains(coding) {
            return Problem(415, "unsupported-content-encoding", "Unsupported media type", "Content-Encoding '\(coding)' is not supported; use gzip or deflate",
                           headers: ["Accept-Encoding": "gzip, deflate"])
        }
        return nil
    }

    private func inflate(_ request: inout HTTPRequest) throws(Problem) {
        guard let raw = request.headers["Content-Encoding"]?.trimmed().lowercased() else { return }
        let coding: ContentCoding
        switch raw {
        case "gzip", "x-gzip": coding = .gzip
        case "deflate": coding = .deflate
        default: return
        }
        do throws(GzipError) {
            request.body = try Gzip.decompress(request.body, coding: coding, maxOutputBytes: configuration.maxInflatedBytes)
        } catch {
            if error.code == .outputTooLarge {
                throw Problem(413, "inflated-too-large", "Payload too large", "the \(raw) body inflates beyond the limit of \(configuration.maxInflatedBytes) bytes (max inflated bytes)")
            }
            throw Problem(400, "corrupt-encoding", "Bad request", "the \(raw) request body could not be decoded: \(error)")
        }
    }

    /// Adds X-Request-Id and Vary, compresses when negotiated, logs and records metrics.
    /// `floatArrays`: the answer is a successful evaluation (mostly float-array text), which
    /// Huffman-only coding compresses faster and smaller than level 1 at every size.
    func finish(
        _ request: HTTPRequest, _ response: HTTPResponse, route: String, requestID id: String, start: ContinuousClock.Instant,
        inflatedBytes: Int, floatArrays: Bool = false
    ) -> HTTPResponse {
        var response = response
        response.headers.set("X-Request-Id", id)
        var identityBytes = 0
        var wireBytes = 0
        if case .bytes(let body) = response.body {
            identityBytes = body.count
            wireBytes = body.count
            response.headers.set("Vary", "Accept-Encoding")
            let type = response.headers["Content-Type"] ?? ""
            if body.count >= configuration.gzipMinBytes, Self.isCompressible(type), response.headers["Content-Encoding"] == nil {
                let coding = AcceptEncoding(header: request.headers["Accept-Encoding"]).preferred(among: [.gzip, .deflate, .identity])
                let json = type.lowercased().hasPrefix("application/json")
                let strategy: CompressionStrategy = json && (floatArrays || body.count >= Self.huffmanOnlyMinBytes) ? .huffmanOnly : .standard
                if coding != .identity, let packed = try? Gzip.compress(body, coding: coding, level: configuration.gzipLevel, strategy: strategy),
                   packed.count < body.count {
                    response.body = .bytes(packed)
                    response.headers.set("Content-Encoding", coding == .gzip ? "gzip" : "deflate")
                    wireBytes = packed.count
                }
            }
        }
        let elapsed = ContinuousClock.now - start
        metrics.request(route: route, method: request.method, status: response.status, duration: elapsed,
                        wireBytesIn: request.headers["Content-Length"].flatMap(Int.init) ?? 0, inflatedBytesIn: inflatedBytes,
                        bytesOut: identityBytes, wireBytesOut: wireBytes)
        let level: Logger.Level = response.status >= 500 ? .error : (route == "/healthz" || route == "/readyz" || route == "/metrics" ? .debug : .info)
        if logger.logLevel <= level {
            let fields = AccessLogFields(
                requestID: id, method: request.method, path: request.path, status: response.status,
                durationMilliseconds: Double(elapsed.components.attoseconds / 1_000_000_000_000) / 1000 + Double(elapsed.components.seconds) * 1000,
                bytesIn: inflatedBytes, bytesOut: wireBytes)
            if let direct = directAccessLog {
                direct.logAccess(fields, level: level, message: "request", source: "App")
            } else {
                logger.log(level: level, "request", metadata: fields.metadata)
            }
        }
        return response
    }

    /// Compressed JSON answers at least this large (and every evaluation answer) use
    /// Huffman-only DEFLATE (the Gzip module's own encoder): float-array text has almost no
    /// repeats for a match search to find, so it is ~4× faster than zlib level 1 for a slightly
    /// smaller output (docs/PERFORMANCE.md); smaller JSON of other routes keeps level 1.
    static let huffmanOnlyMinBytes = 64 * 1024

    /// Text formats compress well; raw float32 does not and is never compressed by default.
    static func isCompressible(_ contentType: String) -> Bool {
        let t = contentType.lowercased()
        return t.hasPrefix("application/json") || t.hasPrefix("application/problem+json") || t.hasPrefix("text/plain")
            || t.hasPrefix("application/yaml")
    }

    private func routeLabel(_ request: HTTPRequest) -> String {
        if case .found(let route, _) = router.match(method: request.method, path: request.path) { return route.template }
        return "unmatched"
    }

    private func requestID(_ request: HTTPRequest) -> String {
        if let given = request.headers["X-Request-Id"], !given.isEmpty, given.utf8.count <= 128,
           given.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) {
            return given
        }
        return Self.freshRequestID()
    }

    /// A random key drawn once, so ids differ between processes and replicas.
    private static let idKey: UInt64 = {
        var rng = SystemRandomNumberGenerator()
        return rng.next()
    }()
    private static let idCounter = Atomic<UInt64>(0)

    /// 16 hex digits: SplitMix64 of key + counter·γ. SplitMix64's finaliser is a bijection, so ids
    /// never repeat within a process, yet they look random; unlike `SystemRandomNumberGenerator`
    /// this costs no `getrandom` system call per request.
    static func freshRequestID() -> String {
        let n = idCounter.wrappingAdd(1, ordering: .relaxed).oldValue
        var z = idKey &+ n &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 16) { buf in
            for i in 0..<16 { buf[i] = digits.utf8Start[Int((z >> UInt64(60 - 4 * i)) & 0xF)] }
            return 16
        }
    }
}

/// Compares without an early exit, so timing does not reveal how much of a key matched.
func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    var diff = UInt8(x.count == y.count ? 0 : 1)
    let n = max(x.count, y.count)
    for i in 0..<n {
        let l = i < x.count ? x[i] : 0
        let r = i < y.count ? y[i] : 0
        diff |= l ^ r
    }
    return diff == 0
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
