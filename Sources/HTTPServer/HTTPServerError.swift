/// Why the server could not start, with a stable ``Code``.
public struct HTTPServerError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidHost, invalidConfiguration, bindFailed, startFailed, invalidState
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// `host` is not an IPv4/IPv6 literal or `localhost`.
        public static let invalidHost = Code(.invalidHost)
        /// A limit or port is out of range.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The address is in use, not local, or needs privileges.
        public static let bindFailed = Code(.bindFailed)
        /// libmicrohttpd refused to start for another reason (see the message).
        public static let startFailed = Code(.startFailed)
        /// `start()` on a server that is running or was shut down.
        public static let invalidState = Code(.invalidState)

        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "HTTPServerError(\(code)): \(message)" }
}
