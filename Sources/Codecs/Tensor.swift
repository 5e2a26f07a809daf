/// A dense row-major float32 array with its shape (`[]` for a scalar, `[n]` for a flat array).
public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var values: [Float]

    public init(shape: [Int], values: [Float]) {
        self.shape = shape
        self.values = values
    }

    /// A flat tensor of shape `[values.count]`.
    public init(_ values: [Float]) {
        self.init(shape: [values.count], values: values)
    }

    public var count: Int { values.count }
}
