/// Open Inference Protocol binary tensor data extension helpers (Triton/KServe): a body is
/// a JSON header of `Inference-Header-Content-Length` bytes followed by the raw tensors,
/// little-endian, row-major, no padding.
public enum BinaryTensorData {
    /// Splits a request body into its JSON header (`Inference-Header-Content-Length` bytes) and
    /// the binary tail. `headerLength` must lie in `0...body.count` (`.badHeader`).
    public static func split(_ body: UnsafeRawBufferPointer, headerLength: Int) throws(CodecError) -> (header: UnsafeRawBufferPointer, tail: UnsafeRawBufferPointer) {
        guard headerLength >= 0 && headerLength <= body.count else {
            throw CodecError(.badHeader, "Inference-Header-Content-Length \(headerLength) is outside 0...\(body.count) (the body length)")
        }
        return (UnsafeRawBufferPointer(rebasing: body[0..<headerLength]),
                UnsafeRawBufferPointer(rebasing: body[headerLength...]))
    }

    /// Decodes `count` elements of datatype "FP32" | "FP64" | "FP16" (little-endian) to float32.
    /// `bytes` must hold exactly `count` elements (`.badLength`); other datatypes are
    /// `.unsupportedDType`. FP64 values beyond the float32 range become ±infinity.
    public static func decode(_ bytes: UnsafeRawBufferPointer, datatype: String, count: Int) throws(CodecError) -> [Float] {
        let type: FloatElementType
        switch datatype {
        case "FP32": type = .float32
        case "FP64": type = .float64
        case "FP16": type = .float16
        default:
            throw CodecError(.unsupportedDType, "datatype \"\(datatype)\" is not supported (use FP32, FP64 or FP16)")
        }
        let (expected, overflow) = count.multipliedReportingOverflow(by: type.size)
        guard count >= 0 && !overflow && expected == bytes.count else {
            throw CodecError(.badLength, "binary \(datatype) data of \(bytes.count) bytes does not hold \(count) elements (\(type.size) bytes each)")
        }
        return ElementConversion.floats(from: bytes, type: type, bigEndian: false, count: count)
    }
}
