import HTTPServer

#if canImport(Glibc)
import Glibc
#endif

/// Method + path-template table. Templates use `{name}` for one path segment.
struct Router: Sendable {
    struct Route: Sendable {
        let method: String
        let template: String
        let segments: [Segment]
        /// Requests with large bodies are answered off the HTTP threads (they evaluate arrays).
        let offloadsLargeBodies: Bool
        /// A successful answer is mostly float-array text, which is compressed Huffman-only.
        let answersFloatArrays: Bool
        let handler: RouteHandler
        /// `segments` for matching: a literal's UTF-8 bytes, nil for a parameter.
        fileprivate let pattern: [[UInt8]?]
    }

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    enum Match {
        case found(Route, [String: String])
        case methodNotAllowed([String])
        case notFound

        /// A found route whose successful answers are float-array text.
        var answersFloatArrays: Bool {
            if case .found(let route, _) = self { return route.answersFloatArrays }
            return false
        }
    }

    private(set) var routes: [Route] = []

    mutating func add(
        _ method: String, _ template: String, offloadsLargeBodies: Bool = false, answersFloatArrays: Bool = false,
        _ handler: @escaping RouteHandler
    ) {
        let segments = template.split(separator: "/").map { s -> Segment in
            s.hasPrefix("{") && s.hasSuffix("}") ? .parameter(String(s.dropFirst().dropLast())) : .literal(String(s))
        }
        let pattern = segments.map { segment -> [UInt8]? in
            if case .literal(let l) = segment { return Array(l.utf8) }
            return nil
        }
        routes.append(Route(method: method, template: template, segments: segments, offloadsLargeBodies: offloadsLargeBodies,
                            answersFloatArrays: answersFloatArrays, handler: handler, pattern: pattern))
    }

    /// The route for `method` and `path` (segments compared byte for byte, empty ones skipped).
    /// Works on the path's UTF-8 bytes: no substrings, and strings only for path parameters of
    /// the route that matched.
    func match(method: String, path: String) -> Match {
        var path = path
        return path.withUTF8 { bytes -> Match in
            let upperBound = bytes.reduce(1) { $1 == UInt8(ascii: "/") ? $0 + 1 : $0 }
            return withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: upperBound) { parts -> Match in
                var count = 0
                var start = 0
                for i in 0...bytes.count where i == bytes.count || bytes[i] == UInt8(ascii: "/") {
                    if i > start {
                        parts[count] = start..<i
                        count += 1
                    }
                    start = i + 1
                }
                var allowed: [String] = []
                for route in routes where route.pattern.count == count {
                    var ok = true
                    for (k, literal) in route.pattern.enumerated() {
                        guard let literal else { continue }
                        let part = parts[k]
                        if literal.count != part.count || !literal.withUnsafeBytes({ l in
                            memcmp(l.baseAddress!, bytes.baseAddress! + part.lowerBound, part.count) == 0  // both non-empty
                        }) {
                            ok = false
                            break
                        }
                    }
                    guard ok else { continue }
                    // Literal routes win over parameter routes with the same shape.
                    if route.method == method || (method == "HEAD" && route.method == "GET") {
                        var params: [String: String] = [:]
                        for (k, segment) in route.segments.enumerated() {
                            if case .parameter(let name) = segment {
                                params[name] = String(decoding: UnsafeBufferPointer(rebasing: bytes[parts[k]]), as: UTF8.self)
                            }
                        }
                        return .found(route, params)
                    }
                    allowed.append(route.method)
                }
                return allowed.isEmpty ? .notFound : .methodNotAllowed(Array(Set(allowed)).sorted())
            }
        }
    }
}
