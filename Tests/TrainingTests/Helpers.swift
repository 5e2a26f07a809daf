import Activations
import Codecs
import Dispatch
import MLP
import Synchronization
import TestSupport
import Testing

@testable import Training

/// Builds a JSONValue from Swift literals ([String: Any], [Any], numbers, strings, bools).
func json(_ any: Any) -> JSONValue {
    switch any {
    case let v as JSONValue: return v
    case let v as Bool: return .bool(v)
    case let v as Int: return .number(Double(v))
    case let v as Double: return .number(v)
    case let v as String: return .string(v)
    case let v as [Any]: return .array(v.map(json))
    case let v as KeyValuePairs<String, Any>: return .object(v.map { ($0.key, json($0.value)) })
    case let v as [String: Any]: return .object(v.keys.sorted().map { ($0, json(v[$0]!)) })
    default: fatalError("unsupported literal \(any)")
    }
}

/// A gate provider for the test catalog: σ as q, tanh's counterpart as q̃.
let testGates: TrainingEnvironment.GateProvider = { _, _, adversarial in
    adversarial ? ActivationKernelGate(TanhCounterpartKernel()) : ActivationKernelGate(SigmoidKernel())
}

let testEnvironment = TrainingEnvironment(catalog: testCatalog, gates: testGates)

func parse(_ body: Any, environment: TrainingEnvironment = testEnvironment) throws(JobSpecError) -> JobSpec {
    try JobSpec.parse(json(body), environment: environment)
}

/// Runs a job synchronously and returns its outcome and progress reports.
func runNow(_ spec: JobSpec, environment: TrainingEnvironment = testEnvironment) -> (JobOutcome, [JobProgress]) {
    var reports: [JobProgress] = []
    let outcome = spec.run(environment: environment, isCancelled: { false }, progress: { reports.append($0) })
    return (outcome, reports)
}

extension JSONValue {
    var number: Double? {
        if case .number(let d) = self { return d }
        return nil
    }
    var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }
    var array: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }
    subscript(path: String...) -> JSONValue? {
        var v: JSONValue? = self
        for key in path { v = v?[key] }
        return v
    }
}

/// A clock the tests move by hand.
final class TestClock: Sendable {
    private let t = Mutex<Double>(1_790_000_000)
    var now: Double { t.withLock { $0 } }
    func advance(_ seconds: Double) { t.withLock { $0 += seconds } }
    var function: @Sendable () -> Double { { [self] in self.now } }
}

/// Reads a job's events until `stop` says so (or the log ends), waiting on the runner's
/// change notifications instead of sleeping.
func collectEvents(
    _ runner: JobRunner,
    _ id: String,
    until stop: ([JobEvent]) -> Bool = { _ in false }
) -> [JobEvent] {
    var events: [JobEvent] = []
    while true {
        guard let batch = runner.events(of: id, after: events.last?.id ?? 0) else { return events }
        events += batch.events
        if batch.isComplete || stop(events) { return events }
        let signal = DispatchSemaphore(value: 0)
        guard runner.onChange(of: id, after: events.last?.id ?? 0, wake: { signal.signal() }) != nil else {
            return events
        }
        if signal.wait(timeout: .now() + 60) == .timedOut {
            Issue.record("no event within 60 s")
            return events
        }
    }
}
