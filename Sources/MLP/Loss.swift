/// The training objective.
public enum Loss: Sendable, Equatable {
    /// Softmax over the outputs followed by cross-entropy against integer labels, averaged
    /// over the batch.
    case softmaxCrossEntropy
    /// Mean over batch and outputs of (ŷ − y)².
    case meanSquaredError

    /// The loss for the batch, with dL/d(output) written to `grad` (same shape as `output`).
    /// Also returns the number of correctly classified rows (classification only).
    static func evaluate(
        _ loss: Loss,
        output: UnsafePointer<Float>,
        rows n: Int,
        width: Int,
        labels: UnsafePointer<Int32>?,
        values: UnsafePointer<Float>?,
        grad: UnsafeMutablePointer<Float>?
    ) -> (loss: Double, correct: Int) {
        switch loss {
        case .softmaxCrossEntropy:
            // labels!: Network.lossAndGradient passes labels with this loss (it checks the pairing).
            let labels = labels!
            var total = 0.0
            var correct = 0
            let scale = 1 / Float(n)
            for i in 0..<n {
                let o = output + i * width
                var m = o[0]
                var arg = 0
                for j in 1..<width where o[j] > m {
                    m = o[j]
                    arg = j
                }
                let label = Int(labels[i])
                if arg == label && m.isFinite { correct += 1 }
                var sum: Double = 0
                for j in 0..<width { sum += Double(_expf(o[j] - m)) }
                // −log softmax[label] = log Σ e^(o−m) − (o[label] − m)
                total += _log(sum) - Double(o[label] - m)
                if let g = grad {
                    let gi = g + i * width
                    let inv = Float(1 / sum)
                    for j in 0..<width { gi[j] = _expf(o[j] - m) * inv * scale }
                    gi[label] -= scale
                }
            }
            return (total / Double(n), correct)
        case .meanSquaredError:
            // values!: Network.lossAndGradient passes values with this loss.
            let y = values!
            var total = 0.0
            let count = n * width
            let scale = 2 / Float(count)
            for e in 0..<count {
                let d = output[e] - y[e]
                total += Double(d) * Double(d)
                grad?[e] = scale * d
            }
            return (total / Double(count), 0)
        }
    }
}
