/// Raw little-endian float32 payloads (`application/octet-stream`).
public enum RawFloat32 {
    /// Little-endian float32 values; length must be a multiple of 4 (`.badLength`), and at
    /// most `limits.maxElements` values (`.tooManyElements`).
    public static func decode(_ bytes: UnsafeRawBufferPointer, limits: DecodingLimits = .init()) throws(CodecError) -> [Float] {
        guard bytes.count % 4 == 0 else {
            throw CodecError(.badLength, "raw float32 body of \(bytes.count) bytes is not a multiple of 4", offset: bytes.count)
        }
        let count = bytes.count / 4
        guard count <= limits.maxElements else {
            throw CodecError(.tooManyElements, "raw float32 body holds \(count) values, more than the limit of \(limits.maxElements)")
        }
        return ElementConversion.floats(from: bytes, type: .float32, bigEndian: false, count: count)
    }

    /// The values as little-endian float32 bytes.
    public static func encode(_ values: UnsafeBufferPointer<Float>) -> [UInt8] {
        var out = [UInt8]()
        ElementConversion.littleEndianBytes(values, into: &out)
        return out
    }
}
