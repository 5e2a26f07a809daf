import CoreMetrics
import Metrics
import Prometheus
import Synchronization
import Training

/// The service's Prometheus metrics (swift-metrics API on a per-instance registry, so tests
/// can run several services in one process).
public final class ServiceMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    /// Identifies one `http_requests_total` series without building a string per request.
    private struct RequestKey: Hashable {
        let route: String
        let method: String
        let status: Int
    }
    private let requestCounters = Mutex<[RequestKey: CoreMetrics.Counter]>([:])
    private let durationTimers = Mutex<[String: CoreMetrics.Timer]>([:])
    private let elementCounters = Mutex<[String: CoreMetrics.Counter]>([:])
    private let bytesIn: CoreMetrics.Counter
    private let bytesInInflated: CoreMetrics.Counter
    private let bytesOut: CoreMetrics.Counter
    private let bytesOutWire: CoreMetrics.Counter
    private let refreshers = Mutex<[@Sendable () -> Void]>([])

    public init() {
        registry = PrometheusCollectorRegistry()
        var f = PrometheusMetricsFactory(registry: registry)
        f.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        factory = f
        bytesIn = CoreMetrics.Counter(label: "http_request_bytes_total", dimensions: [("encoding", "wire")], factory: f)
        bytesInInflated = CoreMetrics.Counter(label: "http_request_bytes_total", dimensions: [("encoding", "inflated")], factory: f)
        bytesOut = CoreMetrics.Counter(label: "http_response_bytes_total", dimensions: [("encoding", "identity")], factory: f)
        bytesOutWire = CoreMetrics.Counter(label: "http_response_bytes_total", dimensions: [("encoding", "wire")], factory: f)
    }

    /// One finished request.
    func request(route: String, method: String, status: Int, duration: Duration, wireBytesIn: Int, inflatedBytesIn: Int, bytesOut identity: Int, wireBytesOut: Int) {
        let key = RequestKey(route: route, method: method, status: status)
        let counter = requestCounters.withLock { cache in
            if let c = cache[key] { return c }
            let c = CoreMetrics.Counter(label: "http_requests_total", dimensions: [("route", route), ("method", method), ("status", "\(status)")], factory: factory)
            cache[key] = c
            return c
        }
        counter.increment()
        let timer = durationTimers.withLock { cache in
            if let t = cache[route] { return t }
            let t = CoreMetrics.Timer(label: "http_request_duration_seconds", dimensions: [("route", route)], factory: factory)
            cache[route] = t
            return t
        }
        let (s, atto) = duration.components
        timer.recordNanoseconds(s * 1_000_000_000 + atto / 1_000_000_000)
        bytesIn.increment(by: wireBytesIn)
        bytesInInflated.increment(by: inflatedBytesIn)
        bytesOut.increment(by: identity)
        bytesOutWire.increment(by: wireBytesOut)
    }

    func elementsEvaluated(activation: String, count: Int) {
        let c = elementCounters.withLock { cache in
            if let c = cache[activation] { return c }
            let c = CoreMetrics.Counter(label: "activation_elements_evaluated_total", dimensions: [("activation", activation)], factory: factory)
            cache[activation] = c
            return c
        }
        c.increment(by: count)
    }

    /// A gauge, e.g. jobs by state or queue depth.
    func gauge(_ label: String, dimensions: [(String, String)] = []) -> CoreMetrics.Gauge {
        CoreMetrics.Gauge(label: label, dimensions: dimensions, factory: factory)
    }

    func timer(_ label: String, dimensions: [(String, String)] = []) -> CoreMetrics.Timer {
        CoreMetrics.Timer(label: label, dimensions: dimensions, factory: factory)
    }

    func counter(_ label: String, dimensions: [(String, String)] = []) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: label, dimensions: dimensions, factory: factory)
    }

    /// Registers work that updates gauges right before each scrape.
    func addRefresher(_ refresh: @escaping @Sendable () -> Void) {
        refreshers.withLock { $0.append(refresh) }
    }

    /// Prometheus text exposition format (gauges refreshed first).
    func exposition() -> [UInt8] {
        for r in refreshers.withLock({ $0 }) { r() }
        return registry.emitToBuffer()
    }

    /// Jobs by state, queue depth and workers, from the runner's snapshot.
    func record(_ m: JobRunnerMetrics) {
        for (status, count) in m.jobs {
            gauge("jobs", dimensions: [("state", status.rawValue)]).record(count)
        }
        gauge("job_queue_depth").record(m.queueDepth)
        gauge("job_workers_busy").record(m.busyWorkers)
        gauge("job_workers").record(m.workers)
        gauge("jobs_rejected").record(m.rejected)
    }

    /// One finished job: duration histograms by kind and final state.
    func jobFinished(kind: String, status: String, queuedSeconds: Double, runSeconds: Double?) {
        let dims = [("kind", kind), ("status", status)]
        timer("job_queue_seconds", dimensions: dims).recordNanoseconds(Int64(queuedSeconds * 1e9))
        if let run = runSeconds { timer("job_duration_seconds", dimensions: dims).recordNanoseconds(Int64(run * 1e9)) }
    }
}
