/// The width of one parameter's derivative: 1 for a scalar parameter, `n` for a vector
/// parameter such as DiTAC's `velocities`.
public struct ParameterGradientShape: Sendable, Equatable {
    public let name: String
    public let width: Int
    public init(name: String, width: Int) {
        self.name = name
        self.width = width
    }
}

/// An activation with all its parameters fixed, ready to evaluate element-wise on float32.
///
/// Kernels are plain loops over contiguous memory. `x` and the outputs always have the same
/// count; outputs never alias the input unless a caller passes the same buffer on purpose
/// (every kernel must tolerate `y` aliasing `x` for `forward`).
public protocol ActivationKernel: Sendable {
    /// y[i] = f(x[i]).
    func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>)
    /// dydx[i] = f'(x[i]).
    func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>)
    /// The parameters that have derivatives, in catalog order (empty for parameterless entries).
    var parameterGradientShapes: [ParameterGradientShape] { get }
    /// Element-wise ∂f/∂p: `outputs[k]` has `x.count * parameterGradientShapes[k].width` floats,
    /// row-major (one row of `width` values per element).
    func parameterDerivatives(_ x: UnsafeBufferPointer<Float>, into outputs: [UnsafeMutableBufferPointer<Float>])
    /// Vector-Jacobian product for the parameters: for each parameter, Σ_i g[i]·∂f/∂p(x[i]),
    /// accumulated in Double. Has a default implementation via `parameterDerivatives`.
    func parameterGradients(_ x: UnsafeBufferPointer<Float>, gradOutput g: UnsafeBufferPointer<Float>) -> [[Double]]
}

extension ActivationKernel {
    public var parameterGradientShapes: [ParameterGradientShape] { [] }

    public func parameterDerivatives(_ x: UnsafeBufferPointer<Float>, into outputs: [UnsafeMutableBufferPointer<Float>]) {}

    public func parameterGradients(_ x: UnsafeBufferPointer<Float>, gradOutput g: UnsafeBufferPointer<Float>) -> [[Double]] {
        let shapes = parameterGradientShapes
        if shapes.isEmpty { return [] }
        var sums = shapes.map { [Double](repeating: 0, count: $0.width) }
        // Work in blocks so the temporary stays small for large inputs; one scratch buffer holds
        // every parameter's block side by side.
        let block = 4096
        let totalWidth = shapes.reduce(0) { $0 + $1.width }
        var scratch = [Float](repeating: 0, count: block * totalWidth)
        scratch.withUnsafeMutableBufferPointer { buf in
            var start = 0
            while start < x.count {
                let n = min(block, x.count - start)
                let xs = UnsafeBufferPointer(rebasing: x[start..<start + n])
                var outs: [UnsafeMutableBufferPointer<Float>] = []
                var offset = 0
                for s in shapes {
                    outs.append(UnsafeMutableBufferPointer(rebasing: buf[offset..<offset + n * s.width]))
                    offset += n * s.width
                }
                parameterDerivatives(xs, into: outs)
                for k in shapes.indices {
                    let w = shapes[k].width
                    let out = outs[k]
                    for i in 0..<n {
                        let gi = Double(g[start + i])
                        if gi == 0 { continue }
                        for j in 0..<w { sums[k][j] += gi * Double(out[i * w + j]) }
                    }
                }
                start += n
            }
        }
        return sums
    }
}

