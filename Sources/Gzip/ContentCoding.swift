/// An HTTP content coding (RFC 9110 §8.4.1) that this module can produce and decode.
public enum ContentCoding: String, Sendable, Hashable, CaseIterable {
    /// RFC 1952 gzip (possibly several members).
    case gzip
    /// The zlib format (RFC 1950 around RFC 1951), per RFC 9110 §8.4.1.2. Decoding also accepts
    /// raw deflate, which some clients send.
    case deflate
    /// No transformation.
    case identity

    /// Parses a coding token case-insensitively (`x-gzip` is an alias of `gzip`); nil if unsupported.
    public init?(token: some StringProtocol) {
        switch token.trimmingHTTPWhitespace().lowercased() {
        case "gzip", "x-gzip": self = .gzip
        case "deflate": self = .deflate
        case "identity": self = .identity
        default: return nil
        }
    }

    /// The token for `Content-Encoding`.
    public var token: String { rawValue }
}

extension StringProtocol {
    /// Drops leading and trailing spaces and horizontal tabs (HTTP OWS).
    func trimmingHTTPWhitespace() -> Substring {
        let s = Substring(self)
        guard let first = s.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let last = s.lastIndex(where: { $0 != " " && $0 != "\t" })!  // exists: `first` does
        return s[first...last]
    }
}
