// libFuzzer harness: the .npy reader (Codecs.NPY.decode) with a small element limit.
// Invariants: no crash or hang; shape matches the element count within the limit; a decoded
// tensor encoded again (NPY.encode, float32) decodes to the same bits and shape.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPY(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let limits = DecodingLimits(maxElements: 65_536, maxDepth: 8)
    let tensor: Tensor
    do {
        tensor = try NPY.decode(UnsafeRawBufferPointer(start: data, count: size), limits: limits)
    } catch {
        precondition(!error.message.isEmpty, "a codec error must explain itself")
        return 0
    }
    precondition(tensor.shape.allSatisfy { $0 >= 0 }, "negative dimension")
    precondition(tensor.shape.reduce(1, *) == tensor.values.count, "shape \(tensor.shape) does not match \(tensor.values.count) elements")
    precondition(tensor.values.count <= limits.maxElements, "element limit exceeded")
    let encoded = tensor.values.withUnsafeBufferPointer { NPY.encode($0, shape: tensor.shape) }
    let again: Tensor
    do {
        again = try NPY.decode(encoded, limits: limits)
    } catch {
        fatalError("an encoded tensor does not decode again: \(error)")
    }
    precondition(again.shape == tensor.shape, "round trip changed the shape")
    precondition(zip(again.values, tensor.values).allSatisfy { $0.bitPattern == $1.bitPattern }, "round trip changed values")
    return 0
}
