import TestSupport
import Testing

@testable import Activations

/// The reference file decodes with every kind of case, and the accuracy rule behaves as documented.
@Suite struct ReferenceDataTests {
    @Test func decodesEveryCaseKind() throws {
        let data = try ReferenceData.load()
        #expect(!data.about.isEmpty)
        #expect(data.cases.count >= 39)
        for c in data.cases where !c.unsupported {
            #expect(!c.x.isEmpty && c.x.count == c.y.count && c.x.count == c.dydx.count, "\(c)")
            for (name, series) in c.dparams {
                #expect(series.count == c.x.count, "\(c) \(name)")
            }
        }
        // Unsupported adversarial markers carry no values.
        let unsupported = data.cases.filter(\.unsupported)
        #expect(Set(unsupported.map(\.activation)) == ["relu", "hardswish", "hardsigmoid"])
        #expect(unsupported.allSatisfy { $0.adversarial && $0.x.isEmpty })
        // Array, string and number parameters; DiTAC velocity gradients, one row per element.
        let ditac = try #require(data.cases.first { $0.dvelocities != nil })
        #expect(ditac.params["velocities"] == .numbers([0.3, -0.2, 0.4]))
        #expect(ditac.dvelocities?.count == ditac.x.count)
        #expect(ditac.dvelocities?.allSatisfy { $0.count == 3 } == true)
        #expect(data.cases.contains { $0.params["approximate"] == .string("tanh") })
        #expect(data.cases.contains { $0.adversarial && !$0.unsupported })
    }

    /// Every catalog entry has random parameter sets over its ranges, plain and adversarial.
    @Test func randomCasesCoverTheCatalog() throws {
        let data = try ReferenceData.load()
        for name in Catalog.standard.names {
            let plain = data.cases.filter { $0.activation == name && !$0.adversarial }
            #expect(plain.count >= 2, "\(name): \(plain.count) plain cases")
            if Catalog.standard.counterpart(of: name) != nil {
                #expect(data.cases.filter { $0.activation == name && $0.adversarial }.count >= 2, "\(name)")
            }
        }
    }

    @Test func accuracyRule() {
        #expect(meetsAccuracyRule(Float(1.000001), reference: 1))
        #expect(!meetsAccuracyRule(Float(1.00001), reference: 1))
        #expect(meetsAccuracyRule(Float(5e-8), reference: 1e-9))
        #expect(!meetsAccuracyRule(Float(2e-7), reference: 1e-9))
        // References below the normal range (zeros included) may come out as a zero of either sign.
        #expect(meetsAccuracyRule(Float(0), reference: 0))
        #expect(meetsAccuracyRule(Float(0), reference: -0.0))
        #expect(meetsAccuracyRule(Float(0), reference: 1e-40))
        #expect(meetsAccuracyRule(-Float(0), reference: 1e-40))
        #expect(!meetsAccuracyRule(Float(2e-7), reference: 0))
        // Overflow: beyond the rounding threshold only the same-signed infinity; just below it the
        // largest float, or infinity when that is within tolerance.
        #expect(meetsAccuracyRule(Float.infinity, reference: 1e39))
        #expect(!meetsAccuracyRule(Float.greatestFiniteMagnitude, reference: 1e39))
        #expect(!meetsAccuracyRule(-Float.infinity, reference: 1e39))
        #expect(meetsAccuracyRule(Float.infinity, reference: 0x1p128 - 0x1p103))
        #expect(!meetsAccuracyRule(Float.greatestFiniteMagnitude, reference: 0x1p128 - 0x1p103))
        #expect(meetsAccuracyRule(Float.greatestFiniteMagnitude, reference: 0x1p128 - 0x1p104))
        #expect(meetsAccuracyRule(Float.infinity, reference: 0x1p128 - 0x1p104))
        #expect(!meetsAccuracyRule(Float.infinity, reference: 1e38))
        #expect(meetsAccuracyRule(Float.nan, reference: .nan))
        #expect(!meetsAccuracyRule(Float.nan, reference: 0))
        #expect(!meetsAccuracyRule(Float(0), reference: .nan))
        #expect(!meetsAccuracyRule(Float.infinity, reference: .nan))
        #expect(meetsAccuracyRule(Float(42), reference: nil))
    }
}
