// libFuzzer harness: Open Inference Protocol binary tensor framing (Codecs.BinaryTensorData)
// the way the infer route uses it: split the body at Inference-Header-Content-Length, parse
// the JSON header, decode the tail as FP32/FP64/FP16 (or an unsupported datatype).
//
// Input layout: byte 0 picks the datatype, bytes 1–2 the header length (little-endian,
// may exceed the body), byte 3 how the element count is chosen; the rest is the body.

private let datatypes = ["FP32", "FP64", "FP16", "INT8", "BYTES", "fp32", ""]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOIP(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 4 else { return 0 }
    let datatype = datatypes[Int(data[0]) % datatypes.count]
    let headerLength = Int(data[1]) | Int(data[2]) << 8
    let countMode = data[3]
    let body = UnsafeRawBufferPointer(start: data + 4, count: size - 4)
    let parts: (header: UnsafeRawBufferPointer, tail: UnsafeRawBufferPointer)
    do {
        parts = try BinaryTensorData.split(body, headerLength: headerLength)
    } catch {
        precondition(headerLength > body.count, "split refused a valid header length: \(error)")
        return 0
    }
    precondition(parts.header.count == headerLength && parts.header.count + parts.tail.count == body.count, "split lost bytes")
    _ = try? JSONParser.parse(parts.header, limits: DecodingLimits(maxElements: 1024, maxDepth: 8))
    let width = datatype == "FP64" ? 8 : datatype == "FP16" ? 2 : 4
    // Mostly the count the tail holds; sometimes a wrong, negative or overflowing one.
    let count: Int
    switch countMode % 6 {
    case 0: count = parts.tail.count / width + 1
    case 1: count = -Int(countMode)
    case 2: count = Int.max / 2 + Int(countMode)
    default: count = parts.tail.count / width
    }
    do {
        let values = try BinaryTensorData.decode(parts.tail, datatype: datatype, count: count)
        precondition(values.count == count && count * width == parts.tail.count, "decoded \(values.count) of \(count) elements")
        if datatype == "FP32" {
            for (i, v) in values.enumerated() {
                let raw = parts.tail.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)
                precondition(v.bitPattern == UInt32(littleEndian: raw), "FP32 element \(i) changed")
            }
        }
    } catch {
        precondition(!error.message.isEmpty, "a codec error must explain itself")
    }
    return 0
}
