import Activations
import MLP

/// Everything a job needs from the rest of the service: the catalog, the limits, and hooks
/// for pieces that live in other modules (HD-FGD gates, activation priors).
public struct TrainingEnvironment: Sendable {
    /// Provides the HD-FGD gate q (or q̃ when `adversarial`) of a self-gated activation, or
    /// nil when the activation has none. The lead connects the Activations gate API here.
    public typealias GateProvider =
        @Sendable (_ name: String, _ parameters: ResolvedParameters, _ adversarial: Bool) -> (any Gate)?

    /// An (unweighted) prior on an activation's parameters for `fit` jobs: its value and its
    /// gradient per parameter name. The job multiplies both by the body's `regularization`.
    public typealias Regularizer =
        @Sendable (ResolvedParameters) -> (loss: Double, gradient: [String: [Double]])

    public var catalog: Catalog
    public var limits: JobLimits
    public var gates: GateProvider?
    /// Priors by canonical activation name; the App registers the DiTAC prior of
    /// docs/ACTIVATIONS.md §9.6 Prior as `regularizers["ditac"]`.
    public var regularizers: [String: Regularizer]

    public init(
        catalog: Catalog = .standard,
        limits: JobLimits = JobLimits(),
        gates: GateProvider? = nil,
        regularizers: [String: Regularizer] = [:]
    ) {
        self.catalog = catalog
        self.limits = limits
        self.gates = gates
        self.regularizers = regularizers
    }
}
