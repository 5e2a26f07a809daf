import Dispatch
import Foundation
import HTTPServer
import Testing
import Training

@testable import App

/// Blocks until job `id` has finished, woken by the runner's change notifications (no polling).
func waitForJob(_ app: Application, _ id: String, timeout: Double = 120) -> [String: Any] {
    let deadline = Date().addingTimeInterval(timeout)
    var after = 0
    while Date() < deadline {
        guard let batch = app.jobs.events(of: id, after: after) else { break }
        after = batch.events.last?.id ?? after
        if batch.isComplete { break }
        let signal = DispatchSemaphore(value: 0)
        let o = app.jobs.onChange(of: id, after: after) { signal.signal() }
        _ = signal.wait(timeout: .now() + 5)
        if let o { app.jobs.cancelObservation(o) }
    }
    return app.get("/v1/jobs/\(id)").json
}

/// Waits until job `id` has reported at least one epoch.
func waitForProgress(_ app: Application, _ id: String) {
    let signal = DispatchSemaphore(value: 0)
    if let o = app.jobs.onChange(of: id, after: 0, wake: { signal.signal() }) {
        _ = signal.wait(timeout: .now() + 60)
        app.jobs.cancelObservation(o)
    }
}

@Suite(.serialized) struct JobRouteTests {
    static var moons: [String: Any] { [
        "kind": "train",
        "dataset": ["name": "moons", "samples": 400, "noise": 0.1, "seed": 1],
        "model": ["hidden": [32, 32], "activation": ["name": "gelu"]],
        "training": ["epochs": 60, "batch_size": 32, "optimizer": "adam", "learning_rate": 0.01, "validation_fraction": 0.25, "seed": 0],
    ] }
    static var long: [String: Any] { [
        "dataset": ["name": "spiral", "samples": 2000, "seed": 0],
        "model": ["hidden": [64, 64], "activation": ["name": "golu"]],
        "training": ["epochs": 5000, "batch_size": 16],
    ] }

    @Test func trainMoonsEndToEnd() throws {
        let app = makeApp()
        let r = app.post("/v1/jobs", json: Self.moons)
        try #require(r.status == 202, "\(r.text)")
        let id = try #require(r.json["id"] as? String)
        #expect(r.headers["Location"] == "/v1/jobs/\(id)")
        #expect(r.headers["Retry-After"] != nil)
        let doc = waitForJob(app, id)
        #expect(doc["status"] as? String == "succeeded", "\(doc)")
        let accuracy = ((doc["metrics"] as? [String: Any])?["val_accuracy"] as? [Double])?.last ?? 0
        #expect(accuracy >= 0.93, "validation accuracy \(accuracy)")
        #expect((doc["progress"] as? [String: Any])?["fraction"] as? Double == 1)
        #expect(doc["expires_at"] as? String != nil)
        #expect(app.get("/v1/jobs?status=succeeded").json["jobs"].map { ($0 as? [Any])?.count ?? 0 } == 1)
        #expect(app.get("/v1/jobs?status=running").json["jobs"].map { ($0 as? [Any])?.count ?? 0 } == 0)
        // Forget it: 204, then 404.
        #expect(app.respond(to: HTTPRequest(method: "DELETE", path: "/v1/jobs/\(id)")).status == 204)
        expectProblem(app.get("/v1/jobs/\(id)"), 404)
    }

    @Test func ditacFitToMishBeatsGELU() throws {
        let app = makeApp()
        let r = app.post("/v1/jobs", json: [
            "kind": "fit",
            "activation": ["name": "ditac", "params": ["a": -3, "b": 3]],
            "target": ["activation": ["name": "mish"]],
            "training": ["epochs": 400, "learning_rate": 0.02],
        ])
        try #require(r.status == 202, "\(r.text)")
        let doc = waitForJob(app, r.json["id"] as! String)
        #expect(doc["status"] as? String == "succeeded", "\(doc)")
        let learned = try #require(((doc["result"] as? [String: Any])?["activation"] as? [String: Any])?["params"] as? [String: Any])
        // The learned parameters post back to the evaluation route unchanged.
        let grid = stride(from: -5.0, through: 5.0, by: 0.05).map { $0 }
        let ditac = flatten(app.post("/v1/activations/ditac/forward", json: ["x": grid, "params": learned]).json["y"])
        let mish = flatten(app.post("/v1/activations/mish/forward", json: ["x": grid]).json["y"])
        let gelu = flatten(app.post("/v1/activations/gelu/forward", json: ["x": grid]).json["y"])
        func mse(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(a.count) }
        #expect(ditac.count == grid.count)
        #expect(mse(ditac, mish) < mse(gelu, mish), "ditac \(mse(ditac, mish)) vs gelu \(mse(gelu, mish))")
    }

