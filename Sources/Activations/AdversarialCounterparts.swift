/// Network-adversarial counterparts (ACTIVATIONS.md §6).
enum AdversarialCounterparts {
    static let table: [String: AdversarialCounterpart] = [:]
    static let unsupportedReasons: [String: String] = [:]
}
