// libFuzzer harness: gzip / zlib / raw-deflate inflation with its output cap (Gzip.decompress).
// Input layout: byte 0 picks the coding and cap; the rest is the compressed body.
// Invariants: no crash, hang or leak; the output never passes the cap; a failure is a typed
// GzipError; output that fits the cap compresses and inflates back to itself.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGzip(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let selector = Int(data[0])
    let coding: ContentCoding = [.gzip, .deflate, .identity][selector % 3]
    let caps = [0, 1, 64, 4096, 1 << 20]
    let cap = caps[(selector / 3) % caps.count]
    let body = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    let output: [UInt8]
    do {
        output = try Gzip.decompress(body, coding: coding, maxOutputBytes: cap)
    } catch {
        precondition(error.code == .outputTooLarge || error.code == .corruptData, "unexpected error \(error)")
        return 0
    }
    precondition(output.count <= cap, "inflated \(output.count) bytes past the cap \(cap)")
    if coding == .identity { precondition(output.elementsEqual(body), "identity changed the body") }
    guard let packed = try? Gzip.compress(output, coding: coding, level: 1 + selector % 9) else {
        fatalError("compressing inflated output failed")
    }
    guard let back = try? Gzip.decompress(packed, coding: coding, maxOutputBytes: cap) else {
        fatalError("our own \(coding) stream of \(output.count) bytes does not inflate within the cap \(cap)")
    }
    precondition(back == output, "compress/decompress round trip changed the data")
    return 0
}
