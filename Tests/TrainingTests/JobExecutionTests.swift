import Activations
import Codecs
import MLP
import TestSupport
import Testing

@testable import Training

@Suite struct JobExecutionTests {
    @Test(.timeLimit(.minutes(1)))
    func moonsWithTwoTanhLayersOf32ReachesHighValidationAccuracy() throws {
        let spec = try parse([
            "dataset": ["name": "moons", "samples": 512, "seed": 1],
            "model": ["hidden": [32, 32], "activation": ["name": "tanh"]],
            "training": ["epochs": 40, "batch_size": 32, "learning_rate": 0.01, "seed": 0],
        ])
        let (outcome, progress) = runNow(spec)
        guard case .succeeded(let result) = outcome else { Issue.record("\(outcome)"); return }
        #expect(progress.count == 40)
        #expect(progress.map(\.epoch) == Array(1...40))
        #expect(progress.allSatisfy { $0.epochs == 40 && $0.recordsMetrics && $0.validationAccuracy != nil })
        let accuracy = try #require(result["final", "val_accuracy"]?.number)
        #expect(accuracy >= 0.93)
        #expect(result["task"]?.string == "classification")
        #expect(result["parameters"]?.number == 1218)
        #expect(result["samples", "train"]?.number == 410 && result["samples", "validation"]?.number == 102)
        #expect(result["activation", "name"]?.string == "tanh")
        #expect(try #require(result["ms_per_epoch"]?.number) > 0)
        #expect(result["learned_params"] == nil)
    }

    @Test func sameSeedSameRun() throws {
        let body: [String: Any] = [
            "dataset": ["name": "circles", "samples": 128],
            "model": ["hidden": [8], "activation": ["name": "tanh"]], "training": ["epochs": 3, "seed": 5],
        ]
        let a = runNow(try parse(body)).1.map(\.trainLoss)
        let b = runNow(try parse(body)).1.map(\.trainLoss)
        #expect(a == b && a.count == 3)
    }

    @Test func regressionOnSine() throws {
        let spec = try parse([
            "dataset": ["name": "sine", "samples": 256], "model": ["hidden": [16], "activation": ["name": "tanh"]],
            "training": ["epochs": 60, "learning_rate": 0.02],
        ])
        let (outcome, progress) = runNow(spec)
        guard case .succeeded(let result) = outcome else { Issue.record("\(outcome)"); return }
        #expect(result["task"]?.string == "regression")
        #expect(result["final", "val_accuracy"] == nil)
        #expect(progress.allSatisfy { $0.validationAccuracy == nil })
        #expect(try #require(result["final", "val_loss"]?.number) < 0.05)  // noise variance is 0.01
    }

    @Test func inlineDataWithTrainableActivation() throws {
        var x: [Any] = []
        var y: [Any] = []
        for i in 0..<40 {
            let v = Double(i) / 10 - 2
            x.append([v, v * v])
            y.append(v > 0 ? 1 : 0)
        }
        let spec = try parse([
            "dataset": ["inline": ["x": x, "y": y]],
            "model": ["hidden": [4], "activation": ["name": "scaled_softplus", "trainable": true]],
            "training": ["epochs": 20, "validation_fraction": 0],
        ])
        let (outcome, progress) = runNow(spec)
        guard case .succeeded(let result) = outcome else { Issue.record("\(outcome)"); return }
        #expect(progress.allSatisfy { $0.validationLoss == nil })
        let learned = try #require(result["learned_params"]?.array)
        #expect(learned.count == 1)
        #expect(learned[0]["a"]?.number != 1 || learned[0]["b"]?.number != 1)
    }

    @Test func alternateAndHDFGDNetworksTrain() throws {
        for model in [
            ["hidden": [8, 8], "activation": ["name": "tanh"], "adversarial": "alternate"],
            ["hidden": [8, 8], "activation": ["name": "tanh"], "hdfgd": true],
            ["hidden": [8, 8], "activation": ["name": "tanh"], "hdfgd": true, "adversarial": "alternate"],
        ] as [[String: Any]] {
            let spec = try parse([
                "dataset": ["name": "xor", "samples": 128], "model": model,
                "training": ["epochs": 5, "learning_rate": 0.005],
            ])
            let (outcome, progress) = runNow(spec)
            switch outcome {
            case .succeeded: #expect(progress.count == 5)
            case .failed(let problem): #expect(problem.type == "https://activation-service.dev/problems/training-diverged")  // allowed, never a crash
            case .cancelled: Issue.record("not cancelled")
            }
        }
    }

    @Test func divergenceFailsWithTheEpoch() throws {
        let spec = try parse([
            "dataset": ["name": "moons", "samples": 256],
            "model": ["hidden": [64, 64, 64, 64], "activation": ["name": "tanh"], "adversarial": "alternate"],
            "training": ["epochs": 50, "optimizer": "sgd", "learning_rate": 10],
        ])
        let (outcome, progress) = runNow(spec)
        guard case .failed(let problem) = outcome else { Issue.record("expected divergence, got \(outcome)"); return }
        #expect(problem.status == 422)
        let epoch = try #require(problem.json["epoch"]?.number)
        #expect(Int(epoch) == progress.count + 1)
        #expect(problem.detail.contains("diverged at epoch \(Int(epoch))"))
    }

