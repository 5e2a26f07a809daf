/// Reusable buffers for forward and backward passes of one network, sized for batches of up
/// to `capacity` rows. One flat allocation; passes never allocate.
public struct Workspace: Sendable {
    public let capacity: Int
    var storage: [Float]
    /// Offset of layer boundary l (0 = input, l + 1 = output of layer l).
    let activation: [Int]
    /// Offset of a gated layer's stash (a, z, q(z): 3 × capacity × width); -1 for others.
    let stash: [Int]
    let gradA: Int, gradB: Int, scratch: Int, transposed: Int

    /// Buffers for `network` and batches of at most `capacity` rows.
    public init(for network: Network, capacity: Int) {
        precondition(capacity > 0, "workspace capacity must be positive")
        self.capacity = capacity
        var offset = 0
        var activation: [Int] = [0]
        var stash: [Int] = []
        offset += capacity * network.inputCount
        var maxWidth = network.inputCount
        var maxWeights = 0
        for layer in network.layers {
            activation.append(offset)
            offset += capacity * layer.outputWidth
            maxWidth = max(maxWidth, layer.outputWidth)
            maxWeights = max(maxWeights, layer.inputWidth * layer.outputWidth)
        }
        for layer in network.layers {
            if case .gated(let g) = layer {
                stash.append(offset)
                offset += 3 * capacity * g.outputs
            } else {
                stash.append(-1)
            }
        }
        gradA = offset
        offset += capacity * maxWidth
        gradB = offset
        offset += capacity * maxWidth
        scratch = offset
        offset += capacity * maxWidth
        transposed = offset
        offset += maxWeights
        self.activation = activation
        self.stash = stash
        storage = [Float](repeating: 0, count: offset)
    }
}

extension Network {
    /// Runs the forward pass for `rows` samples of `x` (row-major, rows × inputCount) and
    /// leaves every intermediate in `workspace`.
    func forward(_ x: UnsafeBufferPointer<Float>, rows n: Int, workspace ws: inout Workspace) {
        precondition(n > 0 && n <= ws.capacity && x.count >= n * inputCount, "batch does not fit the workspace")
        let layers = self.layers
        parameters.withUnsafeBufferPointer { pb in
            let p = pb.baseAddress!
            let act = ws.activation
            let stash = ws.stash
            ws.storage.withUnsafeMutableBufferPointer { sb in
                let s = sb.baseAddress!
                s.update(from: x.baseAddress!, count: n * inputCount)
                for (l, layer) in layers.enumerated() {
                    let input = UnsafePointer(s + act[l])
                    let output = s + act[l + 1]
                    switch layer {
                    case .dense(let d):
                        LinearAlgebra.affine(
                            input,
                            p + d.weights,
                            p + d.bias,
                            into: output,
                            rows: n,
                            inputs: d.inputs,
                            outputs: d.outputs
                        )
                    case .activation(let a):
                        a.kernel.forward(
                            UnsafeBufferPointer(start: input, count: n * a.width),
                            into: UnsafeMutableBufferPointer(start: output, count: n * a.width)
                        )
                    case .gated(let g):
                        let count = n * g.outputs
                        let a = s + stash[l]
                        let z = a + ws.capacity * g.outputs
                        let q = z + ws.capacity * g.outputs
                        LinearAlgebra.affine(
                            input,
                            p + g.w1,
                            p + g.b1,
                            into: a,
                            rows: n,
                            inputs: g.inputs,
                            outputs: g.outputs
                        )
                        LinearAlgebra.affine(
                            input,
                            p + g.w2,
                            p + g.b2,
                            into: z,
                            rows: n,
                            inputs: g.inputs,
                            outputs: g.outputs
                        )
                        g.gate.forward(
                            UnsafeBufferPointer(start: z, count: count),
                            into: UnsafeMutableBufferPointer(start: q, count: count)
                        )
                        for e in 0..<count { output[e] = a[e] * q[e] }
                    }
                }
            }
        }
    }

