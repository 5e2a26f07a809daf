import Testing

@testable import Activations

/// The shared reference loader decodes every kind of case in the file.
@Suite struct ReferenceDataTests {
    @Test func decodesEveryCaseKind() throws {
        let data = try ReferenceData.load()
        #expect(!data.about.isEmpty)
        #expect(data.cases.count >= 39)
        for c in data.cases where !c.unsupported {
            #expect(!c.x.isEmpty && c.x.count == c.y.count && c.x.count == c.dydx.count, "\(c)")
            for (name, series) in c.dparams {
                #expect(series.flat?.count == c.x.count, "\(c) \(name)")
            }
        }
        // Unsupported adversarial markers carry no values.
        let unsupported = data.cases.filter(\.unsupported)
        #expect(Set(unsupported.map(\.activation)) == ["relu", "hardswish", "hardsigmoid"])
        #expect(unsupported.allSatisfy { $0.adversarial && $0.x.isEmpty })
        // Array, string and number parameters; DiTAC velocity gradients, one row per element.
        let ditac = try #require(data.cases.first { $0.dvelocities != nil })
        #expect(ditac.parameterValues["velocities"] == .numbers([0.3, -0.2, 0.4]))
        #expect(ditac.dvelocities?.count == ditac.x.count)
        #expect(ditac.dvelocities?.allSatisfy { $0.count == 3 } == true)
        #expect(data.cases.contains { $0.parameterValues["approximate"] == .string("tanh") })
        #expect(data.cases.contains { $0.adversarial && !$0.unsupported })
    }

    @Test func accuracyRule() {
        #expect(meetsAccuracyRule(1.000001, reference: 1))
        #expect(!meetsAccuracyRule(1.00001, reference: 1))
        #expect(meetsAccuracyRule(5e-8, reference: 0))
        #expect(!meetsAccuracyRule(2e-7, reference: 0))
        #expect(meetsAccuracyRule(.infinity, reference: 1e39))
        #expect(!meetsAccuracyRule(.greatestFiniteMagnitude, reference: 1e39))
        #expect(!meetsAccuracyRule(-.infinity, reference: 1e39))
        #expect(meetsAccuracyRule(0, reference: 1e-40))
        #expect(meetsAccuracyRule(.nan, reference: .nan))
        #expect(!meetsAccuracyRule(.nan, reference: 0))
        #expect(!meetsAccuracyRule(0, reference: .nan))
        #expect(meetsAccuracyRule(42, reference: nil))
    }
}
