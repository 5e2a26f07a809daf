/// A job body that cannot be accepted: `pointer` is the JSON pointer of the offending field
/// (RFC 6901, e.g. "/training/epochs"), `message` says what is wrong.
public struct JobSpecError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String { case invalid, limitExceeded }
        private let base: Base
        /// Malformed or inconsistent body (HTTP 400).
        public static let invalid = Code(base: .invalid)
        /// The job would exceed a configured size limit, named in `limit` (HTTP 422).
        public static let limitExceeded = Code(base: .limitExceeded)
        public var description: String { base.rawValue }
    }

    public let code: Code
    public let pointer: String
    public let message: String
    /// For `.limitExceeded`: the configuration name of the limit (e.g. "max_work").
    public let limit: String?

    public init(_ code: Code = .invalid, pointer: String, _ message: String, limit: String? = nil) {
        self.code = code
        self.pointer = pointer
        self.message = message
        self.limit = limit
    }

    public var description: String { pointer.isEmpty ? message : "\(pointer): \(message)" }
}

/// Size limits for jobs (configurable). Exceeding one is a `.limitExceeded` error naming it.
public struct JobLimits: Sendable, Equatable {
    /// samples × epochs × parameters, summed over every run of the job (`max_work`).
    public var maxWork: Double
    /// Samples of a built-in or inline dataset, or points of a fit target (`max_samples`).
    public var maxSamples: Int
    /// Epochs of one run (`max_epochs`).
    public var maxEpochs: Int
    /// Hidden layers (`max_hidden_layers`).
    public var maxHiddenLayers: Int
    /// Width of one hidden layer (`max_width`).
    public var maxWidth: Int
    /// Input features of inline data (`max_features`).
    public var maxFeatures: Int
    /// Activations × seeds of a compare job (`max_runs`).
    public var maxRuns: Int

    public init(
        maxWork: Double = 2e10,
        maxSamples: Int = 100_000,
        maxEpochs: Int = 10_000,
        maxHiddenLayers: Int = 8,
        maxWidth: Int = 1024,
        maxFeatures: Int = 1024,
        maxRuns: Int = 64
    ) {
        self.maxWork = maxWork
        self.maxSamples = maxSamples
        self.maxEpochs = maxEpochs
        self.maxHiddenLayers = maxHiddenLayers
        self.maxWidth = maxWidth
        self.maxFeatures = maxFeatures
        self.maxRuns = maxRuns
    }
}
