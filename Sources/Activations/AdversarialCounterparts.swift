/// Network-adversarial counterparts (docs/ACTIVATIONS.md §10), keyed by canonical catalog name.
///
/// Global counterparts (strictly increasing f): g(x) = f(0) + ∫₀ˣ dt/f′(t), so f′·g′ = 1.
/// Split counterparts (self-gated f = x·q): g(x) = x·q̃(x), q̃(x) = q(0) + ∫₀ˣ dt/q′(t),
/// g′ = q̃ + x/q′ — the element-wise form of the HD-FGD counterpart layer (see `GatePair`).
/// Every parameter of the base function is honoured.
enum AdversarialCounterparts {
    static let table: [String: AdversarialCounterpart] = {
        var t: [String: AdversarialCounterpart] = [:]
        for (name, formula, make) in globals {
            t[name] = AdversarialCounterpart(
                kind: .global,
                description: "Global adversarial counterpart of \(name): g(x) = f(0) + ∫₀ˣ dt/f′(t), so that "
                    + "f′(x)·g′(x) = 1 (steep where \(name) is flat); used alternately with \(name) in "
                    + "successive layers. At a kink g′ is the reciprocal of the kink value of f′. "
                    + "Grows exponentially or polynomially: values beyond float32 range are ±Infinity. "
                    + provenance,
                formula: formula,
                makeKernel: { p in GlobalCounterpartKernel(counterpart: make(p)) })
        }
        for (name, gate, formula) in splits {
            t[name] = AdversarialCounterpart(
                kind: .split,
                description: "Split (HD-FGD) adversarial counterpart of \(name): the self-gated function "
                    + "x·q(x) with gate q(x) = \(gate) is decomposed into the linear part x and the gate q, "
                    + "each fed by its own linear layer; the counterpart keeps the linear part (∫dt/1 = x) "
                    + "and replaces the gate by q̃(x) = q(0) + ∫₀ˣ dt/q′(t). Evaluated element-wise (both "
                    + "branches fed the same value) this is g(x) = x·q̃(x), g′(x) = q̃(x) + x/q′(x). "
                    + "Values beyond float32 range are ±Infinity. " + provenance,
                formula: formula,
                makeKernel: { p in
                    guard let gate = SplitGate.make(for: name, params: p) else {
                        return UndefinedCounterpartKernel()
                    }
                    return SplitCounterpartKernel(gate: gate)
                })
        }
        return t
    }()

    /// Why the remaining catalog entries have no counterpart (the 422 answer).
    static let unsupportedReasons: [String: String] = [
        "relu": "relu has no adversarial counterpart: its derivative is zero for x < 0, so 1/f′ does not "
            + "exist there and ∫dt/f′(t) diverges",
        "hardsigmoid": "hardsigmoid has no adversarial counterpart: its derivative is zero for |x| > 3, so 1/f′ "
            + "does not exist there and ∫dt/f′(t) diverges",
        "hardswish": "hardswish has no adversarial counterpart: its derivative is zero for x < −3 (and changes "
            + "sign at x = −1.5), so 1/f′ does not exist everywhere and ∫dt/f′(t) diverges",
        "ditac": "ditac has no adversarial counterpart: it is a trainable diffeomorphic warp of GELU and the "
            + "network-adversarial paper (arXiv 2405.03712) defines no counterpart for it",
    ]

    static let provenance =
        "Construction follows the literal reading of the abstract of Su, Zhu, Li, \"Your Network May Need to "
        + "Be Rewritten: Network Adversarial Based on High-Dimensional Function Graph Decomposition\" "
        + "(arXiv 2405.03712); the paper's body was not consulted."

    private typealias GlobalEntry = (
        name: String, formula: String, make: @Sendable (ResolvedParameters) -> GlobalCounterpart
    )

