import Activations
import MLP

/// Builds the network of a train/compare job.
enum NetworkFactory {
    /// Activations whose derivative saturates at both ends get Xavier init; the rest He.
    static let saturating: Set<String> = ["tanh", "sigmoid", "softsign", "hardsigmoid"]

    /// - Throws: ``JobSpecError`` (pointer relative to the body: `/model/...` or
    ///   `activationPointer`) when a gate, counterpart or trainable parameter is missing.
    static func make(
        data: DataSource,
        model: ModelSpec,
        activation: ActivationChoice,
        seed: UInt64,
        environment env: TrainingEnvironment,
        activationPointer: String = "/model/activation"
    ) throws(JobSpecError) -> Network {
        var hidden: [HiddenLayer] = []
        for (i, width) in model.hidden.enumerated() {
            // Hidden layers 2, 4, 6, … (1-based) use the counterpart under "alternate".
            let adversarial = model.alternate && i % 2 == 1
            if model.hdfgd {
                guard let gate = env.gates?(activation.name, activation.parameters, adversarial) else {
                    throw JobSpecError(
                        pointer: "/model/hdfgd",
                        "no HD-FGD gate\(adversarial ? " counterpart" : "") is available for \(activation.name)"
                    )
                }
                hidden.append(HiddenLayer(width: width, kind: .gated(gate)))
            } else {
                do {
                    let config = try ActivationConfiguration.catalogEntry(
                        activation.name,
                        params: activation.given,
                        trainable: activation.trainable,
                        adversarial: adversarial,
                        in: env.catalog
                    )
                    hidden.append(HiddenLayer(width: width, kind: .activation(config)))
                } catch {
                    throw JobSpecError(
                        pointer: error.code == .adversarialUnsupported ? "/model/adversarial" : activationPointer,
                        error.message
                    )
                }
            }
        }
        let initialization: Initialization =
            model.hdfgd || saturating.contains(activation.name) ? .xavier : .he
        do {
            return try Network(
                inputs: data.features,
                hidden: hidden,
                outputs: data.outputs,
                initialization: initialization,
                seed: seed
            )
        } catch {
            throw JobSpecError(
                pointer: error.code == .untrainableParameter ? activationPointer + "/trainable" : "/model",
                error.message
            )
        }
    }
}

/// Train/validation split and input standardisation.
enum Split {
    static func validationCount(samples n: Int, fraction: Double) -> Int {
        Int((Double(n) * fraction).rounded())
    }

    /// Shuffles with `seed`, holds out the validation share, and standardises inputs with the
    /// training split's mean and standard deviation.
    static func split(_ samples: Samples, fraction: Double, seed: UInt64) -> (training: Samples, validation: Samples?) {
        var order = Array(0..<samples.count)
        var rng = Xoshiro256(seed: seed ^ 0x0005_9117_5EED)
        rng.shuffle(&order)
        let v = validationCount(samples: samples.count, fraction: fraction)
        var training = samples.subset(Array(order[v...]))
        var validation = v > 0 ? samples.subset(Array(order[..<v])) : nil
        let f = samples.features
        let n = training.count
        for j in 0..<f {
            var mean = 0.0
            for i in 0..<n { mean += Double(training.inputs[i * f + j]) }
            mean /= Double(n)
            var variance = 0.0
            for i in 0..<n {
                let d = Double(training.inputs[i * f + j]) - mean
                variance += d * d
            }
            let sd = (variance / Double(n)).squareRoot()
            let scale = sd > 1e-12 ? 1 / sd : 1
            for i in 0..<n { training.inputs[i * f + j] = Float((Double(training.inputs[i * f + j]) - mean) * scale) }
            if var val = validation {
                for i in 0..<val.count { val.inputs[i * f + j] = Float((Double(val.inputs[i * f + j]) - mean) * scale) }
                validation = val
            }
        }
        return (training, validation)
    }
}
