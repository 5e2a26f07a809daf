#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A zero-boundary continuous piecewise-affine (CPA) velocity field on [0, 1] and its time-1 flow,
/// integrated in closed form cell by cell (docs/ACTIVATIONS.md §9.2–§9.5), all in Double.
///
/// The field is given by its interior vertex velocities w_1 … w_{n−1} (w_0 = w_n = 0, n cells).
/// Internally everything runs in the scaled coordinate z = u·n, where the vertices are the integers
/// 0…n exactly and a point's cell is `floor(z)` with no rounding; the velocity becomes
/// dz/dt = W(z) with W_i = n·w_i, and the slope of cell c is α_c = W_{c+1} − W_c (= a_c of §9.2;
/// scaling space does not change slopes or times). In cell c, with local position s = z − c ∈ [0,1],
/// V(s) = β_c + α_c·s, β_c = W_c.
///
/// Stable forms (§4.3 Stable primitives): the in-cell flow is s + t·V·E1(tα); the hitting time is
/// (Δ/V)·L1(αΔ/V); crossing is allowed only when the start and target-vertex velocities have the
/// same strict sign, so fixed points (inside a cell, on a vertex, at 0 or 1) never produce a
/// logarithm of a non-positive number or a division by zero.
struct DiTACField: Sendable, Equatable {
    /// Number of cells n (= velocities.count + 1).
    let cells: Int
    /// W_0 … W_n: the vertex velocities in z-units (n·w), with W_0 = W_n = 0.
    let vertexVelocities: [Double]

    /// - Precondition: `velocities` is non-empty and finite (the catalog validates both).
    init(velocities: [Double]) {
        precondition(!velocities.isEmpty, "a DiTAC field needs at least one interior vertex")
        cells = velocities.count + 1
        let n = Double(cells)
        vertexVelocities = [0] + velocities.map { $0 * n } + [0]
    }

    /// Largest |slope| α_c over the cells (in normalised units: T01′ ≤ e^{max|α|}).
    var maxAbsSlope: Double {
        var m = 0.0
        for c in 0..<cells { m = max(m, abs(vertexVelocities[c + 1] - vertexVelocities[c])) }
        return m
    }

    /// The time-1 flow from z0 ∈ [0, n]: its displacement z1 − z0 (z-units) and ln(dz1/dz0)
    /// = Σ_segments α·t (the exact derivative of the flow map is e^{logSlope}).
    @inline(__always)
    func flow(from z0: Double) -> (displacement: Double, logSlope: Double) {
        var result = (displacement: 0.0, logSlope: 0.0)
        walk(from: z0) { segment in
            result.displacement += segment.displacement
            result.logSlope += segment.alpha * segment.time
        }
        return result
    }

    /// One piece of a trajectory inside one cell: a crossing to the vertex `target`, or the final
    /// piece (`isFinal`) that ends inside the cell when the time budget runs out.
    struct Segment {
        var cell: Int
        /// Local start position s ∈ [0, 1] and the velocity there (exactly W at a vertex).
        var start: Double
        var velocity: Double
        var alpha: Double
        /// Time spent in this segment (hitting time, or the remaining time for the final piece).
        var time: Double
        var displacement: Double
        var isFinal: Bool
        /// Crossing segments only: Δ = target − start, r = αΔ/V, and the target velocity V_b.
        var delta: Double
        var ratio: Double
        var targetVelocity: Double
    }

    /// Walks the trajectory of z0 for time 1, reporting each segment in order (at most n + 1).
    @inline(__always)
    func walk(from z0: Double, _ visit: (Segment) -> Void) {
        let w = vertexVelocities
        let n = cells
        let z = min(max(z0, 0), Double(n))
        var c = min(Int(z), n - 1)
        var s = z - Double(c)
        var v: Double
        if s == 0 {
            v = w[c]
        } else if s == 1 {
            v = w[c + 1]
        } else {
            v = w[c] + (w[c + 1] - w[c]) * s
        }
        var remaining = 1.0
        while true {
            let alpha = w[c + 1] - w[c]
            // Where the cell's affine flow would be after the remaining time, ignoring the cell's end.
            var step = v == 0 ? 0 : remaining * v * ditacE1(remaining * alpha)
            let end = s + step
            if (v > 0 && end > 1 && w[c + 1] > 0) || (v < 0 && end < 0 && w[c] < 0) {
                // It passes the target vertex, which moves the same way (no fixed point in between):
                // a crossing. The hitting time decides (the test above only saves the logarithm
                // for the common non-crossing case).
                let (target, vb) = v > 0 ? (1.0, w[c + 1]) : (0.0, w[c])
                let delta = target - s
                let r = alpha * delta / v
                let hit = (delta / v) * ditacL1(r)
                if hit < remaining {  // false for NaN/inf: stays in the cell
                    visit(
                        Segment(
                            cell: c, start: s, velocity: v, alpha: alpha, time: hit, displacement: delta,
                            isFinal: false, delta: delta, ratio: r, targetVelocity: vb))
                    remaining -= hit
                    if v > 0 {
                        c += 1
                        s = 0
                    } else {
                        c -= 1
                        s = 1
                    }
                    v = vb
                    continue
                }
            }
            if end > 1 {
                step = 1 - s
            } else if end < 0 {
                step = -s
            }
            visit(
                Segment(
                    cell: c, start: s, velocity: v, alpha: alpha, time: remaining, displacement: step,
                    isFinal: true, delta: 0, ratio: 0, targetVelocity: 0))
            return
        }
    }

