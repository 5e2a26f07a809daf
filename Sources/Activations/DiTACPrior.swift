#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// DiTAC's smoothness prior on the CPA field (docs/ACTIVATIONS.md §9.6 Prior), written for the service's
/// vertex velocities w = [w_1 … w_{n−1}] instead of θ in a QR basis.
///
/// The paper's regulariser is L(θ) = λ_reg·θᵀPθ with P = (BᵀΣ_reg B + εI)⁻¹, B an orthonormal basis
/// of the zero-boundary CPA space, Σ_reg[i,j] = (λ_var·D)²·exp(−2|p_i − p_j|/λ_smooth) over the
/// D = 2n interleaved (slope, intercept) entries, p = linspace(−1, 1, D), ε = FLT_EPSILON. The
/// per-cell entries are A = M·w (a_c = n(w_{c+1} − w_c), b_c = w_c − a_c·c/n); with M = B·R
/// (Gram–Schmidt), θ = BᵀA = R·w, so L(w) = λ_reg·wᵀ(RᵀPR)w — the same value for every orthonormal
/// B — and the intended gradient 2λ_reg·Pθ becomes ∇_w L = 2λ_reg·RᵀPR·w.
///
/// Training jobs add `gradient(velocities:)` to the data gradient of `velocities` once per step.
public struct DiTACPrior: Sendable, Equatable {
    /// Number of cells n (velocities.count + 1).
    public let cells: Int
    /// λ_reg, the weight of the prior in the loss.
    public let regularization: Double
    /// RᵀPR, row-major (n−1)×(n−1): the precision on the velocity coordinates.
    let precision: [Double]

