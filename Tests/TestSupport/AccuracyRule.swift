/// The accuracy rule of docs/ACTIVATIONS.md ("Accuracy"), the one every suite applies to a float32
/// output `y` against a high-precision reference `r` (nil: no single-valued derivative, anything
/// goes):
///
/// - NaN must come out as NaN, and nothing else may;
/// - a reference that rounds to ±infinity in float32 (|r| ≥ 2¹²⁸ − 2¹⁰³, the round-to-nearest
///   overflow threshold) must come out as the same-signed infinity; an infinity is also accepted
///   where the largest float is itself within the tolerance of r (an in-tolerance result may
///   round up to overflow);
/// - a reference below the smallest normal float, ±0 included, may come out as a zero of either
///   sign (such values come from products that underflow, where a kernel's sign of zero carries no
///   information; flush-to-zero is allowed);
/// - otherwise |y − r| ≤ 2e−6·|r| + 1e−7 (relative, with an absolute floor near zero).
package func meetsAccuracyRule(_ y: Float, reference r: Double?) -> Bool {
    guard let r else { return true }
    if r.isNaN || y.isNaN { return r.isNaN && y.isNaN }
    if abs(r) >= AccuracyRule.overflowThreshold { return y.isInfinite && (y > 0) == (r > 0) }
    if y.isInfinite {
        return (y > 0) == (r > 0) && Double(Float.greatestFiniteMagnitude) <= abs(r) * (1 + AccuracyRule.relative)
    }
    if abs(r) < Double(Float.leastNormalMagnitude) && y == 0 { return true }
    return abs(Double(y) - r) <= AccuracyRule.relative * abs(r) + AccuracyRule.absolute
}

/// The rule for a value read back from JSON (a float32 printed by the service, or a non-finite
/// string decoded to ±inf/NaN).
package func meetsAccuracyRule(_ y: Double, reference r: Double?) -> Bool {
    meetsAccuracyRule(Float(y), reference: r)
}

/// The constants of the accuracy rule.
package enum AccuracyRule {
    /// Relative tolerance.
    package static let relative = 2e-6
    /// Absolute floor near zero.
    package static let absolute = 1e-7
    /// The smallest |r| whose float32 rounding (to nearest, ties to even) is ±infinity.
    package static let overflowThreshold = 0x1p128 - 0x1p103
}
