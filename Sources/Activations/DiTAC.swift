/// DiTAC (docs/ACTIVATIONS.md §9 DiTAC, §3 Decisions item 6): the published `gelu_cpab` variant,
/// T(x)·Φ(x) on [a, b] with T the time-1 flow of a zero-boundary CPA velocity field, x·Φ(x) outside.
enum DiTACActivation {
    /// Largest accepted `lut` (lattice points).
    static let maximumTableSize = 1 << 20
    /// Smallest non-zero `lut` (docs/ACTIVATIONS.md §9.7 Lookup table: N ≥ 16).
    static let minimumTableSize = 16

    static let descriptors: [ActivationDescriptor] = [
        ActivationDescriptor(
            name: "ditac",
            description: """
                DiTAC (Chelly et al., ECCV 2024), the published gelu_cpab variant (the only one offered): \
                x̃·Φ(x) with x̃ = T(x) on [a, b] and x̃ = x outside, Φ the standard normal CDF of the \
                untransformed x. T(x) = a + (b − a)·T01((x − a)/(b − a)), where T01 is the time-1 flow of a \
                continuous piecewise-affine velocity field on the normalised interval [0, 1] with zero \
                boundary (v(0) = v(1) = 0). The field is given by its interior vertex velocities \
                `velocities` = [w_1 … w_{n−1}] at u = i/n; the number of cells n is velocities.count + 1 \
                (slope of cell c: n·(w_{c+1} − w_c)). T01 is an increasing diffeomorphism of [0, 1]; with \
                all velocities zero DiTAC is exactly GELU. Evaluation is exact (closed-form integration cell \
                by cell in double precision) when lut = 0. lut = N ≥ 16 evaluates through an N-point lattice \
                (nearest point, straight-through gradients) built in double precision as the paper does for \
                speed; its error in x̃ is at most (b − a)·0.5/(N − 1)·max T01′ with \
                max T01′ ≤ e^{max |slope|} \
                (e.g. N = 2048, [a, b] = [−0.5, 2], zero field: 6.1e-4). Only `velocities` is trainable; the \
                training prior on them is the paper's smoothness prior (λ_smooth 5, λ_var 2, weight 0.1).
                """,
            formula: """
                f(x) = T(x)·Φ(x) for a ≤ x ≤ b, x·Φ(x) otherwise; \
                f′(x) = T′(x)·Φ(x) + x̃·φ(x) with T′ = v(T01(u))/v(u) = e^{∫ v′}; \
                ∂f/∂w_i = (b − a)·Φ(x)·∂T01/∂w_i (closed form) inside [a, b], 0 outside
                """,
            parameters: [
                ParameterSpec(
                    name: "a", defaultValue: .number(-0.5),
                    description: "left end of the transformed interval [a, b] (inclusive)"),
                ParameterSpec(
                    name: "b", defaultValue: .number(2),
                    description: "right end of the transformed interval [a, b] (inclusive); must exceed a"),
                ParameterSpec(
                    name: "velocities", kind: .numbers, defaultValue: .numbers(Array(repeating: 0, count: 9)),
                    trainable: true,
                    description: """
                        interior vertex velocities w_1 … w_{n−1} of the zero-boundary CPA field on [0, 1] \
                        (n = count + 1 cells); all zero = GELU
                        """),
                ParameterSpec(
                    name: "lut", kind: .integer, defaultValue: .number(0), minimum: 0,
                    maximum: Double(maximumTableSize),
                    description: """
                        0 = exact evaluation; N ≥ 16 = N-point lookup table \
                        (error ≤ (b − a)·0.5/(N − 1)·max T01′)
                        """),
            ],
            references: [
                Reference(
                    title: "Chelly, Finder, Ifergane, Freifeld: Trainable Highly-expressive Activation Functions "
                        + "(ECCV 2024)",
                    url: "https://arxiv.org/abs/2407.07564"),
                Reference(title: "BGU-CS-VIL/DiTAC (official code)", url: "https://github.com/BGU-CS-VIL/DiTAC"),
                Reference(
                    title: "Martinez et al.: Closed-form diffeomorphic transformations for time series alignment "
                        + "(ICML 2022)",
                    url: "https://github.com/imartinezl/difw"),
            ],
            validate: validate,
            makeKernel: { p in
                DiTACKernel(
                    lower: p.number("a"), upper: p.number("b"), velocities: p.numbers("velocities"),
                    lut: Int(p.number("lut")))
            }
        )
    ]

    /// Cross-field checks (the catalog has already checked kinds, finiteness and ranges).
    @Sendable static func validate(_ p: ResolvedParameters) throws(ActivationError) {
        let a = p.number("a")
        let b = p.number("b")
        guard a < b else {
            throw ActivationError(
                .invalidParameter, parameter: "b", "parameter 'b' of ditac must be greater than a (a = \(a), b = \(b))")
        }
        guard (b - a).isFinite else {
            throw ActivationError(
                .invalidParameter, parameter: "b",
                "parameter 'b' of ditac: the width b − a must be finite (a = \(a), b = \(b))")
        }
        let lut = p.number("lut")
        if lut != 0 && lut < Double(minimumTableSize) {
            throw ActivationError(
                .invalidParameter, parameter: "lut",
                "parameter 'lut' of ditac must be 0 (exact) or at least \(minimumTableSize) lattice points, "
                    + "got \(Int(lut))")
        }
    }
}