    /// - Parameters:
    ///   - cells: number of cells n ≥ 2 (velocities.count + 1).
    ///   - lambdaSmooth: λ_smooth (DiTAC default 5).
    ///   - lambdaVar: λ_var (DiTAC default 2).
    ///   - regularization: λ_reg (DiTAC `lambda_reg_loss`, default 0.1).
    public init(cells: Int, lambdaSmooth: Double = 5, lambdaVar: Double = 2, regularization: Double = 0.1) {
        precondition(cells >= 2, "DiTACPrior needs at least 2 cells (one velocity)")
        precondition(lambdaSmooth > 0 && lambdaVar > 0, "DiTACPrior needs λ_smooth > 0 and λ_var > 0")
        self.cells = cells
        self.regularization = regularization
        let d = cells - 1
        let rows = 2 * cells
        let (basis, r) = Self.orthonormalize(Self.velocityMap(cells: cells), rows: rows, columns: d)
        // Σ_reg over the interleaved entries.
        let scale = (lambdaVar * Double(rows)) * (lambdaVar * Double(rows))
        var sigma = [Double](repeating: 0, count: rows * rows)
        for i in 0..<rows {
            for j in 0..<rows {
                let pi = -1 + 2 * Double(i) / Double(rows - 1)
                let pj = -1 + 2 * Double(j) / Double(rows - 1)
                sigma[i * rows + j] = scale * exp(-2 * abs(pi - pj) / lambdaSmooth)
            }
        }
        var s = Self.congruence(sigma, basis: basis, rows: rows, columns: d)
        for k in 0..<d { s[k * d + k] += Double(Float.ulpOfOne) }
        // RᵀS⁻¹R via the Cholesky factor of S: with S = LLᵀ and X = L⁻¹R, RᵀS⁻¹R = XᵀX.
        let l = Self.cholesky(s, size: d)
        let x = Self.forwardSubstitute(l, size: d, rightHandSides: r)
        var q = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            for j in i..<d {
                var acc = 0.0
                for k in 0..<d { acc += x[k * d + i] * x[k * d + j] }
                q[i * d + j] = acc
                q[j * d + i] = acc
            }
        }
        precision = q
    }

    /// L(w) = λ_reg·θᵀPθ for the field with these vertex velocities.
    public func loss(velocities w: [Double]) -> Double {
        precondition(w.count == cells - 1, "expected \(cells - 1) velocities, got \(w.count)")
        let qw = apply(w)
        var acc = 0.0
        for i in w.indices { acc += w[i] * qw[i] }
        return regularization * acc
    }

    /// ∇_w L = 2λ_reg·RᵀPR·w (the intended 2λ_reg·Pθ of §9.6 Prior, in velocity coordinates).
    public func gradient(velocities w: [Double]) -> [Double] {
        precondition(w.count == cells - 1, "expected \(cells - 1) velocities, got \(w.count)")
        return apply(w).map { 2 * regularization * $0 }
    }

    private func apply(_ w: [Double]) -> [Double] {
        let d = w.count
        var out = [Double](repeating: 0, count: d)
        for i in 0..<d {
            var acc = 0.0
            for j in 0..<d { acc += precision[i * d + j] * w[j] }
            out[i] = acc
        }
        return out
    }

    /// Draws initial velocities from DiTAC's initialisation prior (difw
    /// `sample_transformation_with_prior`): θ ~ N(0, BᵀΣ_PA B) with
    /// Σ_PA[i,j] = λv²·exp(−D_ij/(2λs²)), D_ij = |m_i − m_j| between cell centres for two slopes or two
    /// intercepts and 100·max|m_i − m_j| across kinds, mapped to vertex velocities (w = R⁻¹θ).
    ///
    /// - Parameters:
    ///   - cells: number of cells n ≥ 2.
    ///   - lengthScale: λs_init (DiTAC default 5).
    ///   - outputVariance: λv_init (DiTAC default 2).
    ///   - rng: the (seeded) generator; the draw is deterministic for a given generator state.
    public static func sampleVelocities(
        cells: Int, lengthScale: Double = 5, outputVariance: Double = 2,
        using rng: inout some RandomNumberGenerator
    ) -> [Double] {
        precondition(cells >= 2, "DiTACPrior needs at least 2 cells (one velocity)")
        let d = cells - 1
        let rows = 2 * cells
        let (basis, r) = orthonormalize(velocityMap(cells: cells), rows: rows, columns: d)
        let centre = { (i: Int) in (Double(i / 2) + 0.5) / Double(cells) }
        let across = 100 * (centre(rows - 1) - centre(0))
        var sigma = [Double](repeating: 0, count: rows * rows)
        for i in 0..<rows {
            for j in 0..<rows {
                let distance = i % 2 == j % 2 ? abs(centre(i) - centre(j)) : across
                sigma[i * rows + j] =
                    outputVariance * outputVariance * exp(-distance / (2 * lengthScale * lengthScale))
            }
        }
        let l = cholesky(congruence(sigma, basis: basis, rows: rows, columns: d), size: d)
        var z = [Double](repeating: 0, count: d)
        var k = 0
        while k < d {  // Box–Muller, two normals per pair of uniforms
            let u1 = Double.random(in: Double.ulpOfOne..<1, using: &rng)
            let u2 = Double.random(in: 0..<1, using: &rng)
            let radius = (-2 * log(u1)).squareRoot()
            z[k] = radius * cos(2 * Double.pi * u2)
            if k + 1 < d { z[k + 1] = radius * sin(2 * Double.pi * u2) }
            k += 2
        }
        var theta = [Double](repeating: 0, count: d)
        for i in 0..<d {
            for j in 0...i { theta[i] += l[i * d + j] * z[j] }
        }
        // R·w = θ (R upper triangular).
        var w = [Double](repeating: 0, count: d)
        for i in stride(from: d - 1, through: 0, by: -1) {
            var acc = theta[i]
            for j in (i + 1)..<d { acc -= r[i * d + j] * w[j] }
            w[i] = acc / r[i * d + i]
        }
        return w
    }

    // MARK: - Small dense linear algebra in Double (row-major)

    /// M (2n × (n−1)): column k−1 holds ∂(a_0, b_0, …, a_{n−1}, b_{n−1})/∂w_k for the hat function
    /// of vertex k: a_{k−1} = n, b_{k−1} = −(k−1), a_k = −n, b_k = k+1.
    static func velocityMap(cells n: Int) -> [Double] {
        let d = n - 1
        var m = [Double](repeating: 0, count: 2 * n * d)
        for k in 1..<n {
            let col = k - 1
            m[(2 * (k - 1)) * d + col] = Double(n)
            m[(2 * (k - 1) + 1) * d + col] = -Double(k - 1)
            m[(2 * k) * d + col] = -Double(n)
            m[(2 * k + 1) * d + col] = Double(k + 1)
        }
        return m
    }

    /// Thin QR by modified Gram–Schmidt with one re-orthogonalisation pass: M = B·R.
    static func orthonormalize(_ m: [Double], rows: Int, columns d: Int) -> (basis: [Double], r: [Double]) {
        var b = m
        var r = [Double](repeating: 0, count: d * d)
        for j in 0..<d {
            for _ in 0..<2 {
                for i in 0..<j {
                    var dot = 0.0
                    for k in 0..<rows { dot += b[k * d + i] * b[k * d + j] }
                    r[i * d + j] += dot
                    for k in 0..<rows { b[k * d + j] -= dot * b[k * d + i] }
                }
            }
            var norm = 0.0
            for k in 0..<rows { norm += b[k * d + j] * b[k * d + j] }
            norm = norm.squareRoot()
            r[j * d + j] = norm
            for k in 0..<rows { b[k * d + j] /= norm }
        }
        return (b, r)
    }

    /// Bᵀ·Σ·B for B rows × d and Σ rows × rows.
    static func congruence(_ sigma: [Double], basis b: [Double], rows: Int, columns d: Int) -> [Double] {
        var sb = [Double](repeating: 0, count: rows * d)
        for i in 0..<rows {
            for k in 0..<rows {
                let s = sigma[i * rows + k]
                for j in 0..<d { sb[i * d + j] += s * b[k * d + j] }
            }
        }
        var out = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            for j in 0..<d {
                var acc = 0.0
                for k in 0..<rows { acc += b[k * d + i] * sb[k * d + j] }
                out[i * d + j] = acc
            }
        }
        return out
    }

    /// Lower Cholesky factor of a symmetric positive-definite matrix.
    static func cholesky(_ a: [Double], size n: Int) -> [Double] {
        var l = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            var diag = a[j * n + j]
            for k in 0..<j { diag -= l[j * n + k] * l[j * n + k] }
            precondition(diag > 0, "DiTACPrior: covariance is not positive definite")
            let root = diag.squareRoot()
            l[j * n + j] = root
            for i in (j + 1)..<n {
                var acc = a[i * n + j]
                for k in 0..<j { acc -= l[i * n + k] * l[j * n + k] }
                l[i * n + j] = acc / root
            }
        }
        return l
    }

    /// Solves L·X = Y for lower-triangular L (n × n) and Y (n × n), returning X.
    static func forwardSubstitute(_ l: [Double], size n: Int, rightHandSides y: [Double]) -> [Double] {
        var x = y
        for c in 0..<n {
            for i in 0..<n {
                var acc = x[i * n + c]
                for k in 0..<i { acc -= l[i * n + k] * x[k * n + c] }
                x[i * n + c] = acc / l[i * n + i]
            }
        }
        return x
    }
}
