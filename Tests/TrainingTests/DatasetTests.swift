import MLP
import TestSupport
import Testing

@testable import Training

@Suite struct DatasetTests {
    @Test(arguments: BuiltInDataset.allCases)
    func deterministicBySeedWithTheRightShape(_ dataset: BuiltInDataset) throws {
        let a = dataset.generate(samples: 300, noise: dataset.defaultNoise, seed: 7)
        let b = dataset.generate(samples: 300, noise: dataset.defaultNoise, seed: 7)
        let c = dataset.generate(samples: 300, noise: dataset.defaultNoise, seed: 8)
        #expect(a == b)
        #expect(a.inputs != c.inputs)
        #expect(a.count == 300)
        #expect(a.features == dataset.features)
        #expect(a.inputs.allSatisfy { $0.isFinite })
        switch a.targets {
        case .labels(let labels, let classes):
            #expect(dataset.isClassification)
            #expect(classes == dataset.outputs)
            for k in 0..<classes {
                // Balanced (spiral, moons, circles by construction) or at least present.
                #expect(labels.filter { $0 == Int32(k) }.count >= 300 / classes / 2)
            }
        case .values(let values, let width):
            #expect(dataset == .sine && width == 1 && values.count == 300)
        }
    }

    @Test func noiseFreeShapesAreExact() {
        let moons = BuiltInDataset.moons.generate(samples: 100, noise: 0, seed: 1)
        guard case .labels(let labels, _) = moons.targets else { return }
        for i in 0..<100 {
            let x = Double(moons.inputs[2 * i]), y = Double(moons.inputs[2 * i + 1])
            // Outer moon on the unit circle, inner moon on the circle around (1, 0.5).
            let r =
                labels[i] == 0 ? (x * x + y * y).squareRoot() : ((x - 1) * (x - 1) + (y - 0.5) * (y - 0.5)).squareRoot()
            #expect(abs(r - 1) < 1e-5)
        }
        let sine = BuiltInDataset.sine.generate(samples: 50, noise: 0, seed: 2)
        guard case .values(let ys, _) = sine.targets else { return }
        for i in 0..<50 { #expect(abs(Double(ys[i]) - _sin(Double(sine.inputs[i]))) < 1e-6) }
        let checker = BuiltInDataset.checkerboard.generate(samples: 200, noise: 0, seed: 3)
        guard case .labels(let cl, _) = checker.targets else { return }
        for i in 0..<200 {
            let cell =
                Int((Double(checker.inputs[2 * i]) + 2).rounded(.down))
                + Int((Double(checker.inputs[2 * i + 1]) + 2).rounded(.down))
            #expect(Int(cl[i]) == cell % 2)
        }
    }
}

#if canImport(Glibc)
import Glibc
func _sin(_ x: Double) -> Double { sin(x) }
#else
import Darwin
func _sin(_ x: Double) -> Double { sin(x) }
#endif
