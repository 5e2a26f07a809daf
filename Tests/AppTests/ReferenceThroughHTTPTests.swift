import Foundation
import Testing

@testable import App

/// Every case of tests/reference/activations.json, evaluated through the HTTP pipeline.
@Suite struct ReferenceThroughHTTPTests {
    let app = makeApp()

    @Test(arguments: ReferenceFile.cases.indices)
    func referenceCase(_ index: Int) throws {
        let c = ReferenceFile.cases[index]
        let label = "\(c.activation) \(c.params) adversarial=\(c.adversarial)"
        if c.unsupported {
            let r = app.post("/v1/activations/\(c.activation)/forward", json: ["x": [0.5], "adversarial": true])
            let p = expectProblem(r, 422)
            #expect((p["detail"] as? String)?.isEmpty == false, "\(label)")
            return
        }
        let forward = app.post("/v1/activations/\(c.activation)/forward",
                               json: ["x": c.x, "params": c.params, "adversarial": c.adversarial])
        try #require(forward.status == 200, "\(label): \(forward.text)")
        let y = flatten(forward.json["y"])
        #expect(y.count == c.x.count)
        for (i, (got, ref)) in zip(y, c.y).enumerated() {
            guard let ref else { continue }
            #expect(meetsAccuracy(got, ref), "\(label) y(\(c.x[i])) = \(got), reference \(ref)")
        }
        let wantsParams = !c.dparams.isEmpty || c.dvelocities != nil
        let gradient = app.post("/v1/activations/\(c.activation)/gradient",
                                json: ["x": c.x, "params": c.params, "adversarial": c.adversarial, "param_gradients": wantsParams])
        try #require(gradient.status == 200, "\(label): \(gradient.text)")
        let dydx = flatten(gradient.json["dydx"])
        for (i, (got, ref)) in zip(dydx, c.dydx).enumerated() {
            guard let ref else { continue }
            #expect(meetsAccuracy(got, ref), "\(label) dydx(\(c.x[i])) = \(got), reference \(ref)")
        }
        let dparams = gradient.json["dparams"] as? [String: Any] ?? [:]
        for (name, refs) in c.dparams {
            let got = flatten(dparams[name])
            #expect(got.count == refs.count, "\(label) dparams.\(name)")
            for (i, (g, ref)) in zip(got, refs).enumerated() {
                guard let ref else { continue }
                #expect(meetsAccuracy(g, ref), "\(label) d/d\(name)(\(c.x[i])) = \(g), reference \(ref)")
            }
        }
        if let rows = c.dvelocities {
            let got = dparams["velocities"] as? [[Any]] ?? []
            #expect(got.count == rows.count, "\(label) dparams.velocities rows")
            for (i, (g, ref)) in zip(got, rows).enumerated() {
                for (j, (gv, rv)) in zip(g.map { number($0) ?? .nan }, ref).enumerated() {
                    guard let rv else { continue }
                    #expect(meetsAccuracy(gv, rv), "\(label) dvelocities[\(i)][\(j)] = \(gv), reference \(rv)")
                }
            }
        }
    }
}