    @Test func compareProducesMeanAndStandardDeviation() throws {
        let spec = try parse([
            "kind": "compare", "dataset": ["name": "moons", "samples": 128],
            "model": ["hidden": [8]],
            "activations": [["name": "tanh"], ["name": "scaled_softplus", "params": ["a": 2]]],
            "seeds": [0, 1, 2], "training": ["epochs": 4],
        ])
        #expect(spec.totalEpochs == 24)
        let (outcome, progress) = runNow(spec)
        guard case .succeeded(let result) = outcome else { Issue.record("\(outcome)"); return }
        #expect(progress.map(\.epoch) == Array(1...24))
        #expect(progress.allSatisfy { !$0.recordsMetrics && $0.epochs == 24 })
        #expect(progress[4].extra.first { $0.key == "seed" }?.value == .number(1))
        let table = try #require(result["table"]?.array)
        #expect(table.count == 2)
        #expect(table[1]["activation", "params", "a"]?.number == 2)
        // Per activation: the final losses of its three runs, from the progress reports.
        for (row, offset) in zip(table, [0, 12]) {
            #expect(row["runs"]?.number == 3 && row["failed"]?.number == 0)
            let finals = (0..<3).map { progress[offset + 4 * $0 + 3].trainLoss }
            let mean = finals.reduce(0, +) / 3
            let sd = (finals.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 2).squareRoot()
            #expect(abs(try #require(row["train_loss", "mean"]?.number) - mean) < 1e-12)
            #expect(abs(try #require(row["train_loss", "std"]?.number) - sd) < 1e-12)
            #expect(sd > 0)
            #expect(row["val_accuracy", "mean"]?.number != nil)
            #expect(row["val_loss", "std"]?.number != nil)
            #expect(try #require(row["ms_per_epoch", "mean"]?.number) > 0)
        }
    }

    @Test func fitRecoversParametersOfATargetActivation() throws {
        let spec = try parse([
            "kind": "fit", "activation": ["name": "scaled_softplus"],
            "target": [
                "activation": ["name": "scaled_softplus", "params": ["a": 2, "b": 1.5]], "range": [-3, 3],
                "points": 128,
            ],
            "training": ["epochs": 600, "learning_rate": 0.05],
        ])
        let (outcome, progress) = runNow(spec)
        guard case .succeeded(let result) = outcome else { Issue.record("\(outcome)"); return }
        #expect(progress.count == 600 && progress.allSatisfy { $0.recordsMetrics })
        #expect(result["activation", "name"]?.string == "scaled_softplus")
        #expect(abs(try #require(result["activation", "params", "a"]?.number) - 2) < 0.02)
        #expect(abs(try #require(result["activation", "params", "b"]?.number) - 1.5) < 0.02)
        #expect(try #require(result["final_loss"]?.number) < 1e-4)
        #expect(try #require(result["initial_loss"]?.number) > 0.1)
        #expect(result["target", "points"]?.number == 128)
        #expect(result["regularization"] == nil)
    }

    @Test func fitAVectorParameterToPointsWithARegularizer() throws {
        // Target: the vector kernel with coefficients (0.5, -0.4, 0.3); x on [-4, 4].
        let xs = (0..<100).map { -4 + 8 * Double($0) / 99 }
        let target = VectorKernel(c: [0.5, -0.4, 0.3])
        var ys = [Float](repeating: 0, count: xs.count)
        let xf = xs.map { Float($0) }
        xf.withUnsafeBufferPointer { x in ys.withUnsafeMutableBufferPointer { target.forward(x, into: $0) } }
        let body: [String: Any] = [
            "kind": "fit", "activation": ["name": "vector"],
            "target": ["x": xs, "y": ys.map { Double($0) }], "training": ["epochs": 800, "learning_rate": 0.05],
        ]
        let (plain, _) = runNow(try parse(body))
        guard case .succeeded(let r) = plain else { Issue.record("\(plain)"); return }
        let learned = try #require(r["activation", "params", "coefficients"]?.array?.compactMap { $0.number })
        #expect(zip(learned, [0.5, -0.4, 0.3]).allSatisfy { abs($0 - $1) < 0.02 }, "\(learned)")
        #expect(r["activation", "params", "mode"]?.string == "plain")

        // A prior ‖c‖² pulls the coefficients towards zero.
        var env = testEnvironment
        env.regularizers["vector"] = { p in
            let c = p.numbers("coefficients")
            return (c.reduce(0) { $0 + $1 * $1 }, ["coefficients": c.map { 2 * $0 }])
        }
        var strong = body
        strong["regularization"] = 1.0
        let (regularized, _) = runNow(try parse(strong, environment: env), environment: env)
        guard case .succeeded(let rr) = regularized else { Issue.record("\(regularized)"); return }
        let shrunk = try #require(rr["activation", "params", "coefficients"]?.array?.compactMap { $0.number })
        #expect(shrunk.reduce(0) { $0 + $1 * $1 } < learned.reduce(0) { $0 + $1 * $1 } * 0.8)
        #expect(rr["regularization", "weight"]?.number == 1)
        #expect(try #require(rr["regularization", "penalty"]?.number) > 0)
    }

    @Test func fitProjectsIntoTheValidRange() throws {
        // The best first coefficient (3) is above the maximum 2: the fit stops at the bound.
        let xs = (0..<100).map { -4 + 8 * Double($0) / 99 }
        let target = VectorKernel(c: [3, 0, 0])
        var ys = [Float](repeating: 0, count: xs.count)
        let xf = xs.map { Float($0) }
        xf.withUnsafeBufferPointer { x in ys.withUnsafeMutableBufferPointer { target.forward(x, into: $0) } }
        let (outcome, _) = runNow(
            try parse([
                "kind": "fit", "activation": ["name": "vector"], "target": ["x": xs, "y": ys.map { Double($0) }],
                "training": ["epochs": 300, "learning_rate": 0.05],
            ])
        )
        guard case .succeeded(let r) = outcome else { Issue.record("\(outcome)"); return }
        let learned = try #require(r["activation", "params", "coefficients"]?.array?.compactMap { $0.number })
        #expect(learned.first == 2, "\(learned)")
        #expect(learned.allSatisfy { $0 >= -2 && $0 <= 2 })
    }
}
