/// GELU (docs/ACTIVATIONS.md §6 GELU): exact (erfc form), tanh approximation (x·σ(2u)) and the paper's
/// sigmoid approximation x·σ(1.702x).
extension ClosedFormActivations {
    static let gelu = ActivationDescriptor(
        name: "gelu",
        description: "Gaussian error linear unit x·Φ(x). approximate = none evaluates Φ by the erfc form (exact to float32 precision down to x ≈ −14); tanh is PyTorch's approximate='tanh' evaluated as x·σ(2u) without cancellation; sigmoid is the paper's x·σ(1.702x) (QuickGELU).",
        formula: "none: f = x·Φ(x), f' = Φ(x) + x·φ(x); tanh: f = ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³); sigmoid: f = x·σ(1.702x)",
        parameters: [
            ParameterSpec(
                name: "approximate", kind: .choice(["none", "tanh", "sigmoid"]), defaultValue: .string("none"),
                description: "none (exact), tanh (PyTorch approximate='tanh') or sigmoid (x·σ(1.702x))")
        ],
        references: [
            Reference(title: "Hendrycks & Gimpel, Gaussian Error Linear Units (GELUs)", url: "https://arxiv.org/abs/1606.08415"),
            pytorch("GELU"), pytorchKernels,
        ],
        makeKernel: { r in
            switch r.string("approximate") {
            case "tanh": GELUTanhKernel()
            case "sigmoid": GELUSigmoidKernel()
            default: GELUKernel()
            }
        })
}

/// x·Φ(x) with Φ from the erfc form; |x| > 40 saturates (Φ is exactly 0 or 1 there).
struct GELUKernel: ActivationKernel {
    func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        mapElements(x, y) { x in
            // x < −40 uses the clamped x (Φ is 0 there, so −inf gives −0 rather than −inf·0).
            let xc = FloatMath.clamp(x, -40, 40)
            let q = FloatMath.normalTail(xc)
            return xc <= 0 ? xc * q : x * (1 - q)
        }
    }

    func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        mapElements(x, dydx) { x in
            let xc = FloatMath.clamp(x, -40, 40)
            let (q, g) = FloatMath.gaussianTail(xc)
            // Near the zero of f' (x ≈ −0.75) Φ and xφ cancel: there Φ comes from an odd
            // polynomial (|x| < 2, error 2e−10) rather than the tail fit.
            let x2 = xc * xc
            var odd = FloatMath.madd(9.641_151e-10, x2, -3.300_701_6e-8)
            odd = FloatMath.madd(odd, x2, 6.359_225e-7)
            odd = FloatMath.madd(odd, x2, -9.378_777e-6)
            odd = FloatMath.madd(odd, x2, 1.153_490_4e-4)
            odd = FloatMath.madd(odd, x2, -0.001_187_265_9)
            odd = FloatMath.madd(odd, x2, 0.009_973_534)
            odd = FloatMath.madd(odd, x2, -0.066_490_375)
            odd = FloatMath.madd(odd, x2, 0.398_942_29)
            let central = FloatMath.madd(xc, odd, 0.5)
            let phi = abs(xc) < 2 ? central : (xc <= 0 ? q : 1 - q)
            return phi + xc * (g * 0.398_942_28)  // 1/√(2π)
        }
    }
}

/// ½x(1 + tanh u) = x·σ(2u), u = k(x + c x³); |x| > 20 saturates.
struct GELUTanhKernel: ActivationKernel {
    static let k: Float = 0.797_884_56
    static let c: Float = 0.044_715

    func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        let k2 = 2 * Self.k, c = Self.c
        mapElements(x, y) { x in
            let xc = FloatMath.clamp(x, -20, 20)
            // The gate is exactly 0 below −20 (xc, not −inf, meets e^{−t} = inf there).
            return FloatMath.timesSigmoid(x >= 0 ? x : xc, k2 * xc * FloatMath.madd(c, xc * xc, 1))
        }
    }

    func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        let k2 = 2 * Self.k, c = Self.c, c3 = 3 * Self.c
        mapElements(x, dydx) { x in
            let xc = FloatMath.clamp(x, -20, 20)
            let x2 = xc * xc
            let (s, sm) = FloatMath.sigmoidPair(k2 * xc * (1 + c * x2))
            return s + k2 * xc * (s * sm) * (1 + c3 * x2)
        }
    }
}

/// x·σ(1.702x); |x| > 110 saturates (σ(−187) is 0 in float32).
struct GELUSigmoidKernel: ActivationKernel {
    func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        mapElements(x, y) { x in
            let xc = FloatMath.clamp(x, -110, 110)
            return FloatMath.timesSigmoid(x >= 0 ? x : xc, 1.702 * xc)  // the gate is exactly 0 below −110
        }
    }

    func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        mapElements(x, dydx) { x in
            let t = 1.702 * FloatMath.clamp(x, -110, 110)
            let (s, sm) = FloatMath.sigmoidPair(t)
            return s + t * (s * sm)
        }
    }
}
