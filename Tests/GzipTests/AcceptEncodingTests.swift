import Gzip
import Testing

@Suite struct AcceptEncodingTests {
    static let all: [ContentCoding] = [.gzip, .deflate, .identity]

    @Test(
        arguments: [
            // (header, expected with all three offered)
            (nil, ContentCoding.identity),
            ("", .identity),
            ("   ", .identity),
            ("gzip", .gzip),
            ("GZIP", .gzip),
            ("x-gzip", .gzip),
            ("deflate", .deflate),
            ("identity", .identity),
            ("br", .identity),
            ("br, zstd", .identity),
            ("gzip, deflate", .gzip),
            ("deflate, gzip", .gzip),  // tie → gzip
            ("deflate, gzip;q=0.5", .deflate),
            ("gzip;q=0.2, deflate;q=0.8", .deflate),
            ("gzip;q=0.001", .gzip),  // listed beats the implicit identity fallback
            ("gzip;q=0", .identity),
            ("gzip;q=0, deflate;q=0", .identity),
            ("*", .gzip),
            ("*;q=0.5, gzip;q=0.1", .deflate),
            ("*;q=0", .identity),  // nothing acceptable → identity rather than 406
            ("identity;q=0, gzip;q=0.001", .gzip),
            ("identity;q=0", .identity),
            ("gzip;Q=0.7, identity;q=0.9", .identity),
            ("identity;q=1, gzip;q=1", .gzip),
            ("gzip ; q=1.0 , deflate", .gzip),
            ("gzip;q=1.001", .identity),  // invalid q → element ignored
            ("gzip;q=2", .identity),
            ("gzip;q=abc, deflate", .deflate),
            ("gzip;q=0.1234", .identity),  // more than three decimals → ignored
            ("gzip;level=1", .gzip),  // unknown parameter is ignored
            (",,gzip,,", .gzip),
            ("gz ip", .identity),  // not a token
            ("deflate;q=0.5, *;q=0.9", .gzip),
            ("deflate;q=0.5, *;q=0.9, identity;q=0.95", .identity),
        ] as [(String?, ContentCoding)]
    )
    func negotiation(header: String?, expected: ContentCoding) {
        #expect(AcceptEncoding(header: header).preferred(among: Self.all) == expected)
    }

    @Test func onlyOfferedCodingsAreChosen() {
        let header = AcceptEncoding(header: "gzip, deflate;q=0.5")
        #expect(header.preferred(among: [.deflate, .identity]) == .deflate)
        #expect(header.preferred(among: [.identity]) == .identity)
        #expect(header.preferred(among: []) == .identity)
        #expect(AcceptEncoding(header: "gzip").preferred(among: [.deflate]) == .identity)
    }

    @Test func weightsAreExposed() {
        let header = AcceptEncoding(header: "gzip;q=0.25, *;q=0.5")
        #expect(header.weight(of: .gzip) == 250)
        #expect(header.weight(of: .deflate) == 500)
        #expect(header.weight(of: .identity) == 500)
        #expect(header.entries.map(\.coding) == ["gzip", "*"])
        #expect(AcceptEncoding(header: nil).weight(of: .gzip) == 0)
        #expect(AcceptEncoding(header: nil).weight(of: .identity) == 1000)
        #expect(AcceptEncoding(header: "br").weight(of: .identity) == 1)  // last resort
        #expect(AcceptEncoding(header: "*;q=0").weight(of: .identity) == 0)
    }

    @Test func contentCodingTokens() {
        #expect(ContentCoding(token: " GZip ") == .gzip)
        #expect(ContentCoding(token: "x-gzip") == .gzip)
        #expect(ContentCoding(token: "Deflate") == .deflate)
        #expect(ContentCoding(token: "identity") == .identity)
        #expect(ContentCoding(token: "br") == nil)
        #expect(ContentCoding(token: "") == nil)
        #expect(ContentCoding.gzip.token == "gzip")
    }
}
