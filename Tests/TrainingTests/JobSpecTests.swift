import Activations
import Codecs
import MLP
import TestSupport
import Testing

@testable import Training

@Suite struct JobSpecParsingTests {
    @Test func defaultsAreFilledIn() throws {
        let spec = try parse(["model": ["activation": ["name": "tanh"]]])
        #expect(spec.kind == .train)
        guard case .train(let job) = spec.body else { Issue.record("not a train job"); return }
        guard case .builtIn(let d, let n, let noise, let seed) = job.data else { Issue.record("not built-in"); return }
        #expect(d == .moons && n == 512 && noise == 0.1 && seed == 0)
        #expect(job.model == ModelSpec(hidden: [32, 32], alternate: false, hdfgd: false))
        #expect(job.training.epochs == 100 && job.training.batchSize == 32 && job.training.validationFraction == 0.2)
        #expect(job.training.optimizer == OptimizerConfiguration(method: .adam, learningRate: 0.01))
        #expect(spec.totalEpochs == 100)
        // 2→32→32→2 dense: 96 + 1056 + 66 parameters.
        #expect(spec.work == 512 * 100 * 1218)

        let relu = try parse([:] as [String: Any])
        guard case .train(let r) = relu.body else { return }
        #expect(r.activation.name == "relu")
    }

