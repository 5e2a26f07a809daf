#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// DiTAC (`gelu_cpab`) with fixed parameters: y = x̃·Φ(x), x̃ = T(x) on [a, b] (inclusive), x outside.
///
/// Exact mode integrates the CPA flow per element in Double (`DiTACField`); LUT mode gathers
/// T01 and dT01/du from an N-point lattice built in Double (docs/ACTIVATIONS.md §9.7) and uses the
/// straight-through derivatives (the continuous map's derivatives at the lattice point).
struct DiTACKernel: ActivationKernel {
    let lower: Double
    let upper: Double
    let field: DiTACField
    let table: Table?

    /// The lattice of §9.7 Lookup table: `transform[k]` = T01(k/(N−1)), `slope[k]` = dT01/du there (float32).
    struct Table: Sendable {
        let count: Int
        let transform: [Float]
        let slope: [Float]

        init(field: DiTACField, count: Int) {
            precondition(count >= 2, "a DiTAC lookup table needs at least 2 points")
            self.count = count
            let n = Double(field.cells)
            var transform = [Float](repeating: 0, count: count)
            var slope = [Float](repeating: 0, count: count)
            for k in 0..<count {
                let u = Double(k) / Double(count - 1)
                let f = field.flow(from: u * n)
                transform[k] = Float(min(max(u + f.displacement / n, 0), 1))
                slope[k] = Float(exp(f.logSlope))
            }
            self.transform = transform
            self.slope = slope
        }

        /// Nearest lattice point k = round(u·(N−1)) for an offset x − a ∈ [0, b − a].
        @inline(__always)
        func index(_ offset: Double, width: Double) -> Int {
            min(Int(offset / width * Double(count - 1) + 0.5), count - 1)
        }
    }

    /// - Parameters:
    ///   - lower: a, upper: b (a < b, b − a finite).
    ///   - lut: 0 for exact evaluation, otherwise the number of lattice points N (≥ 2).
    init(lower: Double, upper: Double, velocities: [Double], lut: Int) {
        self.lower = lower
        self.upper = upper
        self.field = DiTACField(velocities: velocities)
        self.table = lut == 0 ? nil : Table(field: field, count: lut)
    }

    private var width: Double { upper - lower }

    /// Where x falls: `nil` outside [a, b] (and for NaN), else the z-coordinate u·n used by the
    /// flow — for LUT mode the lattice point's, with its index.
    @inline(__always)
    private func locate(_ x: Double) -> (z: Double, index: Int)? {
        guard x >= lower && x <= upper else { return nil }
        let n = Double(field.cells)
        guard let table else { return ((x - lower) / width * n, 0) }
        let k = table.index(x - lower, width: width)
        return (Double(k) / Double(table.count - 1) * n, k)
    }

    /// x̃ by exact integration. Displacement form: x̃ = x exactly when the field is zero (DiTAC ≡ GELU).
    @inline(__always)
    private func exactTransform(_ x: Double) -> (value: Double, logSlope: Double) {
        guard x >= lower && x <= upper else { return (x, 0) }
        let n = Double(field.cells)
        let f = field.flow(from: (x - lower) / width * n)
        return (x + width * (f.displacement / n), f.logSlope)
    }

