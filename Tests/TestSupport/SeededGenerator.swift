import MLP

/// The tests' seeded random generator: MLP's SplitMix64 stream, so every random test reproduces
/// from its seed, plus the samplers the suites share.
package struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var base: SplitMix64

    package init(seed: UInt64) { base = SplitMix64(seed: seed) }

    package mutating func next() -> UInt64 { base.next() }

    /// Uniform in [lo, hi) with 53 random bits.
    package mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * Double(next() >> 11) * 0x1p-53
    }

    /// `count` finite float32 values from uniformly random bit patterns (inf/NaN patterns skipped).
    package mutating func finiteFloats(_ count: Int) -> [Float] {
        var values: [Float] = []
        values.reserveCapacity(count)
        while values.count < count {
            let v = Float(bitPattern: UInt32(truncatingIfNeeded: next()))
            if v.isFinite { values.append(v) }
        }
        return values
    }
}