    @Test func compareReportsMeanAndStd() throws {
        let app = makeApp()
        let r = app.post("/v1/jobs", json: [
            "kind": "compare", "dataset": ["name": "xor", "samples": 200, "seed": 3],
            "model": ["hidden": [8]], "activations": [["name": "relu"], ["name": "golu"]], "seeds": [0, 1],
            "training": ["epochs": 5],
        ])
        try #require(r.status == 202, "\(r.text)")
        let doc = waitForJob(app, r.json["id"] as! String)
        let table = (doc["result"] as? [String: Any])?["table"] as? [[String: Any]] ?? []
        #expect(table.count == 2, "\(doc)")
        for row in table {
            #expect((row["val_loss"] as? [String: Any])?["mean"] is Double)
            #expect((row["val_loss"] as? [String: Any])?["std"] is Double)
            #expect((row["ms_per_epoch"] as? [String: Any])?["mean"] is Double)
        }
    }

    /// HD-FGD gated layers and alternating counterparts (docs/ACTIVATIONS.md §10.2–§10.4) train through
    /// the job API; a run that diverges says so with its epoch instead of hanging.
    @Test(arguments: [(true, "none"), (false, "alternate"), (true, "alternate")])
    func adversarialAndHDFGDNetworks(_ hdfgd: Bool, _ adversarial: String) throws {
        let app = makeApp()
        let variant = "hdfgd=\(hdfgd) adversarial=\(adversarial)"
        let model: [String: Any] = ["hidden": [16, 16], "activation": ["name": "silu"], "hdfgd": hdfgd, "adversarial": adversarial]
        let r = app.post("/v1/jobs", json: [
            "dataset": ["name": "moons", "samples": 300, "seed": 2], "model": model,
            "training": ["epochs": 30, "learning_rate": 0.005],
        ])
        try #require(r.status == 202, "\(r.text)")
        let doc = waitForJob(app, r.json["id"] as! String)
        let status = doc["status"] as? String
        if status == "failed" {
            let detail = (doc["error"] as? [String: Any])?["detail"] as? String ?? ""
            #expect(detail.contains("epoch"), "\(doc)")
        } else {
            #expect(status == "succeeded", "\(doc)")
            let accuracy = ((doc["metrics"] as? [String: Any])?["val_accuracy"] as? [Double])?.last ?? 0
            #expect(accuracy > 0.75, "\(variant): validation accuracy \(accuracy)")
        }
    }

    @Test func cancelARunningJob() throws {
        let app = makeApp { $0.jobWorkers = 1 }
        let r = app.post("/v1/jobs", json: Self.long)
        let id = try #require(r.json["id"] as? String)
        waitForProgress(app, id)
        let d = app.respond(to: HTTPRequest(method: "DELETE", path: "/v1/jobs/\(id)"))
        #expect(d.status == 202)
        let doc = waitForJob(app, id)
        #expect(doc["status"] as? String == "cancelled")
        let epoch = (doc["progress"] as? [String: Any])?["epoch"] as? Int ?? 0
        #expect(epoch < 5000)
    }

