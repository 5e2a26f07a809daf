internal import CZlib

/// A compression or decompression failure, with a stable ``Code``.
public struct GzipError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong; compare with the static members (`.corruptData`, `.outputTooLarge`, …).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case corruptData, outputTooLarge, invalidArgument, outOfMemory, internalError
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The input is not a valid (or is a truncated) stream of the given coding.
        public static let corruptData = Code(.corruptData)
        /// The decoded output would exceed the caller's `maxOutputBytes`.
        public static let outputTooLarge = Code(.outputTooLarge)
        /// A parameter is out of range (compression level, negative cap).
        public static let invalidArgument = Code(.invalidArgument)
        /// zlib could not allocate its state.
        public static let outOfMemory = Code(.outOfMemory)
        /// zlib reported a state or version error (a bug, not bad input).
        public static let internalError = Code(.internalError)

        public var description: String { base.rawValue }
    }

    public let code: Code
    /// A human-readable explanation, safe to show to clients.
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The single translation of a zlib status into an error.
    init(zlibStatus status: Int32, message zlibMessage: String?) {
        let detail = zlibMessage.map { ": \($0)" } ?? ""
        switch status {
        case Z_DATA_ERROR, Z_NEED_DICT:
            self.init(.corruptData, "compressed data is corrupt\(detail)")
        case Z_BUF_ERROR:
            self.init(.corruptData, "compressed data is truncated\(detail)")
        case Z_MEM_ERROR:
            self.init(.outOfMemory, "zlib ran out of memory")
        case Z_STREAM_ERROR:
            self.init(.internalError, "zlib stream error\(detail)")
        case Z_VERSION_ERROR:
            self.init(.internalError, "incompatible zlib version")
        default:
            self.init(.internalError, "unexpected zlib status \(status)\(detail)")
        }
    }

    public var description: String { "GzipError(\(code)): \(message)" }
}
