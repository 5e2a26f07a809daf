/// Training targets: class labels (classification) or real values (regression).
public enum Targets: Sendable, Equatable {
    /// One label in 0..<classes per sample.
    case labels([Int32], classes: Int)
    /// `width` values per sample, row-major.
    case values([Float], width: Int)

    /// Outputs the network needs for these targets.
    public var outputWidth: Int {
        switch self {
        case .labels(_, let classes): return classes
        case .values(_, let width): return width
        }
    }
}

/// A set of samples: inputs row-major (count × features) plus targets.
public struct Samples: Sendable, Equatable {
    public var features: Int
    public var inputs: [Float]
    public var targets: Targets

    /// Checks that inputs and targets agree on the sample count.
    public init(features: Int, inputs: [Float], targets: Targets) throws(MLPError) {
        guard features > 0 else { throw MLPError(.invalidData, "samples need at least one feature") }
        guard inputs.count % features == 0 else {
            throw MLPError(.invalidData, "\(inputs.count) input values are not a multiple of \(features) features")
        }
        let n = inputs.count / features
        switch targets {
        case .labels(let labels, let classes):
            guard labels.count == n else { throw MLPError(.invalidData, "\(labels.count) labels for \(n) samples") }
            guard classes >= 2 else { throw MLPError(.invalidData, "classification needs at least 2 classes") }
            if let bad = labels.first(where: { $0 < 0 || Int($0) >= classes }) {
                throw MLPError(.invalidData, "label \(bad) outside 0..<\(classes)")
            }
        case .values(let values, let width):
            guard width > 0, values.count == n * width else {
                throw MLPError(.invalidData, "\(values.count) target values for \(n) samples of width \(width)")
            }
        }
        self.features = features
        self.inputs = inputs
        self.targets = targets
    }

    public var count: Int { inputs.count / features }

    /// The samples at `indices`, in that order.
    public func subset(_ indices: [Int]) -> Samples {
        var x = [Float]()
        x.reserveCapacity(indices.count * features)
        for i in indices { x.append(contentsOf: inputs[i * features..<(i + 1) * features]) }
        let t: Targets
        switch targets {
        case .labels(let l, let c): t = .labels(indices.map { l[$0] }, classes: c)
        case .values(let v, let w):
            var out = [Float]()
            out.reserveCapacity(indices.count * w)
            for i in indices { out.append(contentsOf: v[i * w..<(i + 1) * w]) }
            t = .values(out, width: w)
        }
        // try!: a subset of valid samples is valid (same features, labels and widths).
        return try! Samples(features: features, inputs: x, targets: t)
    }
}
