// libFuzzer harness: the Accept-Encoding parser and negotiation (Gzip.AcceptEncoding).
// Invariants: no crash or hang; weights lie in 0...1000; the preferred coding is one that was
// offered (or identity) and acceptable; identity alone is always answered with identity.

private let offers: [[ContentCoding]] = [[.gzip, .deflate, .identity], [.gzip, .identity], [.deflate], [.identity], []]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAcceptEncoding(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let header = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let parsed = AcceptEncoding(header: header)
    precondition(parsed.isPresent, "a given header must count as present")
    for entry in parsed.entries {
        precondition((0...1000).contains(entry.weight), "weight \(entry.weight) out of range")
        precondition(!entry.coding.isEmpty && entry.coding == entry.coding.lowercased(), "coding not normalised")
    }
    for coding in [ContentCoding.gzip, .deflate, .identity] {
        precondition((0...1000).contains(parsed.weight(of: coding)), "weight of \(coding) out of range")
    }
    for offered in offers {
        let choice = parsed.preferred(among: offered)
        precondition(choice == .identity || (offered.contains(choice) && parsed.weight(of: choice) > 0),
                     "chose \(choice) from \(offered) for '\(header)'")
    }
    precondition(AcceptEncoding(header: nil).preferred(among: [.gzip, .identity]) == .identity, "no header must mean identity")
    return 0
}