    /// ∂(displacement)/∂W_i for the trajectory of z0, added (times `scale`) into `gradient`
    /// (count n + 1, indexed by vertex; entries 0 and n are the fixed boundary and can be ignored).
    /// Since T01 − u = displacement/n and W = n·w, this is also ∂T01/∂w_i.
    ///
    /// Returns ln(dz1/dz0) as `flow` does.
    @discardableResult
    func accumulateVelocityGradient(from z0: Double, scale: Double, into gradient: inout [Double]) -> Double {
        // Pass 1: total Σ α·t, so each crossing j can use e^{P_j}, P_j = Σ_{k≥j} α_k t_k
        // (= V_final / V_j, the growth of the velocity from segment j to the end).
        let total = flow(from: z0).logSlope
        var prefix = 0.0
        walk(from: z0) { seg in
            let gAlpha: Double
            let gBeta: Double
            if seg.isFinal {
                // ψ = s e^{tα} + β t E1(tα):  ∂ψ/∂α = t s e^{tα} + β t² E2(tα),  ∂ψ/∂β = t E1(tα).
                let t = seg.time
                let beta = vertexVelocities[seg.cell]
                let ta = t * seg.alpha
                gAlpha = ditacProduct(t * seg.start, exp(ta)) + ditacProduct(beta * t * t, ditacE2(ta))
                gBeta = t * ditacE1(ta)
            } else {
                // −V_final·∂t_hit/∂α and −V_final·∂t_hit/∂β (§9.5), written with V_final/V_j = e^{P_j}
                // and ∂t/∂α = Δ²G(r)/V² − Δ s/(V V_b), ∂t/∂β = −Δ/(V V_b).
                let growth = exp(total - prefix)
                let d = seg.delta
                let inner = d * d * ditacG(seg.ratio) / seg.velocity - d * seg.start / seg.targetVelocity
                gAlpha = -ditacProduct(growth, inner)
                gBeta = ditacProduct(growth, d / seg.targetVelocity)
                prefix += seg.alpha * seg.time
            }
            // α_c = W_{c+1} − W_c, β_c = W_c. The guards only act when slopes beyond ~700 overflow
            // e^{slope} (∞ − ∞, 0·∞); they keep one such term from turning a whole sum into NaN.
            gradient[seg.cell] += ditacProduct(scale, ditacFinite(gBeta - gAlpha))
            gradient[seg.cell + 1] += ditacProduct(scale, ditacFinite(gAlpha))
        }
        return total
    }
}

// MARK: - Stable primitives (docs/ACTIVATIONS.md §4.3); `ditac` prefix to avoid clashes with other helpers.

/// E1(z) = expm1(z)/z, E1(0) = 1.
@inline(__always)
func ditacE1(_ z: Double) -> Double {
    abs(z) < 1e-4 ? 1 + z * (0.5 + z / 6) : expm1(z) / z
}

/// L1(z) = log1p(z)/z, L1(0) = 1.
@inline(__always)
func ditacL1(_ z: Double) -> Double {
    abs(z) < 1e-4 ? 1 - z * (0.5 - z / 3) : log1p(z) / z
}

/// E2(z) = (z e^z − e^z + 1)/z² = E1′(z), E2(0) = 1/2.
@inline(__always)
func ditacE2(_ z: Double) -> Double {
    if abs(z) < 1e-3 { return 0.5 + z * (1.0 / 3 + z / 8) }
    if z > 700 { return (z - 1) / (z * z) * exp(z) }  // e^z dominates (and may overflow to +inf)
    let e = expm1(z)
    return (z * e - e + z) / (z * z)  // z e^z − e^z + 1 = z(e^z−1) − (e^z−1) + z
}

/// G(r) = (1/(1+r) − L1(r))/r, G(0) = −1/2: the hitting-time slope derivative without 1/α.
@inline(__always)
func ditacG(_ r: Double) -> Double {
    if abs(r) < 1e-3 {
        return -0.5 + r * (2.0 / 3 + r * (-0.75 + r * (0.8 - r * 5.0 / 6)))
    }
    return (1 / (1 + r) - log1p(r) / r) / r
}

/// a·b with 0·inf = 0 (a factor that is exactly zero means the term is absent).
@inline(__always)
func ditacProduct(_ a: Double, _ b: Double) -> Double {
    a == 0 || b == 0 ? 0 : a * b
}
