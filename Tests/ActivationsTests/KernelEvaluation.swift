@testable import Activations

/// Every output of a kernel on one input array.
struct KernelOutputs {
    var y: [Float]
    var dydx: [Float]
    /// Element-wise parameter derivatives by name (width 1 parameters).
    var dparams: [String: [Float]]
}

extension ActivationKernel {
    func forward(_ x: [Float]) -> [Float] {
        var y = [Float](repeating: .nan, count: x.count)
        x.withUnsafeBufferPointer { xs in y.withUnsafeMutableBufferPointer { forward(xs, into: $0) } }
        return y
    }

    func derivative(_ x: [Float]) -> [Float] {
        var d = [Float](repeating: .nan, count: x.count)
        x.withUnsafeBufferPointer { xs in d.withUnsafeMutableBufferPointer { derivative(xs, into: $0) } }
        return d
    }

    /// Scalar parameter derivatives by name.
    func parameterDerivatives(_ x: [Float]) -> [String: [Float]] {
        let shapes = parameterGradientShapes
        var storage = shapes.map { [Float](repeating: .nan, count: x.count * $0.width) }
        let buffers = storage.indices.map { i in
            UnsafeMutableBufferPointer<Float>.allocate(capacity: storage[i].count)
        }
        defer { buffers.forEach { $0.deallocate() } }
        for b in buffers { b.initialize(repeating: .nan) }
        x.withUnsafeBufferPointer { parameterDerivatives($0, into: buffers) }
        for i in storage.indices { storage[i] = Array(buffers[i]) }
        return Dictionary(uniqueKeysWithValues: zip(shapes.map(\.name), storage))
    }

    func outputs(_ x: [Float]) -> KernelOutputs {
        KernelOutputs(y: forward(x), dydx: derivative(x), dparams: parameterDerivatives(x))
    }
}

/// A kernel from the standard catalog (the test fails on a validation error).
func catalogKernel(_ name: String, _ params: [String: ParameterValue] = [:]) throws -> any ActivationKernel {
    try Catalog.standard.kernel(name, params: params)
}

/// The closed-form catalog, in catalog order.
let closedFormNames = [
    "relu", "leaky_relu", "prelu", "elu", "selu", "celu", "softplus", "silu", "mish", "sigmoid", "tanh",
    "hardsigmoid", "hardswish", "softsign", "gelu", "golu", "sqish",
]

/// Every closed-form kernel configuration worth sweeping: defaults plus each GELU variant.
let defaultConfigurations: [(name: String, params: [String: ParameterValue])] =
    closedFormNames.map { ($0, [:]) } + [("gelu", ["approximate": .string("tanh")]), ("gelu", ["approximate": .string("sigmoid")])]
