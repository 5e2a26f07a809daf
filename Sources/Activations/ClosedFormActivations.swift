/// Closed-form catalog entries (ACTIVATIONS.md Decisions §1: relu … sqish).
enum ClosedFormActivations {
    static let descriptors: [ActivationDescriptor] = []
}