    private static let globals: [GlobalEntry] = [
        ("sigmoid", "g(x) = 1/2 + 2x + 2 sinh(x);  g'(x) = 2 + 2 cosh(x)", { _ in .sigmoid }),
        ("tanh", "g(x) = x/2 + sinh(2x)/4;  g'(x) = cosh²(x)", { _ in .tanh }),
        ("softsign", "g(x) = x + x|x| + x³/3;  g'(x) = (1 + |x|)²", { _ in .softsign }),
        (
            "softplus", "g(x) = ln2/β + x + (1 − e^{−βx})/β;  g'(x) = 1 + e^{−βx}",
            { p in .softplus(beta: p.number("beta")) }
        ),
        (
            "elu", "g(x) = x (x > 0), (1 − e^{−x})/α (x ≤ 0);  g'(x) = 1 (x > 0), e^{−x}/α (x ≤ 0)",
            { p in .elu(alpha: p.number("alpha"), positiveScale: 1) }
        ),
        (
            "selu",
            "g(x) = x/λ (x > 0), (1 − e^{−x})/(λα) (x ≤ 0);  g'(x) = 1/λ (x > 0), e^{−x}/(λα) (x ≤ 0);  "
                + "λ = 1.0507009873554805, α = 1.6732632423543772",
            { _ in
                .elu(
                    alpha: AdversarialMath.seluLambda * AdversarialMath.seluAlpha,
                    positiveScale: 1 / AdversarialMath.seluLambda)
            }
        ),
        (
            "celu", "g(x) = x (x ≥ 0), α(1 − e^{−x/α}) (x < 0);  g'(x) = 1 (x ≥ 0), e^{−x/α} (x < 0)",
            { p in .celu(alpha: p.number("alpha")) }
        ),
        (
            "leaky_relu", "g(x) = x (x > 0), x/s (x ≤ 0);  g'(x) = 1 (x > 0), 1/s (x ≤ 0);  s = negative_slope",
            { p in .leaky(slope: p.number("negative_slope")) }
        ),
        (
            "prelu", "g(x) = x (x > 0), x/w (x ≤ 0);  g'(x) = 1 (x > 0), 1/w (x ≤ 0);  w = weight",
            { p in .leaky(slope: p.number("weight")) }
        ),
    ]

    private static let splitFormula =
        "g(x) = x·q̃(x),  q̃(x) = q(0) + ∫₀ˣ dt/q'(t);  g'(x) = q̃(x) + x/q'(x)"
    private static let numeric =
        " — no elementary closed form: ∫₀ˣ dt/q'(t) by Gauss–Legendre quadrature in Double, tabulated "
        + "(step 1/64) and cubic-Hermite interpolated"

    private static let splits: [(name: String, gate: String, formula: String)] = [
        (
            "silu", "σ(βx)",
            splitFormula + ";  q = σ(βx),  q̃(x) = 1/2 + (2x + 2 sinh(βx)/β)/β,  1/q' = (2 + 2 cosh(βx))/β"
        ),
        (
            "gelu",
            "Φ(x) (approximate = none), σ(2k(x + 0.044715x³)) with k = √(2/π) (tanh) or σ(1.702x) (sigmoid)",
            splitFormula + ";  none: q = Φ, q̃(x) = 1/2 + π·erfi(x/√2)" + numeric
                + ";  tanh: q = σ(2k(x + 0.044715x³))" + numeric
                + ";  sigmoid: q = σ(1.702x), q̃ as silu with β = 1.702"
        ),
        (
            "golu", "α·exp(−β·e^{−γx})",
            splitFormula + ";  q = α·exp(−β e^{−γx}) (involves the exponential integral)" + numeric
        ),
        ("mish", "tanh(softplus(x))", splitFormula + ";  q = tanh(softplus(x))" + numeric),
        (
            "sqish", "α + (1 − α)(1 + β·e^{−2γ(1−α)x})^{−1/2}",
            splitFormula + ";  q = α + (1 − α)(1 + β e^{−2γ(1−α)x})^{−1/2}" + numeric
        ),
    ]
}