    @Test func queueFullIs429() throws {
        let app = makeApp { $0.jobWorkers = 1; $0.maxQueuedJobs = 0 }
        let first = app.post("/v1/jobs", json: Self.long)
        #expect(first.status == 202)
        let second = app.post("/v1/jobs", json: Self.moons)
        expectProblem(second, 429)
        #expect(Int(second.headers["Retry-After"] ?? "") ?? 0 >= 1)
        app.jobs.shutdown(reason: "test over")
        let doc = app.get("/v1/jobs/\(first.json["id"] as! String)").json
        #expect(doc["status"] as? String == "cancelled")
        #expect(((doc["error"] as? [String: Any])?["detail"] as? String)?.contains("test over") == true)
    }

    @Test func idempotencyKey() throws {
        let app = makeApp()
        let a = app.post("/v1/jobs", json: Self.moons, headers: ["Idempotency-Key": "k-1"])
        let b = app.post("/v1/jobs", json: Self.moons, headers: ["Idempotency-Key": "k-1"])
        #expect(a.status == 202 && b.status == 200)
        #expect(a.json["id"] as? String == b.json["id"] as? String)
        #expect(b.headers["Idempotent-Replayed"] == "true")
        var other = Self.moons
        other["training"] = ["epochs": 3]
        expectProblem(app.post("/v1/jobs", json: other, headers: ["Idempotency-Key": "k-1"]), 422)
        app.jobs.shutdown(reason: "test over")
    }

    @Test func invalidBodiesArePointed() {
        let app = makeApp()
        let cases: [(Any, Int, String)] = [
            (["kind": "dance"], 400, "/kind"),
            (["dataset": ["name": "mnist"]], 400, "/dataset/name"),
            (["dataset": ["name": "moons"], "model": ["hidden": [0]]], 400, "/model/hidden/0"),
            (["dataset": ["name": "moons"], "training": ["learning_rate": -1]], 400, "/training/learning_rate"),
            (["dataset": ["inline": ["x": [[1, 2], [3]], "y": [0, 1]], "task": "classification"]], 400, "/dataset/inline/x/1"),
            (["dataset": ["name": "moons"], "model": ["activation": ["name": "nope"]]], 400, "/model/activation/name"),
            (["dataset": ["name": "moons"], "extra": 1], 400, "/extra"),
            (["dataset": ["name": "moons", "samples": 100_000], "model": ["hidden": [1024, 1024, 1024]], "training": ["epochs": 10_000]], 422, ""),
        ]
        for (body, status, pointer) in cases {
            let r = app.post("/v1/jobs", json: body)
            let p = expectProblem(r, status)
            if !pointer.isEmpty {
                let pointers = (p["errors"] as? [[String: Any]])?.compactMap { $0["pointer"] as? String } ?? []
                #expect(pointers.contains(pointer), "\(body): \(r.text)")
            }
        }
        expectProblem(app.get("/v1/jobs?status=weird"), 400)
        expectProblem(app.get("/v1/jobs/nope"), 404)
        expectProblem(app.respond(to: HTTPRequest(method: "DELETE", path: "/v1/jobs/nope")), 404)
    }

    @Test func eventStreamReplaysAndEnds() throws {
        let app = makeApp()
        var body = Self.moons
        body["training"] = ["epochs": 5]
        let id = try #require(app.post("/v1/jobs", json: body).json["id"] as? String)
        _ = waitForJob(app, id)
        func drain(_ headers: HTTPHeaders) -> String {
            let r = app.respond(to: HTTPRequest(method: "GET", path: "/v1/jobs/\(id)/events", headers: headers))
            #expect(r.headers["Content-Type"] == "text/event-stream")
            guard case .stream(let s) = r.body else { return "" }
            var text = ""
            loop: while true {
                let signal = DispatchSemaphore(value: 0)
                switch s.next(wake: { signal.signal() }) {
                case .data(let d): text += String(decoding: d, as: UTF8.self)
                case .pending: _ = signal.wait(timeout: .now() + 30)
                case .end: break loop
                }
            }
            s.close()
            return text
        }
        let all = drain([:])
        #expect(all.components(separatedBy: "event: progress").count - 1 == 5)
        #expect(all.contains("event: done"))
        #expect(all.contains("id: 6"))
        let resumed = drain(["Last-Event-ID": "4"])
        #expect(!resumed.contains("id: 4\n") && resumed.contains("id: 5\n") && resumed.contains("event: done"))
    }
}
