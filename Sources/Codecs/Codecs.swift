// API the codecs helper implements (stubs until then).

public enum JSONParser {
    /// Parses a whole JSON document (trailing white space allowed, anything else → `.trailingData`).
    public static func parse(_ bytes: UnsafeRawBufferPointer, limits: DecodingLimits = .init()) throws(CodecError) -> JSONValue {
        throw CodecError(.syntax, "JSON parser not implemented yet")
    }

    public static func parse(_ bytes: [UInt8], limits: DecodingLimits = .init()) throws(CodecError) -> JSONValue {
        try bytes.withUnsafeBytes { b in Result { () throws(CodecError) in try parse(b, limits: limits) } }.get()
    }
}

/// Appends JSON text to a byte buffer. Floats are printed shortest-round-trip; non-finite
/// floats as the strings "NaN", "Infinity", "-Infinity".
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    public init(reservingCapacity n: Int = 256) { bytes.reserveCapacity(n) }
    public mutating func write(_ value: JSONValue) {}
    public mutating func writeRaw(_ s: String) { bytes.append(contentsOf: s.utf8) }
    public mutating func writeString(_ s: String) {}
    public mutating func writeNumber(_ v: Double) {}
    public mutating func writeFloat(_ v: Float) {}
    /// Writes `values` as nested arrays following `shape` (flat when shape has one dimension).
    public mutating func writeTensor(_ values: UnsafeBufferPointer<Float>, shape: [Int]) {}
    /// Writes `values` as one flat array.
    public mutating func writeFlatArray(_ values: UnsafeBufferPointer<Float>) {}
}

public enum NPY {
    /// Decodes a .npy file (format 1.0/2.0/3.0; dtype <f4, <f8, <f2 (also big-endian), C order).
    public static func decode(_ bytes: UnsafeRawBufferPointer, limits: DecodingLimits = .init()) throws(CodecError) -> Tensor {
        throw CodecError(.badHeader, "npy not implemented yet")
    }
    /// Encodes a float32 tensor as a .npy file (format 1.0, '<f4', C order).
    public static func encode(_ values: UnsafeBufferPointer<Float>, shape: [Int]) -> [UInt8] { [] }
    /// Just the header of a v1.0 '<f4' C-order file of `shape` (length a multiple of 64), so
    /// callers can append the data area themselves and write values in place.
    public static func header(shape: [Int]) -> [UInt8] { [] }
}

public enum RawFloat32 {
    /// Little-endian float32 values; length must be a multiple of 4.
    public static func decode(_ bytes: UnsafeRawBufferPointer, limits: DecodingLimits = .init()) throws(CodecError) -> [Float] {
        throw CodecError(.badLength, "not implemented yet")
    }
    public static func encode(_ values: UnsafeBufferPointer<Float>) -> [UInt8] { [] }
}

/// Open Inference Protocol binary tensor data extension helpers.
public enum BinaryTensorData {
    /// Splits a request body into its JSON header (`Inference-Header-Content-Length` bytes) and
    /// the binary tail.
    public static func split(_ body: UnsafeRawBufferPointer, headerLength: Int) throws(CodecError) -> (header: UnsafeRawBufferPointer, tail: UnsafeRawBufferPointer) {
        throw CodecError(.badHeader, "not implemented yet")
    }
    /// Decodes `count` elements of datatype "FP32" | "FP64" | "FP16" (little-endian) to float32.
    public static func decode(_ bytes: UnsafeRawBufferPointer, datatype: String, count: Int) throws(CodecError) -> [Float] {
        throw CodecError(.unsupportedDType, "not implemented yet")
    }
}
