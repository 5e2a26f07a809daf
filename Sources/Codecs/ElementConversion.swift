/// Floating-point element types that binary payloads may carry.
enum FloatElementType: Sendable {
    case float16, float32, float64

    var size: Int {
        switch self {
        case .float16: 2
        case .float32: 4
        case .float64: 8
        }
    }
}

enum ElementConversion {
    /// Converts `count` packed elements (little- or big-endian) to float32. The caller has
    /// checked `bytes.count == count * type.size`. Float64 values outside the float32 range
    /// become ±infinity, as NumPy's `astype(float32)` does.
    static func floats(from bytes: UnsafeRawBufferPointer, type: FloatElementType, bigEndian: Bool, count: Int) -> [Float] {
        guard count > 0, let src = bytes.baseAddress else { return [] }
        let hostIsBigEndian = 1.bigEndian == 1
        let swap = bigEndian != hostIsBigEndian  // the data's byte order differs from the host's
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            let dst = out.baseAddress!  // capacity count > 0
            switch type {
            case .float32:
                // One memcpy; the byte swap (if any) in place afterwards.
                UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: count * 4)
                if swap {
                    for i in 0..<count { dst[i] = Float(bitPattern: dst[i].bitPattern.byteSwapped) }
                }
            case .float64:
                for i in 0..<count {
                    var bits = src.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
                    if swap { bits = bits.byteSwapped }
                    dst[i] = Float(Double(bitPattern: bits))
                }
            case .float16:
                for i in 0..<count {
                    var bits = src.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)
                    if swap { bits = bits.byteSwapped }
                    dst[i] = Float(Float16(bitPattern: bits))
                }
            }
            initialized = count
        }
    }

    /// Little-endian float32 bytes of `values`.
    static func littleEndianBytes(_ values: UnsafeBufferPointer<Float>, into bytes: inout [UInt8]) {
        guard let src = values.baseAddress, !values.isEmpty else { return }
        #if _endian(little)
        bytes.append(contentsOf: UnsafeRawBufferPointer(start: src, count: values.count * 4))
        #else
        bytes.reserveCapacity(bytes.count + values.count * 4)
        for v in values {
            withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
        #endif
    }
}
