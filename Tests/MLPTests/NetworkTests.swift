import Activations
import TestSupport
import Testing

@testable import MLP

/// Inputs in [-1.5, 1.5] from a fixed generator.
private func randomInputs(_ count: Int, seed: UInt64) -> [Float] {
    var rng = Xoshiro256(seed: seed)
    return (0..<count).map { _ in Float(rng.nextUniform(in: -1.5, 1.5)) }
}

private func loss(_ net: Network, _ x: [Float], _ targets: Targets, rows: Int) -> Double {
    var ws = Workspace(for: net, capacity: rows)
    var none: [Float]? = nil
    return x.withUnsafeBufferPointer { xb in
        switch targets {
        case .labels(let l, _):
            return l.withUnsafeBufferPointer { lb in
                net.lossAndGradient(
                    xb,
                    targets: .labels(lb),
                    rows: rows,
                    loss: .softmaxCrossEntropy,
                    workspace: &ws,
                    gradients: &none
                ).loss
            }
        case .values(let v, _):
            return v.withUnsafeBufferPointer { vb in
                net.lossAndGradient(
                    xb,
                    targets: .values(vb),
                    rows: rows,
                    loss: .meanSquaredError,
                    workspace: &ws,
                    gradients: &none
                ).loss
            }
        }
    }
}

private func gradient(_ net: Network, _ x: [Float], _ targets: Targets, rows: Int) -> [Float] {
    var ws = Workspace(for: net, capacity: rows)
    var g: [Float]? = []
    x.withUnsafeBufferPointer { xb in
        switch targets {
        case .labels(let l, _):
            _ = l.withUnsafeBufferPointer { lb in
                net.lossAndGradient(
                    xb,
                    targets: .labels(lb),
                    rows: rows,
                    loss: .softmaxCrossEntropy,
                    workspace: &ws,
                    gradients: &g
                )
            }
        case .values(let v, _):
            _ = v.withUnsafeBufferPointer { vb in
                net.lossAndGradient(
                    xb,
                    targets: .values(vb),
                    rows: rows,
                    loss: .meanSquaredError,
                    workspace: &ws,
                    gradients: &g
                )
            }
        }
    }
    return g!
}

/// Central differences on every parameter (loss accumulated in Double) against backprop.
/// Measured worst error is about 2% of the tolerance; a 5% error in any gradient fails.
private func checkGradients(_ net: Network, _ x: [Float], _ targets: Targets, rows: Int) {
    let analytic = gradient(net, x, targets, rows: rows)
    #expect(analytic.count == net.parameterCount)
    var worst = 0.0
    for (name, range) in net.layout {
        for i in range {
            var plus = net
            var minus = net
            var p = net.parameters
            let h: Float = 1e-2
            p[i] = net.parameters[i] + h
            plus.setParameters(p)
            p[i] = net.parameters[i] - h
            minus.setParameters(p)
            let step = Double(plus.parameters[i]) - Double(minus.parameters[i])
            let fd = (loss(plus, x, targets, rows: rows) - loss(minus, x, targets, rows: rows)) / step
            let error = abs(Double(analytic[i]) - fd)
            worst = max(worst, error / (1e-4 + 1e-3 * abs(fd)))
            #expect(
                error <= 1e-4 + 1e-3 * abs(fd),
                "\(name)[\(i - range.lowerBound)]: backprop \(analytic[i]), FD \(fd)"
            )
        }
    }
    #expect(worst > 0)
}

@Suite struct NetworkGradientTests {
    @Test func denseWithTrainableScalarParameters() throws {
        let act = try ActivationConfiguration.catalogEntry(
            "scaled_softplus",
            params: ["a": .number(1.3), "b": .number(0.8)],
            trainable: true,
            in: testCatalog
        )
        let net = try Network(
            inputs: 2,
            hidden: [
                HiddenLayer(width: 4, kind: .activation(ActivationConfiguration(kernel: TanhKernel()))),
                HiddenLayer(width: 3, kind: .activation(act)),
            ],
            outputs: 3,
            initialization: .xavier,
            seed: 7
        )
        #expect(net.layout.map(\.name).contains("activation2.a"))
        #expect(net.layout.map(\.name).contains("activation2.b"))
        checkGradients(net, randomInputs(10, seed: 1), .labels([0, 2, 1, 2, 0], classes: 3), rows: 5)
    }

    @Test func vectorParameterAndCounterpartWithSquaredError() throws {
        let vector = try ActivationConfiguration.catalogEntry(
            "vector",
            params: ["coefficients": .numbers([0.3, -0.2, 0.5])],
            trainable: true,
            in: testCatalog
        )
        let counterpart = try ActivationConfiguration.catalogEntry("tanh", adversarial: true, in: testCatalog)
        let net = try Network(
            inputs: 3,
            hidden: [
                HiddenLayer(width: 4, kind: .activation(vector)), HiddenLayer(width: 3, kind: .activation(counterpart)),
            ],
            outputs: 2,
            initialization: .xavier,
            seed: 3
        )
        #expect(net.layout.first { $0.name == "activation1.coefficients" }?.range.count == 3)
        checkGradients(
            net,
            randomInputs(12, seed: 2),
            .values([0.5, -1, 0.2, 0.3, -0.7, 1.1, 0, 0.4], width: 2),
            rows: 4
        )
    }

