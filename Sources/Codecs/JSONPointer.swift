/// JSON pointers (RFC 6901), with which every layer names the field an error is about.
public enum JSONPointer {
    /// One reference token, escaped: `~` → `~0`, `/` → `~1`.
    public static func escape(_ token: String) -> String {
        guard token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return token }
        var escaped = ""
        for character in token {
            switch character {
            case "~": escaped += "~0"
            case "/": escaped += "~1"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// `base` followed by the member `token`.
    public static func appending(_ token: String, to base: String) -> String { base + "/" + escape(token) }
}