    /// The loss of a batch and, with `gradients` (zeroed here, parameter layout), its
    /// gradient with respect to every parameter.
    ///
    /// - Returns: the mean loss over the batch and the number of correctly classified rows.
    public func lossAndGradient(
        _ x: UnsafeBufferPointer<Float>,
        targets: BatchTargets,
        rows n: Int,
        loss: Loss,
        workspace ws: inout Workspace,
        gradients: inout [Float]?
    ) -> (loss: Double, correct: Int) {
        forward(x, rows: n, workspace: &ws)
        let outOffset = ws.activation[layers.count]
        let gradOffset = ws.gradA
        let width = outputCount
        let wantsGradient = gradients != nil
        let result = ws.storage.withUnsafeMutableBufferPointer { sb in
            let s = sb.baseAddress!
            let grad = wantsGradient ? s + gradOffset : nil
            switch targets {
            case .labels(let l):
                precondition(loss == .softmaxCrossEntropy && l.count >= n, "labels need the cross-entropy loss")
                return Loss.evaluate(
                    loss,
                    output: s + outOffset,
                    rows: n,
                    width: width,
                    labels: l.baseAddress,
                    values: nil,
                    grad: grad
                )
            case .values(let v):
                precondition(loss == .meanSquaredError && v.count >= n * width, "values need the squared-error loss")
                return Loss.evaluate(
                    loss,
                    output: s + outOffset,
                    rows: n,
                    width: width,
                    labels: nil,
                    values: v.baseAddress,
                    grad: grad
                )
            }
        }
        if gradients != nil {
            if gradients!.count != parameters.count {
                gradients = [Float](repeating: 0, count: parameters.count)
            } else {
                gradients!.withUnsafeMutableBufferPointer { g in g.update(repeating: 0) }
            }
            backward(rows: n, workspace: &ws, gradients: &gradients!)
        }
        return result
    }

