/// DiTAC (ACTIVATIONS.md §5).
enum DiTACActivation {
    static let descriptors: [ActivationDescriptor] = []
}