    @Test func everyFieldIsRead() throws {
        let spec = try parse([
            "kind": "train",
            "dataset": ["name": "spiral", "samples": 300, "noise": 0.2, "seed": 4],
            "model": [
                "hidden": [8, 4], "activation": ["name": "scaled_softplus", "params": ["a": 2], "trainable": true],
                "adversarial": "none", "hdfgd": false,
            ],
            "training": [
                "epochs": 5, "batch_size": 16, "optimizer": "sgd", "learning_rate": 0.05, "momentum": 0.5,
                "weight_decay": 0.001, "validation_fraction": 0.25, "seed": 9,
            ],
        ])
        guard case .train(let job) = spec.body else { Issue.record("not a train job"); return }
        guard case .builtIn(.spiral, 300, 0.2, 4) = job.data else { Issue.record("dataset"); return }
        #expect(job.activation.trainable && job.activation.parameters.number("a") == 2)
        #expect(
            job.training.optimizer
                == OptimizerConfiguration(method: .sgd(momentum: 0.5), learningRate: 0.05, weightDecay: 0.001)
        )
        #expect(job.training.batchSize == 16 && job.training.validationFraction == 0.25 && job.training.seed == 9)
    }

    @Test func tensorsFromTheParserAreAccepted() throws {
        // The JSON parser turns numeric arrays into tensors: hidden, seeds, x and y.
        let spec = try parse([
            "kind": "compare",
            "dataset": [
                "inline": [
                    "x": JSONValue.tensor(Tensor(shape: [4, 2], values: [0, 0, 0, 1, 1, 0, 1, 1])),
                    "y": JSONValue.tensor(Tensor([0, 1, 1, 0])),
                ]
            ],
            "model": ["hidden": JSONValue.tensor(Tensor([4]))],
            "activations": [["name": "tanh"]],
            "seeds": JSONValue.tensor(Tensor([3, 5])),
        ])
        guard case .compare(let job) = spec.body else { Issue.record("not compare"); return }
        #expect(job.seeds == [3, 5] && job.model.hidden == [4])
        guard case .inline(let s) = job.data else { Issue.record("not inline"); return }
        #expect(s.count == 4 && s.features == 2 && s.targets == .labels([0, 1, 1, 0], classes: 2))
    }

    /// (body, pointer, part of the message)
    static var invalidBodies: [(Any, String, String)] {
        [
            ("train", "", "must be a JSON object"),
            (["kind": "predict"], "/kind", "must be one of train, fit, compare"),
            (["kind": 3], "/kind", "must be a string"),
            (["epochs": 3], "/epochs", "unknown field 'epochs'"),
            (["dataset": "moons"], "/dataset", "must be an object"),
            (["dataset": ["name": "iris"]], "/dataset/name", "must be one of spiral"),
            (["dataset": ["name": "moons", "size": 3]], "/dataset/size", "unknown field"),
            (["dataset": ["samples": 1]], "/dataset/samples", "at least 2"),
            (["dataset": ["samples": 10.5]], "/dataset/samples", "whole number"),
            (["dataset": ["noise": -1]], "/dataset/noise", "must be in [0, 10]"),
            (["dataset": ["seed": -1]], "/dataset/seed", "at least 0"),
            (["dataset": ["task": "regression"]], "/dataset/task", "only allowed with inline"),
            (
                ["dataset": ["inline": ["x": [[1], [2]], "y": [0, 1]], "name": "moons"]], "/dataset/name",
                "not allowed with inline"
            ),
            (["dataset": ["inline": ["x": [[1], [2]]]]], "/dataset/inline/y", "is required"),
            (["dataset": ["inline": ["y": [0, 1]]]], "/dataset/inline/x", "is required"),
            (["dataset": ["inline": ["x": [[1, 2], [3]], "y": [0, 1]]]], "/dataset/inline/x/1", "rectangular"),
            (["dataset": ["inline": ["x": [[1], ["a"]], "y": [0, 1]]]], "/dataset/inline/x/1/0", "must be a number"),
            (["dataset": ["inline": ["x": [[1]], "y": [0]]]], "/dataset/inline/x", "at least 2 rows"),
            (
                ["dataset": ["inline": ["x": [[1], [2]], "y": [0, 1, 1]]]], "/dataset/inline/y",
                "3 labels but x has 2 rows"
            ),
            (["dataset": ["inline": ["x": [[1], [2]], "y": [0, 1.5]]]], "/dataset/inline/y/1", "whole numbers"),
            (["dataset": ["inline": ["x": [[1], [2]], "y": [0, -1]]]], "/dataset/inline/y/1", "whole numbers"),
            (["dataset": ["inline": ["x": [[1], [2]], "y": [1, 1]]]], "/dataset/inline/y", "at least two classes"),
            (["dataset": ["inline": ["x": [[1], [2]], "y": ["a", 1]]]], "/dataset/inline/y/0", "must be a number"),
            (["dataset": ["inline": ["x": [[1], [1e39]], "y": [0, 1]]]], "/dataset/inline/x/1/0", "float32 range"),
            (
                ["dataset": ["inline": ["x": [[1], [2]], "y": [0, 1e39]], "task": "regression"]],
                "/dataset/inline/y/1", "float32 range"
            ),
            (
                ["dataset": ["inline": ["x": [[1], [2]], "y": [0, 1]], "task": "ranking"]], "/dataset/task",
                "must be one of"
            ),
            (["model": ["hidden": [32, 0]]], "/model/hidden/1", "at least 1"),
            (["model": ["hidden": "32"]], "/model/hidden", "array of numbers"),
            (["model": ["depth": 2]], "/model/depth", "unknown field"),
            (["model": ["activation": ["name": "swishy"]]], "/model/activation/name", "unknown activation 'swishy'"),
            (["model": ["activation": ["params": [:] as [String: Any]]]], "/model/activation/name", "is required"),
            (
                ["model": ["activation": ["name": "tanh", "params": ["a": 1]]]], "/model/activation/params/a",
                "unknown parameter"
            ),
            (
                ["model": ["activation": ["name": "scaled_softplus", "params": ["a": -1]]]],
                "/model/activation/params/a", "must be >"
            ),
            (
                ["model": ["activation": ["name": "vector", "params": ["coefficients": [0, 3, 0]]]]],
                "/model/activation/params/coefficients/1", "≤ 2"
            ),
            (
                ["model": ["activation": ["name": "scaled_softplus", "params": ["a": true]]]],
                "/model/activation/params/a", "must be a number, a string or an array"
            ),
            (
                ["model": ["activation": ["name": "tanh", "trainable": true]]], "/model/activation/trainable",
                "no trainable parameters"
            ),
            (
                ["model": ["activation": ["name": "tanh", "trainable": "yes"]]], "/model/activation/trainable",
                "true or false"
            ),
            (
                ["model": ["activation": ["name": "relu"], "adversarial": "alternate"]], "/model/adversarial",
                "relu' vanishes"
            ),
            (
                ["model": ["activation": ["name": "tanh"], "adversarial": "global"]], "/model/adversarial",
                "none, alternate"
            ),
            (["model": ["activation": ["name": "tanh"], "hdfgd": 1]], "/model/hdfgd", "true or false"),
            (
                ["model": ["activation": ["name": "tanh"], "hdfgd": true, "hidden": [] as [Any]]], "/model/hdfgd",
                "at least one hidden"
            ),
            (
                ["model": ["activation": ["name": "scaled_softplus", "trainable": true], "hdfgd": true]],
                "/model/activation/trainable", "not supported with hdfgd"
            ),
            (["training": ["epochs": 0]], "/training/epochs", "at least 1"),
            (["training": ["batch_size": 0]], "/training/batch_size", "at least 1"),
            (["training": ["optimizer": "rmsprop"]], "/training/optimizer", "adam, sgd"),
            (["training": ["learning_rate": 0]], "/training/learning_rate", "(0, 10]"),
            (["training": ["momentum": 0.9]], "/training/momentum", "only applies to optimizer \"sgd\""),
            (["training": ["optimizer": "sgd", "momentum": 1]], "/training/momentum", "[0, 1)"),
            (["training": ["weight_decay": -0.1]], "/training/weight_decay", "[0, 1]"),
            (["training": ["validation_fraction": 0.95]], "/training/validation_fraction", "[0, 0.9]"),
            (
                ["dataset": ["samples": 2], "training": ["validation_fraction": 0.9]], "/training/validation_fraction",
                "leaves no training samples"
            ),
            (["training": ["seed": 1.5]], "/training/seed", "whole number"),
            (["training": ["lr": 0.1]], "/training/lr", "unknown field 'lr'"),
            (["kind": "compare"], "/activations", "is required"),
            (["kind": "compare", "activations": [] as [Any]], "/activations", "non-empty"),
            (
                ["kind": "compare", "activations": [["name": "tanh"], ["name": "nope"]]], "/activations/1/name",
                "unknown activation"
            ),
            (
                ["kind": "compare", "activations": [["name": "tanh"]], "seeds": [] as [Any]], "/seeds",
                "must not be empty"
            ),
            (["kind": "compare", "activations": [["name": "tanh"]], "seeds": [0, -2]], "/seeds/1", "at least 0"),
            (
                ["kind": "compare", "activations": [["name": "tanh"]], "model": ["activation": ["name": "tanh"]]],
                "/model/activation", "not allowed in compare"
            ),
            (
                [
                    "kind": "compare", "activations": [["name": "tanh"], ["name": "relu"]],
                    "model": ["adversarial": "alternate"],
                ],
                "/activations/1/name", "relu' vanishes"
            ),
            (["kind": "fit"], "/activation", "is required"),
            (
                ["kind": "fit", "activation": ["name": "tanh"], "target": ["x": [1], "y": [1]]], "/activation/name",
                "no trainable parameters"
            ),
            (
                [
                    "kind": "fit", "activation": ["name": "scaled_softplus", "trainable": true],
                    "target": ["x": [1], "y": [1]],
                ],
                "/activation/trainable", "unknown field"
            ),
            (["kind": "fit", "activation": ["name": "scaled_softplus"]], "/target", "is required"),
            (
                ["kind": "fit", "activation": ["name": "scaled_softplus"], "target": ["x": [1, 2]]], "/target/y",
                "is required"
            ),
            (
                ["kind": "fit", "activation": ["name": "scaled_softplus"], "target": ["y": [1, 2]]], "/target/x",
                "is required"
            ),
            (
                ["kind": "fit", "activation": ["name": "scaled_softplus"], "target": ["x": [1, 2], "y": [1]]],
                "/target/y", "has 1 values but x has 2"
            ),
            (
                [
                    "kind": "fit", "activation": ["name": "scaled_softplus"],
                    "target": ["x": [] as [Any], "y": [] as [Any]],
                ],
                "/target/x", "must not be empty"
            ),
            (
                [
                    "kind": "fit", "activation": ["name": "scaled_softplus"],
                    "target": ["x": [1], "y": [1], "points": 5],
                ],
                "/target/points", "only allowed with a target activation"
            ),
            (
                [
                    "kind": "fit", "activation": ["name": "scaled_softplus"],
                    "target": ["activation": ["name": "tanh"], "y": [1]],
                ],
                "/target/y", "not allowed with a target activation"
            ),
            (
                [
                    "kind": "fit", "activation": ["name": "scaled_softplus"],
                    "target": ["activation": ["name": "tanh"], "range": [2, 1]],
                ],
                "/target/range", "low < high"
            ),
            (
                [
                    "kind": "fit", "activation": ["name": "scaled_softplus"],
                    "target": ["activation": ["name": "tanh"], "points": 1],
                ],
                "/target/points", "at least 2"
            ),
            (
                [
                    "kind": "fit", "activation": ["name": "scaled_softplus"],
                    "target": ["activation": ["name": "tanh"], "x": [1], "range": [0, 1]],
                ],
                "/target/range", "not allowed together with x"
            ),
            (
                ["kind": "fit", "activation": ["name": "scaled_softplus"], "target": ["activation": ["name": "gone"]]],
                "/target/activation/name", "unknown activation"
            ),
            (
                [
                    "kind": "fit", "activation": ["name": "scaled_softplus"], "target": ["x": [1], "y": [1]],
                    "training": ["validation_fraction": 0.2],
                ],
                "/training/validation_fraction", "unknown field"
            ),
            (
                [
                    "kind": "fit", "activation": ["name": "scaled_softplus"], "target": ["x": [1], "y": [1]],
                    "regularization": -1,
                ],
                "/regularization", "must be in"
            ),
            (
                [
                    "kind": "fit", "activation": ["name": "scaled_softplus"], "target": ["x": [1], "y": [1]],
                    "dataset": ["name": "moons"],
                ],
                "/dataset", "unknown field"
            ),
        ]
    }

    @Test func everyInvalidBodyGivesPointerAndMessage() {
        for (index, (body, pointer, message)) in Self.invalidBodies.enumerated() {
            do {
                _ = try parse(body)
                Issue.record("body \(index) was accepted; expected \(pointer): \(message)")
            } catch {
                #expect(error.code == .invalid, "body \(index)")
                #expect(error.pointer == pointer, "body \(index): \(error.message)")
                #expect(error.message.contains(message), "body \(index): \(error.message)")
            }
        }
    }

    @Test func hdfgdWithoutGatesIsRejected() {
        let env = TrainingEnvironment(catalog: testCatalog)
        #expect(throws: JobSpecError(pointer: "/model/hdfgd", "no HD-FGD gate is available for tanh")) {
            try parse(["model": ["activation": ["name": "tanh"], "hdfgd": true]], environment: env)
        }
    }

    @Test func pointerTokensAreEscaped() {
        #expect(throws: JobSpecError.self) { try parse(["a/b~c": 1]) }
        do {
            _ = try parse(["a/b~c": 1])
        } catch {
            #expect(error.pointer == "/a~1b~0c")
        }
    }

    /// (body, limit name, pointer)
    static var oversized: [(Any, String, String)] {
        [
            (["dataset": ["samples": 100_001]], "max_samples", "/dataset/samples"),
            (["training": ["epochs": 10_001]], "max_epochs", "/training/epochs"),
            (["model": ["hidden": [8, 8, 8, 8, 8, 8, 8, 8, 8]]], "max_hidden_layers", "/model/hidden"),
            (["model": ["hidden": [8, 2000]]], "max_width", "/model/hidden/1"),
            (
                ["dataset": ["samples": 100_000], "training": ["epochs": 10_000], "model": ["hidden": [64, 64]]],
                "max_work", ""
            ),
            (
                ["kind": "compare", "activations": Array(repeating: ["name": "tanh"], count: 22), "seeds": [0, 1, 2]],
                "max_runs", "/activations"
            ),
            (
                [
                    "kind": "fit", "activation": ["name": "scaled_softplus"],
                    "target": ["activation": ["name": "tanh"], "points": 200_000],
                ],
                "max_samples", "/target/points"
            ),
        ]
    }

    @Test func limitsAreNamed() {
        for (index, (body, limit, pointer)) in Self.oversized.enumerated() {
            do {
                _ = try parse(body)
                Issue.record("body \(index) was accepted")
            } catch {
                #expect(error.code == .limitExceeded)
                #expect(error.limit == limit)
                #expect(error.pointer == pointer)
                #expect(error.message.contains(limit), "\(error.message)")
            }
        }
    }

    @Test func workLimitIsConfigurable() throws {
        var env = testEnvironment
        env.limits.maxWork = 1e6
        let body: [String: Any] = ["model": ["activation": ["name": "tanh"]]]
        #expect(throws: JobSpecError.self) { try parse(body, environment: env) }
        do {
            _ = try parse(body, environment: env)
        } catch {
            #expect(error.code == .limitExceeded && error.limit == "max_work")
            #expect(error.message.contains("512 × 100 × 1218"))
        }
        env.limits.maxWork = 1e9
        _ = try parse(body, environment: env)
    }
}