    func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        if let table {
            for i in x.indices {
                let xi = Double(x[i])
                var xt = xi
                if xi >= lower && xi <= upper {
                    xt = lower + width * Double(table.transform[table.index(xi - lower, width: width)])
                }
                y[i] = Float(ditacProduct(xt, ditacPhi(xi)))
            }
        } else {
            for i in x.indices {
                let xi = Double(x[i])
                y[i] = Float(ditacProduct(exactTransform(xi).value, ditacPhi(xi)))
            }
        }
    }

    func derivative(_ x: UnsafeBufferPointer<Float>, into dydx: UnsafeMutableBufferPointer<Float>) {
        if let table {
            for i in x.indices {
                let xi = Double(x[i])
                var xt = xi
                var slope = 1.0
                if xi >= lower && xi <= upper {
                    let k = table.index(xi - lower, width: width)
                    xt = lower + width * Double(table.transform[k])
                    slope = Double(table.slope[k])
                }
                dydx[i] = Float(ditacProduct(slope, ditacPhi(xi)) + ditacProduct(xt, ditacDensity(xi)))
            }
        } else {
            for i in x.indices {
                let xi = Double(x[i])
                let (xt, logSlope) = exactTransform(xi)
                // T′Φ(x): in log space when T′ alone would overflow (slopes beyond ~700).
                let gate =
                    logSlope > 700 ? exp(logSlope + ditacLogPhi(xi)) : ditacProduct(exp(logSlope), ditacPhi(xi))
                dydx[i] = Float(gate + ditacProduct(xt, ditacDensity(xi)))
            }
        }
    }

    var parameterGradientShapes: [ParameterGradientShape] {
        [ParameterGradientShape(name: "velocities", width: field.cells - 1)]
    }

    func parameterDerivatives(_ x: UnsafeBufferPointer<Float>, into outputs: [UnsafeMutableBufferPointer<Float>]) {
        let out = outputs[0]
        let w = field.cells - 1
        var scratch = [Double](repeating: 0, count: field.cells + 1)
        for i in x.indices {
            let row = i * w
            let xi = Double(x[i])
            guard let (z, _) = locate(xi) else {
                for j in 0..<w { out[row + j] = 0 }
                continue
            }
            field.accumulateVelocityGradient(from: z, scale: width * ditacPhi(xi), into: &scratch)
            for j in 0..<w {
                out[row + j] = Float(ditacFinite(scratch[j + 1]))
                scratch[j + 1] = 0
            }
            scratch[0] = 0
            scratch[field.cells] = 0
        }
    }

    /// Direct VJP: Σ_i g_i·(b − a)·Φ(x_i)·∂T01/∂w(u_i), accumulated in Double, O(cells visited) per element.
    func parameterGradients(_ x: UnsafeBufferPointer<Float>, gradOutput g: UnsafeBufferPointer<Float>) -> [[Double]] {
        var sums = [Double](repeating: 0, count: field.cells + 1)
        for i in x.indices where g[i] != 0 {
            let xi = Double(x[i])
            guard let (z, _) = locate(xi) else { continue }
            let scale = Double(g[i]) * width * ditacPhi(xi)
            if scale == 0 { continue }
            field.accumulateVelocityGradient(from: z, scale: scale, into: &sums)
        }
        return [sums[1..<field.cells].map(ditacFinite)]
    }
}

// MARK: - Normal CDF/pdf in Double (`ditac` prefix to avoid clashes with the GELU helpers).

/// Φ(x) = ½ erfc(−x/√2): exact in the far left tail, 0 at −inf, 1 at +inf, NaN for NaN.
@inline(__always)
func ditacPhi(_ x: Double) -> Double {
    0.5 * erfc(-x * 0.70710678118654752440)
}

/// φ(x) = e^{−x²/2}/√(2π) (0 at ±inf).
@inline(__always)
func ditacDensity(_ x: Double) -> Double {
    exp(-0.5 * x * x) * 0.39894228040143267794
}

/// ln Φ(x), also where Φ underflows (asymptotic series for x < −30, error < 1e-9).
func ditacLogPhi(_ x: Double) -> Double {
    if x >= -30 { return log(ditacPhi(x)) }
    let q = 1 / (x * x)
    return -0.5 * x * x - log(-x) - 0.91893853320467274178 + log1p(q * (-1 + q * (3 - 15 * q)))
}

/// NaN → 0 for derivative terms: only reachable when slopes beyond ~700 make e^{slope} overflow
/// Double and two overflowing terms cancel (∞ − ∞); finite values pass through unchanged.
@inline(__always)
func ditacFinite(_ v: Double) -> Double {
    v.isNaN ? 0 : v
}