    @Test func gatedLayers() throws {
        let net = try Network(
            inputs: 2,
            hidden: [
                HiddenLayer(width: 3, kind: .gated(ActivationKernelGate(SigmoidKernel()))),
                HiddenLayer(width: 4, kind: .gated(ActivationKernelGate(TanhKernel()))),
            ],
            outputs: 2,
            initialization: .xavier,
            seed: 11
        )
        #expect(net.parameterCount == (2 * 3 + 3) * 2 + (3 * 4 + 4) * 2 + 4 * 2 + 2)
        checkGradients(net, randomInputs(8, seed: 3), .labels([1, 0, 1, 1], classes: 2), rows: 4)
    }

    @Test func heInitialisationAndNoHiddenLayers() throws {
        let net = try Network(inputs: 3, hidden: [], outputs: 2, initialization: .he, seed: 5)
        #expect(net.parameterCount == 8)
        checkGradients(net, randomInputs(9, seed: 4), .values([1, 2, 3, 4, 5, 6], width: 2), rows: 3)
    }
}

@Suite struct NetworkConstructionTests {
    @Test func sameSeedSameParameters() throws {
        let hidden = [HiddenLayer(width: 8, kind: .activation(ActivationConfiguration(kernel: TanhKernel())))]
        let a = try Network(inputs: 2, hidden: hidden, outputs: 2, seed: 42)
        let b = try Network(inputs: 2, hidden: hidden, outputs: 2, seed: 42)
        let c = try Network(inputs: 2, hidden: hidden, outputs: 2, seed: 43)
        #expect(a.parameters == b.parameters)
        #expect(a.parameters != c.parameters)
    }

    @Test func activationParametersAreProjectedIntoRange() throws {
        let act = try ActivationConfiguration.catalogEntry("scaled_softplus", trainable: true, in: testCatalog)
        var net = try Network(inputs: 1, hidden: [HiddenLayer(width: 2, kind: .activation(act))], outputs: 1, seed: 1)
        let a = try #require(net.layout.first { $0.name == "activation1.a" }).range.lowerBound
        let b = try #require(net.layout.first { $0.name == "activation1.b" }).range.lowerBound
        var p = net.parameters
        p[a] = 25  // above the maximum 10
        p[b] = -3  // below the exclusive minimum 0
        net.setParameters(p)
        #expect(net.parameters[a] == 10)
        #expect(net.parameters[b] > 0 && net.parameters[b] < 1e-5)
        let learned = try #require(net.activationParameters.first)
        #expect(learned.number("a") == 10)
        #expect(learned.number("b") > 0)
    }

    @Test func untrainableParameterIsRejected() {
        let spec = ParameterSpec(name: "gain", defaultValue: .number(1), trainable: true, description: "no derivative")
        let config = ActivationConfiguration(
            kernel: TanhKernel(),
            parameters: ResolvedParameters([("gain", .number(1))]),
            trainable: [spec],
            makeKernel: { _ in TanhKernel() }
        )
        #expect(throws: MLPError.self) {
            try Network(inputs: 1, hidden: [HiddenLayer(width: 2, kind: .activation(config))], outputs: 1, seed: 0)
        }
        #expect(throws: MLPError.self) {
            try Network(
                inputs: 1,
                hidden: [HiddenLayer(width: 0, kind: .gated(ActivationKernelGate(TanhKernel())))],
                outputs: 1,
                seed: 0
            )
        }
    }

    @Test func samplesAreValidated() {
        #expect(throws: MLPError.self) {
            try Samples(features: 2, inputs: [1, 2, 3], targets: .labels([0], classes: 2))
        }
        #expect(throws: MLPError.self) {
            try Samples(features: 1, inputs: [1, 2], targets: .labels([0, 2], classes: 2))
        }
        #expect(throws: MLPError.self) { try Samples(features: 1, inputs: [1, 2], targets: .values([1], width: 1)) }
    }
}

@Suite struct TrainerTests {
    private func xor() throws -> Samples {
        var x: [Float] = []
        var y: [Int32] = []
        var rng = Xoshiro256(seed: 9)
        for _ in 0..<200 {
            let a = Float(rng.nextUniform(in: -1, 1)), b = Float(rng.nextUniform(in: -1, 1))
            x += [a, b]
            y.append((a > 0) != (b > 0) ? 1 : 0)
        }
        return try Samples(features: 2, inputs: x, targets: .labels(y, classes: 2))
    }

