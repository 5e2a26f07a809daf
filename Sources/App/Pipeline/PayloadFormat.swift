import HTTPServer

/// The body formats of the evaluation routes.
enum PayloadFormat: String, Sendable {
    case json = "application/json"
    case binary = "application/octet-stream"
    case npy = "application/x-npy"

    /// The format of a request body from its Content-Type (nil → unsupported).
    init?(contentType: String?) {
        guard let ct = contentType else { self = .json; return }
        // The common exact spellings without splitting, trimming or lowercasing.
        switch ct {
        case "application/json": self = .json; return
        case "application/octet-stream": self = .binary; return
        case "application/x-npy": self = .npy; return
        default: break
        }
        let essence = ct.split(separator: ";").first.map { $0.trimmed().lowercased() } ?? ""
        switch essence {
        case "application/json", "": self = .json
        case "application/octet-stream": self = .binary
        case "application/x-npy", "application/npy": self = .npy
        default:
            if essence.hasSuffix("+json") { self = .json } else { return nil }
        }
    }
}

/// `Accept` negotiation: picks the best of `available`, or `fallback` when the client accepts
/// anything (or sent no header). nil means nothing acceptable (406).
func negotiateAccept(_ header: String?, available: [PayloadFormat], fallback: PayloadFormat) -> PayloadFormat? {
    guard let header, !header.trimmed().isEmpty else { return fallback }
    var best: (format: PayloadFormat, q: Double, specificity: Int)? = nil
    var wildcardQ: Double? = nil
    for item in header.split(separator: ",") {
        let parts = item.split(separator: ";").map { $0.trimmed().lowercased() }
        guard let range = parts.first, !range.isEmpty else { continue }
        var q = 1.0
        for p in parts.dropFirst() where p.hasPrefix("q=") { q = Double(p.dropFirst(2)) ?? 0 }
        if range == "*/*" || range == "application/*" {
            wildcardQ = max(wildcardQ ?? 0, q)
            continue
        }
        let format: PayloadFormat?
        switch range {
        case "application/json": format = .json
        case "application/octet-stream": format = .binary
        case "application/x-npy", "application/npy": format = .npy
        default: format = nil
        }
        if let f = format, available.contains(f), q > 0, q > (best?.q ?? 0) { best = (f, q, 1) }
    }
    if let wq = wildcardQ, wq > 0, wq >= (best?.q ?? 0) {
        // A wildcard at least as strong as any explicit choice: keep the request's format.
        if best == nil || wq > best!.q { return fallback }
    }
    return best?.format ?? (wildcardQ.map { $0 > 0 ? fallback : nil } ?? nil)
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmed() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
