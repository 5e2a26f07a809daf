import Synchronization

/// Readiness of the process: starting → ready → draining.
public final class Readiness: Sendable {
    public enum State: Int { case starting = 0, ready = 1, draining = 2 }
    private let raw = Atomic<Int>(0)
    public init() {}
    public var state: State { State(rawValue: raw.load(ordering: .acquiring)) ?? .starting }
    public func set(_ s: State) { raw.store(s.rawValue, ordering: .releasing) }
}
