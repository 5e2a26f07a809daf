/// Why an activation could not be resolved or evaluated. Stable codes; `parameter` names the
/// offending field (the HTTP layer turns it into a JSON pointer such as `/params/alpha`).
public struct ActivationError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String { case unknownActivation, unknownParameter, invalidParameter, adversarialUnsupported }
        private let base: Base
        public static let unknownActivation = Code(base: .unknownActivation)
        public static let unknownParameter = Code(base: .unknownParameter)
        public static let invalidParameter = Code(base: .invalidParameter)
        /// The function has no adversarial counterpart (HTTP 422).
        public static let adversarialUnsupported = Code(base: .adversarialUnsupported)
        public var description: String { base.rawValue }
    }

    public let code: Code
    /// The parameter at fault, if any (for `velocities` element errors: "velocities/3").
    public let parameter: String?
    public let message: String

    public init(_ code: Code, parameter: String? = nil, _ message: String) {
        self.code = code
        self.parameter = parameter
        self.message = message
    }

    public var description: String { message }
}
