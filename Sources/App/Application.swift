import Activations
import Codecs
import Dispatch
import HTTPServer
import Logging
import Training

/// The whole service: routes, pipeline, transport, jobs, and their lifecycle.
public final class Application: Sendable {
    public let configuration: AppConfiguration
    public let readiness = Readiness()
    public let metrics = ServiceMetrics()
    let logger: Logger
    let handler: ServiceHandler
    let server: HTTPServer
    public let jobs: JobRunner
    public static let version = "0.1.0"

    public init(configuration: AppConfiguration, logger: Logger = Logger(label: "activation-service")) {
        self.configuration = configuration
        self.logger = logger
        let limits = DecodingLimits(maxElements: configuration.maxElements, maxDepth: configuration.maxDepth)
        let catalog = Catalog.standard
        var router = Router()
        guard let openAPIDocument = EmbeddedFiles.files["openapi.yaml"] else {
            preconditionFailure("the EmbedFiles build plugin embeds openapi.yaml into every build")
        }
        OperationsRoutes(readiness: readiness, metrics: metrics, openAPIDocument: openAPIDocument.bytes, version: Self.version)
            .register(in: &router)
        CatalogRoutes(catalog: catalog).register(in: &router)
        EvaluationRoutes(catalog: catalog, limits: limits, metrics: metrics).register(in: &router)
        InferenceRoutes(catalog: catalog, limits: limits, metrics: metrics, readiness: readiness).register(in: &router)
        let metrics = self.metrics
        let completedJobs = metrics.counter("jobs_finished_total")
        jobs = JobRunner(
            configuration: JobRunner.Configuration(
                workers: configuration.jobWorkers, maxQueued: configuration.maxQueuedJobs,
                timeToLive: Double(configuration.jobTTLSeconds),
                onFinish: { completion in
                    completedJobs.increment()
                    metrics.jobFinished(kind: completion.kind.rawValue, status: completion.status.rawValue,
                                        queuedSeconds: completion.queuedSeconds, runSeconds: completion.runSeconds)
                }),
            environment: TrainingWiring.environment(configuration: configuration))
        let runner = jobs
        // Weak: the refresher is stored in `metrics`; strong captures would make a cycle
        // (metrics → refresher → metrics, runner) that outlives the Application.
        metrics.addRefresher { [weak metrics, weak runner] in
            guard let metrics, let runner else { return }
            metrics.record(runner.metrics)
        }
        JobRoutes(runner: jobs, limits: limits, heartbeatSeconds: 15).register(in: &router)
        handler = ServiceHandler(router: router, configuration: configuration, metrics: metrics, logger: logger)
        server = HTTPServer(configuration: configuration.server, handler: handler, logger: logger)
    }

    /// Every registered route as (method, template), for the OpenAPI contract test.
    var routes: [(method: String, template: String)] { handler.router.routes.map { ($0.method, $0.template) } }

    /// Starts listening; returns the bound port. Readiness turns `ready`.
    @discardableResult
    public func start() throws -> Int {
        let port = try server.start()
        readiness.set(.ready)
        logger.info("listening", metadata: ["host": "\(configuration.host)", "port": "\(port)", "version": "\(Self.version)"])
        return port
    }

    /// Graceful shutdown: readiness 503 at once, stop accepting, drain in-flight requests up to
    /// the drain timeout, cancel running jobs, stop.
    public func shutdown() {
        readiness.set(.draining)
        logger.info("draining", metadata: ["drain_timeout": "\(configuration.drainTimeoutSeconds)s", "in_flight": "\(server.inFlightRequests)"])
        let running = jobs.metrics.jobs[.running] ?? 0
        let queued = jobs.metrics.jobs[.queued] ?? 0
        // Jobs first, so event streams still deliver the final `cancelled` event while draining.
        jobs.shutdown(reason: "the service is shutting down")
        if running + queued > 0 {
            logger.notice("cancelled jobs on shutdown", metadata: ["running": "\(running)", "queued": "\(queued)"])
        }
        server.shutdown(drainTimeout: .seconds(configuration.drainTimeoutSeconds))
        logger.info("stopped")
    }

    /// Answers one request in-process (no sockets): the same pipeline the server runs.
    public func respond(to request: HTTPRequest) -> HTTPResponse {
        if let early = handler.screen(request) { return early }
        let match = handler.router.match(method: request.method, path: request.path)
        return handler.process(request, match: match, requestID: request.headers["X-Request-Id"] ?? "test", start: .now)
    }
}
