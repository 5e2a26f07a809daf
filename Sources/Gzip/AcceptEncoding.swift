/// A parsed `Accept-Encoding` request header and response-coding negotiation (RFC 9110 §12.5.3).
///
/// Rules applied:
/// - Elements are `coding *( OWS ";" OWS name "=" value )`; codings and `q` compare
///   case-insensitively; `q` is 0…1 with at most three decimals (default 1). Malformed elements
///   are ignored.
/// - `*` stands for every coding not listed explicitly (identity included); `q=0` means
///   "not acceptable".
/// - `identity` is acceptable unless excluded by `identity;q=0`, or by `*;q=0` without an
///   `identity` entry. When neither `identity` nor `*` is listed it is a last resort (weight
///   0.001): `gzip;q=0.2` still picks gzip, since the client asked for it.
/// - A missing header yields identity (clients that send none, such as plain curl, often cannot
///   decode; RFC 9110 allows any coding but identity is the safe choice), and so does an empty one.
/// - Ties prefer gzip, then deflate, then identity. When nothing offered is acceptable the answer
///   is identity: RFC 9110 prefers an unencoded response over 406.
public struct AcceptEncoding: Sendable, Hashable {
    /// One listed coding with its weight in thousandths (0…1000).
    public struct Entry: Sendable, Hashable {
        /// The lowercased coding token (`gzip`, `br`, `*`, …).
        public var coding: String
        /// q × 1000, so comparisons are exact.
        public var weight: Int
    }

    /// Entries in header order; empty when the header is absent or empty.
    public let entries: [Entry]
    /// Whether the request carried the header at all.
    public let isPresent: Bool

    public init(header: String?) {
        isPresent = header != nil
        entries = header.map(Self.parse) ?? []
    }

    /// The best coding among `offered` for this client.
    public func preferred(among offered: [ContentCoding]) -> ContentCoding {
        guard isPresent, !entries.isEmpty else { return .identity }
        var best: (coding: ContentCoding, weight: Int)?
        for coding in Self.tieOrder where offered.contains(coding) {
            let weight = self.weight(of: coding)
            if weight > 0 && weight > (best?.weight ?? 0) { best = (coding, weight) }
        }
        return best?.coding ?? .identity
    }

    /// The weight (0…1000) this header gives `coding`; unlisted identity gets 1 (a last resort).
    public func weight(of coding: ContentCoding) -> Int {
        guard isPresent, !entries.isEmpty else { return coding == .identity ? 1000 : 0 }
        let explicit = entries.filter { ContentCoding(token: $0.coding) == coding }
        if !explicit.isEmpty { return explicit.map(\.weight).max()! }  // non-empty
        if let star = entries.last(where: { $0.coding == "*" }) { return star.weight }
        return coding == .identity ? 1 : 0
    }

    private static let tieOrder: [ContentCoding] = [.gzip, .deflate, .identity]

    private static func parse(_ header: String) -> [Entry] {
        header.split(separator: ",").compactMap { element -> Entry? in
            var parts = element.split(separator: ";", omittingEmptySubsequences: false)
                .map { $0.trimmingHTTPWhitespace() }
            guard let first = parts.first, !first.isEmpty, first.allSatisfy(isTokenCharacter) else {
                return nil
            }
            parts.removeFirst()
            var weight = 1000
            for parameter in parts {
                guard let equals = parameter.firstIndex(of: "=") else { return nil }
                let name = parameter[..<equals].trimmingHTTPWhitespace().lowercased()
                let value = parameter[parameter.index(after: equals)...].trimmingHTTPWhitespace()
                guard name == "q" else { continue }  // other parameters carry no meaning here
                guard let parsed = parseQuality(value) else { return nil }
                weight = parsed
            }
            return Entry(coding: first.lowercased(), weight: weight)
        }
    }

    /// `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`, in thousandths.
    private static func parseQuality(_ text: Substring) -> Int? {
        let chars = Array(text.utf8)
        guard let lead = chars.first, lead == UInt8(ascii: "0") || lead == UInt8(ascii: "1") else { return nil }
        var thousandths = lead == UInt8(ascii: "1") ? 1000 : 0
        guard chars.count > 1 else { return thousandths }
        guard chars[1] == UInt8(ascii: "."), chars.count <= 5 else { return nil }
        var scale = 100
        for digit in chars.dropFirst(2) {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else { return nil }
            thousandths += Int(digit - UInt8(ascii: "0")) * scale
            scale /= 10
        }
        return thousandths <= 1000 ? thousandths : nil
    }

    private static func isTokenCharacter(_ c: Character) -> Bool {
        guard c.isASCII, let ascii = c.asciiValue else { return false }
        if c.isLetter || c.isNumber { return true }
        return "!#$%&'*+-.^_`|~".utf8.contains(ascii)
    }
}