@Suite struct ParameterCountTests {
    /// The analytic count used for the work limit matches the network that is trained.
    @Test func countMatchesTheBuiltNetwork() throws {
        let models: [[String: Any]] = [
            ["hidden": [5, 3], "activation": ["name": "tanh"]],
            ["hidden": [4, 6, 2], "activation": ["name": "vector", "trainable": true]],
            ["hidden": [4, 6], "activation": ["name": "scaled_softplus", "trainable": true]],
            ["hidden": [7, 3], "activation": ["name": "tanh"], "hdfgd": true],
            ["hidden": [] as [Any], "activation": ["name": "tanh"]],
        ]
        for model in models {
            let spec = try parse([
                "dataset": ["name": "spiral", "samples": 10], "model": model, "training": ["epochs": 1],
            ])
            guard case .train(let job) = spec.body else { return }
            let net = try NetworkFactory.make(
                data: job.data,
                model: job.model,
                activation: job.activation,
                seed: 0,
                environment: testEnvironment
            )
            #expect(spec.work == Double(10 * net.parameterCount), "\(model)")
        }
    }
}

@Suite struct ProblemTests {
    @Test func specErrorsBecomeProblems() {
        let invalid = JobSpecError(pointer: "/training/epochs", "must be at least 1, got 0").problem
        #expect(invalid.status == 400 && invalid.type == "https://activation-service.dev/problems/invalid-job")
        #expect(invalid.detail == "/training/epochs: must be at least 1, got 0")
        #expect(invalid.json["errors"]?.array?.first?["pointer"]?.string == "/training/epochs")
        let large = JobSpecError(.limitExceeded, pointer: "", "too much", limit: "max_work").problem
        #expect(large.status == 422 && large.json["limit"]?.string == "max_work")
        #expect(JobRunnerError(.queueFull, "full", retryAfterSeconds: 3).problem.status == 429)
        #expect(JobRunnerError(.idempotencyConflict, "reused").problem.status == 422)
        #expect(JobRunnerError(.shuttingDown, "bye").problem.status == 503)
    }
}