    /// Back-propagates dL/d(output), found in the workspace's first gradient buffer, and
    /// accumulates the parameter gradients into `gradients`.
    func backward(rows n: Int, workspace ws: inout Workspace, gradients: inout [Float]) {
        let layers = self.layers
        let act = ws.activation
        let stash = ws.stash
        let capacity = ws.capacity
        var current = ws.gradA
        var other = ws.gradB
        let scratchOffset = ws.scratch
        let transposedOffset = ws.transposed
        parameters.withUnsafeBufferPointer { pb in
            let p = pb.baseAddress!
            gradients.withUnsafeMutableBufferPointer { gb in
                let dp = gb.baseAddress!
                ws.storage.withUnsafeMutableBufferPointer { sb in
                    let s = sb.baseAddress!
                    let scratch = s + scratchOffset
                    let wt = s + transposedOffset
                    for l in stride(from: layers.count - 1, through: 0, by: -1) {
                        let input = UnsafePointer(s + act[l])
                        let g = s + current
                        switch layers[l] {
                        case .dense(let d):
                            LinearAlgebra.accumulateWeightGradients(
                                input,
                                g,
                                dw: dp + d.weights,
                                db: dp + d.bias,
                                rows: n,
                                inputs: d.inputs,
                                outputs: d.outputs
                            )
                            if l > 0 {
                                LinearAlgebra.transpose(p + d.weights, into: wt, inputs: d.inputs, outputs: d.outputs)
                                LinearAlgebra.backpropagate(
                                    g,
                                    transposed: wt,
                                    into: s + other,
                                    rows: n,
                                    inputs: d.inputs,
                                    outputs: d.outputs,
                                    accumulate: false
                                )
                                swap(&current, &other)
                            }
                        case .activation(let a):
                            let count = n * a.width
                            let xs = UnsafeBufferPointer(start: input, count: count)
                            if !a.slots.isEmpty {
                                let sums = a.kernel.parameterGradients(
                                    xs,
                                    gradOutput: UnsafeBufferPointer(start: g, count: count)
                                )
                                for slot in a.slots {
                                    let row = sums[slot.gradientIndex]
                                    for j in 0..<slot.width { dp[slot.offset + j] += Float(row[j]) }
                                }
                            }
                            a.kernel.derivative(xs, into: UnsafeMutableBufferPointer(start: scratch, count: count))
                            for e in 0..<count { g[e] *= scratch[e] }
                        case .gated(let gl):
                            let count = n * gl.outputs
                            let a = s + stash[l]
                            let z = a + capacity * gl.outputs
                            let q = z + capacity * gl.outputs
                            gl.gate.derivative(
                                UnsafeBufferPointer(start: z, count: count),
                                into: UnsafeMutableBufferPointer(start: scratch, count: count)
                            )
                            // dZ = g ⊙ a ⊙ q′(z) into scratch, then dA = g ⊙ q(z) in place.
                            for e in 0..<count { scratch[e] *= g[e] * a[e] }
                            for e in 0..<count { g[e] *= q[e] }
                            LinearAlgebra.accumulateWeightGradients(
                                input,
                                g,
                                dw: dp + gl.w1,
                                db: dp + gl.b1,
                                rows: n,
                                inputs: gl.inputs,
                                outputs: gl.outputs
                            )
                            LinearAlgebra.accumulateWeightGradients(
                                input,
                                scratch,
                                dw: dp + gl.w2,
                                db: dp + gl.b2,
                                rows: n,
                                inputs: gl.inputs,
                                outputs: gl.outputs
                            )
                            if l > 0 {
                                LinearAlgebra.transpose(p + gl.w1, into: wt, inputs: gl.inputs, outputs: gl.outputs)
                                LinearAlgebra.backpropagate(
                                    g,
                                    transposed: wt,
                                    into: s + other,
                                    rows: n,
                                    inputs: gl.inputs,
                                    outputs: gl.outputs,
                                    accumulate: false
                                )
                                LinearAlgebra.transpose(p + gl.w2, into: wt, inputs: gl.inputs, outputs: gl.outputs)
                                LinearAlgebra.backpropagate(
                                    scratch,
                                    transposed: wt,
                                    into: s + other,
                                    rows: n,
                                    inputs: gl.inputs,
                                    outputs: gl.outputs,
                                    accumulate: true
                                )
                                swap(&current, &other)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Outputs (rows × outputCount) for `x` (rows × inputCount).
    public func predict(_ x: [Float]) -> [Float] {
        precondition(x.count % inputCount == 0, "input size is not a multiple of the input count")
        let rows = x.count / inputCount
        if rows == 0 { return [] }
        var ws = Workspace(for: self, capacity: min(rows, 1024))
        var out = [Float](repeating: 0, count: rows * outputCount)
        let outOffset = ws.activation[layers.count]
        var start = 0
        x.withUnsafeBufferPointer { xb in
            while start < rows {
                let n = min(ws.capacity, rows - start)
                forward(
                    UnsafeBufferPointer(rebasing: xb[start * inputCount..<(start + n) * inputCount]),
                    rows: n,
                    workspace: &ws
                )
                for e in 0..<n * outputCount { out[start * outputCount + e] = ws.storage[outOffset + e] }
                start += n
            }
        }
        return out
    }

    /// Mean loss (and accuracy for labels) over all `samples`, in chunks of the workspace.
    public func evaluate(_ samples: Samples, workspace ws: inout Workspace) -> (loss: Double, accuracy: Double?) {
        let rows = samples.count
        precondition(samples.features == inputCount, "feature count mismatch")
        if rows == 0 { return (.nan, nil) }
        var total = 0.0
        var correct = 0
        var noGradient: [Float]? = nil
        var start = 0
        samples.inputs.withUnsafeBufferPointer { xb in
            while start < rows {
                let n = min(ws.capacity, rows - start)
                let x = UnsafeBufferPointer(rebasing: xb[start * inputCount..<(start + n) * inputCount])
                let r: (loss: Double, correct: Int)
                switch samples.targets {
                case .labels(let labels, _):
                    r = labels.withUnsafeBufferPointer { lb in
                        lossAndGradient(
                            x,
                            targets: .labels(UnsafeBufferPointer(rebasing: lb[start..<start + n])),
                            rows: n,
                            loss: .softmaxCrossEntropy,
                            workspace: &ws,
                            gradients: &noGradient
                        )
                    }
                case .values(let values, let w):
                    r = values.withUnsafeBufferPointer { vb in
                        lossAndGradient(
                            x,
                            targets: .values(UnsafeBufferPointer(rebasing: vb[start * w..<(start + n) * w])),
                            rows: n,
                            loss: .meanSquaredError,
                            workspace: &ws,
                            gradients: &noGradient
                        )
                    }
                }
                total += r.loss * Double(n)
                correct += r.correct
                start += n
            }
        }
        if case .labels = samples.targets { return (total / Double(rows), Double(correct) / Double(rows)) }
        return (total / Double(rows), nil)
    }
}
