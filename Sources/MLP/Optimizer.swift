/// Optimiser settings.
public struct OptimizerConfiguration: Sendable, Equatable {
    public enum Method: Sendable, Equatable {
        /// Stochastic gradient descent with (heavy-ball) momentum; 0 disables momentum.
        case sgd(momentum: Double)
        /// Adam (Kingma & Ba) with bias correction.
        case adam(beta1: Double, beta2: Double, epsilon: Double)

        /// Adam with the usual defaults (0.9, 0.999, 1e-8).
        public static let adam = Method.adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
    }

    public var method: Method
    public var learningRate: Double
    /// L2 penalty weight on dense weights (added to their gradients as weightDecay · w);
    /// biases and activation parameters are not decayed.
    public var weightDecay: Double

    public init(method: Method, learningRate: Double, weightDecay: Double = 0) {
        self.method = method
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }
}

/// Optimiser state for a flat parameter vector.
public struct Optimizer: Sendable {
    public let configuration: OptimizerConfiguration
    private var first: [Float]
    private var second: [Float]
    private var steps = 0

    public init(_ configuration: OptimizerConfiguration, parameterCount: Int) {
        self.configuration = configuration
        first = [Float](repeating: 0, count: parameterCount)
        switch configuration.method {
        case .sgd: second = []
        case .adam: second = [Float](repeating: 0, count: parameterCount)
        }
    }

    /// Updates `parameters` in place from `gradients`; `decayMask` is 1 where weight decay
    /// applies and 0 elsewhere.
    public mutating func step(
        parameters p: UnsafeMutableBufferPointer<Float>,
        gradients g: UnsafeBufferPointer<Float>,
        decayMask mask: UnsafeBufferPointer<Float>
    ) {
        precondition(p.count == first.count && g.count == p.count && mask.count == p.count, "size mismatch")
        steps += 1
        let lr = Float(configuration.learningRate)
        let wd = Float(configuration.weightDecay)
        let n = p.count
        switch configuration.method {
        case .sgd(let momentum):
            let mu = Float(momentum)
            first.withUnsafeMutableBufferPointer { v in
                for i in 0..<n {
                    let gi = g[i] + wd * mask[i] * p[i]
                    v[i] = mu * v[i] + gi
                    p[i] -= lr * v[i]
                }
            }
        case .adam(let beta1, let beta2, let epsilon):
            let b1 = Float(beta1), b2 = Float(beta2), eps = Float(epsilon)
            let c1 = Float(1 / (1 - pow(beta1, steps)))
            let c2 = Float(1 / (1 - pow(beta2, steps)))
            first.withUnsafeMutableBufferPointer { m in
                second.withUnsafeMutableBufferPointer { v in
                    for i in 0..<n {
                        let gi = g[i] + wd * mask[i] * p[i]
                        m[i] = b1 * m[i] + (1 - b1) * gi
                        v[i] = b2 * v[i] + (1 - b2) * gi * gi
                        p[i] -= lr * (m[i] * c1) / ((v[i] * c2).squareRoot() + eps)
                    }
                }
            }
        }
    }
}

/// Integer power for the bias-correction factors (exact step count, no libm dependency).
private func pow(_ base: Double, _ exponent: Int) -> Double {
    var result = 1.0
    var b = base
    var e = exponent
    while e > 0 {
        if e & 1 == 1 { result *= b }
        b *= b
        e >>= 1
    }
    return result
}
