import MLP

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Built-in toy datasets, generated deterministically from a seed.
public enum BuiltInDataset: String, Sendable, CaseIterable {
    /// Three interleaved spiral arms (3 classes).
    case spiral
    /// Two interleaving half circles (2 classes, scikit-learn's make_moons).
    case moons
    /// A circle inside a circle of twice the radius (2 classes).
    case circles
    /// Label = sign(x₁) xor sign(x₂) on [−1, 1]² (2 classes).
    case xor
    /// A 4 × 4 checkerboard on [−2, 2]² (2 classes).
    case checkerboard
    /// y = sin(x) on [−π, π] (regression, 1 input, 1 output).
    case sine

    /// Standard deviation of the Gaussian noise added when the body does not set `noise`.
    public var defaultNoise: Double {
        switch self {
        case .spiral: return 0.05
        case .moons: return 0.1
        case .circles: return 0.05
        case .xor: return 0.05
        case .checkerboard: return 0.02
        case .sine: return 0.1
        }
    }

    public var isClassification: Bool { self != .sine }
    public var features: Int { self == .sine ? 1 : 2 }
    /// Outputs of a network for this dataset (classes, or 1 for regression).
    public var outputs: Int {
        switch self {
        case .spiral: return 3
        case .sine: return 1
        default: return 2
        }
    }

    /// `samples` samples with Gaussian noise of standard deviation `noise` (added to the
    /// inputs for classification, to the target for `sine`). Classes are balanced (sample i
    /// has class i mod k) and rows come out in generation order.
    public func generate(samples n: Int, noise: Double, seed: UInt64) -> Samples {
        var rng = Xoshiro256(seed: seed)
        var x: [Float] = []
        x.reserveCapacity(n * features)
        var labels: [Int32] = []
        var values: [Float] = []
        for i in 0..<n {
            switch self {
            case .spiral:
                let k = i % 3
                let r = rng.nextUniform()
                let theta = Double(k) * 2 * Double.pi / 3 + 4 * r
                x += [
                    Float(r * sin(theta) + noise * rng.nextNormal()), Float(r * cos(theta) + noise * rng.nextNormal()),
                ]
                labels.append(Int32(k))
            case .moons:
                let k = i % 2
                let t = Double.pi * rng.nextUniform()
                let (a, b) = k == 0 ? (cos(t), sin(t)) : (1 - cos(t), 0.5 - sin(t))
                x += [Float(a + noise * rng.nextNormal()), Float(b + noise * rng.nextNormal())]
                labels.append(Int32(k))
            case .circles:
                let k = i % 2
                let t = 2 * Double.pi * rng.nextUniform()
                let r = k == 0 ? 1.0 : 0.5
                x += [Float(r * cos(t) + noise * rng.nextNormal()), Float(r * sin(t) + noise * rng.nextNormal())]
                labels.append(Int32(k))
            case .xor:
                let a = rng.nextUniform(in: -1, 1), b = rng.nextUniform(in: -1, 1)
                x += [Float(a + noise * rng.nextNormal()), Float(b + noise * rng.nextNormal())]
                labels.append((a > 0) != (b > 0) ? 1 : 0)
            case .checkerboard:
                let a = rng.nextUniform(in: -2, 2), b = rng.nextUniform(in: -2, 2)
                x += [Float(a + noise * rng.nextNormal()), Float(b + noise * rng.nextNormal())]
                labels.append(Int32((Int(floor(a)) + Int(floor(b))) & 1))
            case .sine:
                let a = rng.nextUniform(in: -Double.pi, Double.pi)
                x.append(Float(a))
                values.append(Float(sin(a) + noise * rng.nextNormal()))
            }
        }
        let targets: Targets = isClassification ? .labels(labels, classes: outputs) : .values(values, width: 1)
        // try!: shapes are consistent by construction (features per row, one target per row).
        return try! Samples(features: features, inputs: x, targets: targets)
    }
}
