/// A malformed or over-limit payload. `pointer` is a JSON pointer into the document where
/// that makes sense (e.g. "/x/3/1"), `offset` the byte offset of the fault.
public struct CodecError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case syntax, ragged, tooDeep, tooManyElements, wrongType, badLength, badHeader, unsupportedDType, trailingData
        }
        private let base: Base
        /// Not valid JSON / not a valid .npy file (HTTP 400).
        public static let syntax = Code(base: .syntax)
        /// Nested array rows of different lengths (400).
        public static let ragged = Code(base: .ragged)
        /// Array nesting deeper than the limit (400).
        public static let tooDeep = Code(base: .tooDeep)
        /// More elements than the limit (413).
        public static let tooManyElements = Code(base: .tooManyElements)
        /// A value of the wrong type where numbers were expected (400).
        public static let wrongType = Code(base: .wrongType)
        /// Byte length not a multiple of the element size, or not matching the shape (400).
        public static let badLength = Code(base: .badLength)
        /// Corrupt .npy header or OIP binary framing (400).
        public static let badHeader = Code(base: .badHeader)
        /// A dtype/datatype that is not float16/32/64 (400).
        public static let unsupportedDType = Code(base: .unsupportedDType)
        /// Bytes left after the document (400).
        public static let trailingData = Code(base: .trailingData)
        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String
    public let pointer: String?
    public let offset: Int?

    public init(_ code: Code, _ message: String, pointer: String? = nil, offset: Int? = nil) {
        self.code = code
        self.message = message
        self.pointer = pointer
        self.offset = offset
    }

    public var description: String { message }
}

/// Limits applied while decoding (from the service configuration).
public struct DecodingLimits: Sendable {
    /// Maximum elements in any one tensor.
    public var maxElements: Int
    /// Maximum nesting depth of JSON arrays/objects.
    public var maxDepth: Int

    public init(maxElements: Int = 16_777_216, maxDepth: Int = 32) {
        self.maxElements = maxElements
        self.maxDepth = maxDepth
    }
}
