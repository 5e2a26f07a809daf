import Foundation
import Testing
import Training

@testable import App

@Suite struct LifecycleLeakTests {
    /// An Application that was shut down is freed with its metrics and job runner: nothing
    /// (such as the metrics refresher) keeps them alive in a cycle. LeakSanitizer found the
    /// cycle metrics → refresher → metrics/runner at process exit (make test-asan).
    @Test func shutDownApplicationReleasesMetricsAndJobRunner() async throws {
        weak var metrics: ServiceMetrics?
        weak var runner: JobRunner?
        do {
            let app = makeApp()
            metrics = app.metrics
            runner = app.jobs
            #expect(app.get("/metrics").status == 200)  // runs the refreshers
            app.jobs.shutdown(reason: "test")
        }
        // Worker blocks may be released by Dispatch just after shutdown returns: allow a moment.
        for _ in 0..<100 where metrics != nil || runner != nil {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(metrics == nil)
        #expect(runner == nil)
    }
}