    @Test func learnsXORAndTrainsActivationParameters() throws {
        let data = try xor()
        let act = try ActivationConfiguration.catalogEntry("scaled_softplus", trainable: true, in: testCatalog)
        var net = try Network(
            inputs: 2,
            hidden: [HiddenLayer(width: 16, kind: .activation(act))],
            outputs: 2,
            seed: 1
        )
        let config = TrainingConfiguration(
            epochs: 60,
            batchSize: 16,
            optimizer: OptimizerConfiguration(method: .adam, learningRate: 0.02),
            seed: 3
        )
        var seen = 0
        let reports = try Trainer.train(
            &net,
            on: data,
            validation: data,
            configuration: config,
            onEpoch: { r in
                seen += 1
                #expect(r.epoch == seen)
            }
        )
        #expect(reports.count == 60 && seen == 60)
        #expect(try #require(reports.last?.validationAccuracy) >= 0.9)
        #expect(reports.last!.trainLoss < reports.first!.trainLoss)
        #expect(net.activationParameters[0] != ResolvedParameters([("a", .number(1)), ("b", .number(1))]))
    }

    @Test func sgdWithMomentumAndWeightDecayReducesRegressionLoss() throws {
        var rng = Xoshiro256(seed: 4)
        var x: [Float] = []
        var y: [Float] = []
        for _ in 0..<128 {
            let v = rng.nextUniform(in: -2, 2)
            x.append(Float(v))
            y.append(Float(0.5 * v * v - 1))
        }
        let data = try Samples(features: 1, inputs: x, targets: .values(y, width: 1))
        var net = try Network(
            inputs: 1,
            hidden: [HiddenLayer(width: 16, kind: .activation(ActivationConfiguration(kernel: TanhKernel())))],
            outputs: 1,
            initialization: .xavier,
            seed: 2
        )
        let config = TrainingConfiguration(
            epochs: 80,
            batchSize: 16,
            optimizer: OptimizerConfiguration(method: .sgd(momentum: 0.9), learningRate: 0.01, weightDecay: 1e-4),
            seed: 1
        )
        let reports = try Trainer.train(&net, on: data, validation: nil, configuration: config)
        #expect(reports.last!.validationLoss == nil)
        #expect(reports.last!.trainLoss < 0.1 * reports.first!.trainLoss)
    }

    @Test func divergenceIsReported() throws {
        let data = try xor()
        let counterpart = try ActivationConfiguration.catalogEntry("tanh", adversarial: true, in: testCatalog)
        var net = try Network(
            inputs: 2,
            hidden: Array(repeating: HiddenLayer(width: 32, kind: .activation(counterpart)), count: 3),
            outputs: 2,
            seed: 1
        )
        let config = TrainingConfiguration(
            epochs: 50,
            batchSize: 8,
            optimizer: OptimizerConfiguration(method: .sgd(momentum: 0.9), learningRate: 50),
            seed: 0
        )
        #expect {
            _ = try Trainer.train(&net, on: data, validation: nil, configuration: config)
        } throws: { error in
            guard case .diverged(let epoch, let reason)? = error as? TrainingInterruption else { return false }
            return epoch >= 1 && !reason.isEmpty
        }
    }

    @Test func cancellationStopsWithinTheEpoch() throws {
        let data = try xor()
        var net = try Network(
            inputs: 2,
            hidden: [HiddenLayer(width: 8, kind: .activation(ActivationConfiguration(kernel: TanhKernel())))],
            outputs: 2,
            seed: 1
        )
        let config = TrainingConfiguration(
            epochs: 100,
            batchSize: 10,
            optimizer: OptimizerConfiguration(method: .adam, learningRate: 0.01),
            seed: 0
        )
        var polls = 0
        #expect(throws: TrainingInterruption.cancelled(epoch: 3)) {
            _ = try Trainer.train(
                &net,
                on: data,
                validation: nil,
                configuration: config,
                isCancelled: {
                    polls += 1
                    return polls > 45  // 20 batches per epoch: the 46th poll is in epoch 3
                }
            )
        }
    }
}

@Suite struct RandomTests {
    @Test func generatorsAreDeterministic() {
        var a = Xoshiro256(seed: 1), b = Xoshiro256(seed: 1), c = Xoshiro256(seed: 2)
        let sa = (0..<8).map { _ in a.next() }
        #expect(sa == (0..<8).map { _ in b.next() })
        #expect(sa != (0..<8).map { _ in c.next() })
        var sm = SplitMix64(seed: 0)
        #expect(sm.next() == 0xE220_A839_7B1D_CDAF)  // published first output for seed 0
        var u = Xoshiro256(seed: 3)
        var sum = 0.0, sumSq = 0.0
        for _ in 0..<20000 {
            let v = u.nextNormal()
            sum += v
            sumSq += v * v
        }
        #expect(abs(sum / 20000) < 0.05 && abs(sumSq / 20000 - 1) < 0.05)
    }
}
