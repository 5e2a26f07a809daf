// TEMPORARY stub until the zlib wrapper lands (deleted at merge).
public enum ContentCoding: Sendable { case gzip, deflate, identity }
public struct GzipError: Error {
    public struct Code: Equatable, Sendable { let raw: Int; public static let outputTooLarge = Code(raw: 1) }
    public let code: Code
}
public enum Gzip {
    public static func compress(_ b: [UInt8], coding: ContentCoding, level: Int = 1) throws(GzipError) -> [UInt8] { b }
    public static func decompress(_ b: [UInt8], coding: ContentCoding, maxOutputBytes: Int) throws(GzipError) -> [UInt8] { b }
}
public struct AcceptEncoding: Sendable {
    public init(header: String?) {}
    public func preferred(among: [ContentCoding]) -> ContentCoding { .identity }
}
