/// Dense kernels over contiguous row-major float32 (batch × features). Every inner loop runs
/// over the contiguous last index so the optimiser emits packed SIMD; nothing allocates.
enum LinearAlgebra {
    /// y[n×out] = x[n×in] · w[in×out] + b[out]   (i-k-j order).
    @inline(__always)
    static func affine(
        _ x: UnsafePointer<Float>,
        _ w: UnsafePointer<Float>,
        _ b: UnsafePointer<Float>,
        into y: UnsafeMutablePointer<Float>,
        rows n: Int,
        inputs: Int,
        outputs: Int
    ) {
        for i in 0..<n {
            let yi = y + i * outputs
            for j in 0..<outputs { yi[j] = b[j] }
            let xi = x + i * inputs
            for k in 0..<inputs {
                let a = xi[k]
                if a == 0 { continue }
                let wk = w + k * outputs
                for j in 0..<outputs { yi[j] += a * wk[j] }
            }
        }
    }

    /// dw[in×out] += xᵀ·g, db[out] += Σ_rows g   (i-k-j order).
    @inline(__always)
    static func accumulateWeightGradients(
        _ x: UnsafePointer<Float>,
        _ g: UnsafePointer<Float>,
        dw: UnsafeMutablePointer<Float>,
        db: UnsafeMutablePointer<Float>,
        rows n: Int,
        inputs: Int,
        outputs: Int
    ) {
        for i in 0..<n {
            let gi = g + i * outputs
            for j in 0..<outputs { db[j] += gi[j] }
            let xi = x + i * inputs
            for k in 0..<inputs {
                let a = xi[k]
                if a == 0 { continue }
                let dwk = dw + k * outputs
                for j in 0..<outputs { dwk[j] += a * gi[j] }
            }
        }
    }

    /// wt[out×in] = transpose of w[in×out].
    @inline(__always)
    static func transpose(
        _ w: UnsafePointer<Float>,
        into wt: UnsafeMutablePointer<Float>,
        inputs: Int,
        outputs: Int
    ) {
        for k in 0..<inputs {
            let wk = w + k * outputs
            for j in 0..<outputs { wt[j * inputs + k] = wk[j] }
        }
    }

    /// dx[n×in] (+)= g[n×out] · wᵀ, given wt = wᵀ [out×in]   (i-j-k order).
    @inline(__always)
    static func backpropagate(
        _ g: UnsafePointer<Float>,
        transposed wt: UnsafePointer<Float>,
        into dx: UnsafeMutablePointer<Float>,
        rows n: Int,
        inputs: Int,
        outputs: Int,
        accumulate: Bool
    ) {
        for i in 0..<n {
            let dxi = dx + i * inputs
            if !accumulate { for k in 0..<inputs { dxi[k] = 0 } }
            let gi = g + i * outputs
            for j in 0..<outputs {
                let a = gi[j]
                if a == 0 { continue }
                let wj = wt + j * inputs
                for k in 0..<inputs { dxi[k] += a * wj[k] }
            }
        }
    }
}
