import Activations
import MLP
import Synchronization
import Training

/// Connects the training engine to the catalog's pieces that live in other modules: the HD-FGD
/// gates of self-gated activations and the DiTAC prior.
enum TrainingWiring {
    static func environment(configuration c: AppConfiguration) -> TrainingEnvironment {
        var limits = JobLimits()
        limits.maxWork = Double(c.maxJobSize)
        return TrainingEnvironment(
            catalog: .standard, limits: limits,
            gates: { name, params, adversarial in
                GatePair.make(for: name, params: params).map { HDFGDGate(pair: $0, counterpart: adversarial) }
            },
            regularizers: ["ditac": ditacPrior])
    }

    /// The DiTAC prior of docs/ACTIVATIONS.md §9.6 Prior, unweighted (the job applies `regularization`).
    private static let priors = Mutex<[Int: DiTACPrior]>([:])

    @Sendable static func ditacPrior(_ params: ResolvedParameters) -> (loss: Double, gradient: [String: [Double]]) {
        let w = params.numbers("velocities")
        let cells = w.count + 1
        let prior = priors.withLock { cache in
            if let p = cache[cells] { return p }
            let p = DiTACPrior(cells: cells, regularization: 1)
            if cache.count < 64 { cache[cells] = p }
            return p
        }
        return (prior.loss(velocities: w), ["velocities": prior.gradient(velocities: w)])
    }
}

/// The gate q (or its counterpart q̃) of a self-gated activation, as an MLP gate.
struct HDFGDGate: Gate {
    let pair: GatePair
    let counterpart: Bool

    func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        if counterpart { pair.counterpartGate(x, into: y) } else { pair.gate(x, into: y) }
    }

    func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        if counterpart { pair.counterpartGateDerivative(x, into: dydx) } else { pair.gateDerivative(x, into: dydx) }
    }
}
