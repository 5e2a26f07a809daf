#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The listen address parsed from ``HTTPServerConfiguration/host``.
enum BindAddress: Equatable, Sendable {
    /// Network-order IPv4 address bytes.
    case ipv4([UInt8])
    /// Network-order IPv6 address bytes; `::` also accepts IPv4 (dual stack).
    case ipv6([UInt8])

    /// Parses an IPv4 literal, an IPv6 literal (optionally in brackets) or `localhost`.
    init(host: String) throws(HTTPServerError) {
        let trimmed = String(host.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
        if trimmed.lowercased() == "localhost" {
            self = .ipv4([127, 0, 0, 1])
            return
        }
        var v4 = in_addr()
        if inet_pton(AF_INET, trimmed, &v4) == 1 {
            self = .ipv4(withUnsafeBytes(of: &v4) { Array($0) })
            return
        }
        var literal = Substring(trimmed)
        if literal.hasPrefix("[") && literal.hasSuffix("]") { literal = literal.dropFirst().dropLast() }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, String(literal), &v6) == 1 {
            self = .ipv6(withUnsafeBytes(of: &v6) { Array($0) })
            return
        }
        throw HTTPServerError(.invalidHost, "host '\(host)' is not an IPv4 or IPv6 address or 'localhost'")
    }

    var isDualStackAny: Bool { self == .ipv6([UInt8](repeating: 0, count: 16)) }
}
