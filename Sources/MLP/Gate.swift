import Activations

/// The gate q of an HD-FGD layer, y = (W₁h + c₁) ⊙ q(W₂h + c₂) (docs/ACTIVATIONS.md §10.2).
///
/// Gates are element-wise, like activation kernels, and must tolerate `y` aliasing `x`.
public protocol Gate: Sendable {
    /// y[i] = q(x[i]).
    func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>)
    /// dydx[i] = q′(x[i]).
    func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>)
}

/// Uses any activation kernel as a gate (for example a sigmoid kernel as the gate of SiLU).
public struct ActivationKernelGate: Gate {
    public let kernel: any ActivationKernel

    public init(_ kernel: any ActivationKernel) { self.kernel = kernel }

    public func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        kernel.forward(x, into: y)
    }

    public func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        kernel.derivative(x, into: dydx)
    }
}
