import Activations
import Foundation

// Small kernels shared by MLPTests and TrainingTests, so MLP and Training can be tested without
// the real catalog. All evaluate in Double and round once.

/// tanh, no parameters.
package struct TanhKernel: ActivationKernel {
    package init() {}
    package func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        for i in x.indices { y[i] = Float(Foundation.tanh(Double(x[i]))) }
    }
    package func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        for i in x.indices {
            let t = Foundation.tanh(Double(x[i]))
            dydx[i] = Float(1 - t * t)
        }
    }
}

/// max(0, x).
package struct ReLUKernel: ActivationKernel {
    package init() {}
    package func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        for i in x.indices { y[i] = max(0, x[i]) }
    }
    package func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        for i in x.indices { dydx[i] = x[i] > 0 ? 1 : 0 }
    }
}

/// σ(x), used as an HD-FGD gate (SiLU's gate).
package struct SigmoidKernel: ActivationKernel {
    package init() {}
    package func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        for i in x.indices { y[i] = Float(1 / (1 + Foundation.exp(-Double(x[i])))) }
    }
    package func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        for i in x.indices {
            let s = 1 / (1 + Foundation.exp(-Double(x[i])))
            dydx[i] = Float(s * (1 - s))
        }
    }
}

/// Global adversarial counterpart of tanh: g(x) = x/2 + sinh(2x)/4, g′ = cosh² x.
package struct TanhCounterpartKernel: ActivationKernel {
    package init() {}
    package func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        for i in x.indices {
            let v = Double(x[i])
            y[i] = Float(v / 2 + Foundation.sinh(2 * v) / 4)
        }
    }
    package func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        for i in x.indices {
            let c = Foundation.cosh(Double(x[i]))
            dydx[i] = Float(c * c)
        }
    }
}

/// Scaled softplus a·log(1 + e^(b·x))/b with trainable a (> 0) and b (> 0).
package struct ScaledSoftplusKernel: ActivationKernel {
    package let a: Double
    package let b: Double
    package init(a: Double, b: Double) {
        self.a = a
        self.b = b
    }
    private func sp(_ z: Double) -> Double { max(z, 0) + Foundation.log1p(Foundation.exp(-abs(z))) }
    private func sigma(_ z: Double) -> Double { 1 / (1 + Foundation.exp(-z)) }
    package func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        for i in x.indices { y[i] = Float(a * sp(b * Double(x[i])) / b) }
    }
    package func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        for i in x.indices { dydx[i] = Float(a * sigma(b * Double(x[i]))) }
    }
    package var parameterGradientShapes: [ParameterGradientShape] {
        [ParameterGradientShape(name: "a", width: 1), ParameterGradientShape(name: "b", width: 1)]
    }
    package func parameterDerivatives(_ x: UnsafeBufferPointer<Float>, into outputs: [UnsafeMutableBufferPointer<Float>]) {
        for i in x.indices {
            let v = Double(x[i])
            outputs[0][i] = Float(sp(b * v) / b)
            outputs[1][i] = Float(a * (-sp(b * v) / (b * b) + v * sigma(b * v) / b))
        }
    }
}

/// A vector-parameter kernel (like DiTAC's velocities):
/// f(x) = x + c₀·x·σ(x) + c₁·tanh(x) + c₂·x²/(1 + x²).
package struct VectorKernel: ActivationKernel {
    package let c: [Double]
    package init(c: [Double]) { self.c = c }
    private func sigma(_ z: Double) -> Double { 1 / (1 + Foundation.exp(-z)) }
    package func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        for i in x.indices {
            let v = Double(x[i])
            y[i] = Float(v + c[0] * v * sigma(v) + c[1] * Foundation.tanh(v) + c[2] * v * v / (1 + v * v))
        }
    }
    package func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        for i in x.indices {
            let v = Double(x[i])
            let s = sigma(v)
            let t = Foundation.tanh(v)
            dydx[i] = Float(
                1 + c[0] * (s + v * s * (1 - s)) + c[1] * (1 - t * t) + c[2] * 2 * v / ((1 + v * v) * (1 + v * v))
            )
        }
    }
    package var parameterGradientShapes: [ParameterGradientShape] { [ParameterGradientShape(name: "coefficients", width: 3)] }
    package func parameterDerivatives(_ x: UnsafeBufferPointer<Float>, into outputs: [UnsafeMutableBufferPointer<Float>]) {
        for i in x.indices {
            let v = Double(x[i])
            outputs[0][3 * i] = Float(v * sigma(v))
            outputs[0][3 * i + 1] = Float(Foundation.tanh(v))
            outputs[0][3 * i + 2] = Float(v * v / (1 + v * v))
        }
    }
}

/// A catalog with the test kernels (plus "relu" so job defaults resolve).
package let testCatalog: Catalog = {
    let tanh = ActivationDescriptor(
        name: "tanh",
        description: "tanh",
        formula: "tanh(x)",
        makeKernel: { _ in TanhKernel() }
    )
    let relu = ActivationDescriptor(
        name: "relu",
        description: "relu",
        formula: "max(0,x)",
        makeKernel: { _ in ReLUKernel() }
    )
    let sigmoid = ActivationDescriptor(
        name: "sigmoid",
        description: "sigmoid",
        formula: "σ(x)",
        makeKernel: { _ in SigmoidKernel() }
    )
    let scaled = ActivationDescriptor(
        name: "scaled_softplus",
        description: "a·softplus(bx)/b",
        formula: "a·log(1+e^(bx))/b",
        parameters: [
            ParameterSpec(
                name: "a",
                defaultValue: .number(1),
                minimum: 0,
                exclusiveMinimum: true,
                maximum: 10,
                trainable: true,
                description: "scale"
            ),
            ParameterSpec(
                name: "b",
                defaultValue: .number(1),
                minimum: 0,
                exclusiveMinimum: true,
                trainable: true,
                description: "sharpness"
            ),
        ],
        makeKernel: { r in ScaledSoftplusKernel(a: r.number("a"), b: r.number("b")) }
    )
    let vector = ActivationDescriptor(
        name: "vector",
        description: "vector-parameter test kernel",
        formula: "x + c·basis(x)",
        parameters: [
            ParameterSpec(
                name: "coefficients",
                kind: .numbers,
                defaultValue: .numbers([0, 0, 0]),
                minimum: -2,
                maximum: 2,
                trainable: true,
                description: "basis coefficients"
            ),
            ParameterSpec(
                name: "mode",
                kind: .choice(["plain"]),
                defaultValue: .string("plain"),
                description: "unused"
            ),
        ],
        makeKernel: { r in VectorKernel(c: r.numbers("coefficients")) }
    )
    let tanhCounterpart = AdversarialCounterpart(
        kind: .global,
        description: "x/2 + sinh(2x)/4",
        formula: "x/2 + sinh(2x)/4",
        makeKernel: { _ in TanhCounterpartKernel() }
    )
    return Catalog(
        entries: [tanh, relu, sigmoid, scaled, vector],
        counterparts: ["tanh": tanhCounterpart],
        unsupportedReasons: ["relu": "relu' vanishes on x < 0"]
    )
}()
