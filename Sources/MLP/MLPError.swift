/// A network that cannot be built as configured.
public struct MLPError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String { case invalidShape, untrainableParameter, invalidData }
        private let base: Base
        /// A layer width, input or output count is not positive, or a batch does not fit.
        public static let invalidShape = Code(base: .invalidShape)
        /// A parameter marked trainable has no derivative in the kernel, or a wrong width.
        public static let untrainableParameter = Code(base: .untrainableParameter)
        /// Samples whose sizes do not match the network or the loss.
        public static let invalidData = Code(base: .invalidData)
        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
