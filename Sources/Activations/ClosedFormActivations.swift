/// Closed-form catalog entries (docs/ACTIVATIONS.md §1 Catalog: relu … sqish).
///
/// The descriptors live next to their kernels (`StandardActivations.swift`, `GELU.swift`,
/// `GoLU.swift`, `Sqish.swift`); this file fixes the catalog order and holds what they share.
enum ClosedFormActivations {
    /// Every closed-form entry, in catalog order.
    static let descriptors: [ActivationDescriptor] = [
        relu, leakyReLU, prelu, elu, selu, celu, softplus, silu, mish, sigmoid, tanh,
        hardsigmoid, hardswish, softsign, gelu, golu, sqish,
    ]

    /// Rejects numeric parameters that do not survive conversion to float32 (the kernels
    /// compute in float32): |v| must be ≤ FLT_MAX, and a nonzero v must be at least the
    /// smallest normal float in magnitude (so reciprocals and logarithms stay finite).
    static let float32Parameters: @Sendable (ResolvedParameters) throws(ActivationError) -> Void = {
        r throws(ActivationError) in
        for (name, value) in r.entries {
            guard case .number(let v) = value else { continue }
            if abs(v) > Double(Float.greatestFiniteMagnitude) {
                throw ActivationError(
                    .invalidParameter, parameter: name,
                    "parameter '\(name)' must be within float32 range (|value| ≤ 3.4028235e38), got \(v)")
            }
            if v != 0, abs(v) < Double(Float.leastNormalMagnitude) {
                throw ActivationError(
                    .invalidParameter, parameter: name,
                    "parameter '\(name)' is too small for float32 (a nonzero value needs |value| ≥ 1.1754944e-38), got \(v)")
            }
        }
    }

    /// A PyTorch documentation page for `torch.nn.<module>`.
    static func pytorch(_ module: String) -> Reference {
        Reference(
            title: "PyTorch torch.nn.\(module)",
            url: "https://docs.pytorch.org/docs/stable/generated/torch.nn.\(module).html")
    }

    /// PyTorch's CPU activation kernels (forward and backward conventions, kinks).
    static let pytorchKernels = Reference(
        title: "PyTorch aten/src/ATen/native/cpu/Activation.cpp",
        url: "https://github.com/pytorch/pytorch/blob/main/aten/src/ATen/native/cpu/Activation.cpp")
}
