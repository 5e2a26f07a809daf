import Foundation
@testable import Gzip
import TestSupport
import Testing

/// The Swift Huffman-only encoder behind `CompressionStrategy.huffmanOnly`: its output must
/// be valid DEFLATE/gzip/zlib for any input, read back by zlib and by GNU gzip's own inflater.
@Suite struct HuffmanDeflateTests {
    /// Bytes whose counts follow the Fibonacci numbers: the optimal Huffman code is 21 bits
    /// deep, so the 15-bit limit has to act.
    static let fibonacciBytes: [UInt8] = {
        var out: [UInt8] = []
        var (a, b) = (1, 1)
        for symbol in 0..<22 {
            out += [UInt8](repeating: UInt8(symbol * 11), count: a)
            (a, b) = (b, a + b)
        }
        var rng = SeededGenerator(seed: 0xDEF1A7E)
        out.shuffle(using: &rng)
        return out
    }()

    static let floatText: [UInt8] = {
        var state: UInt64 = 42
        var parts: [String] = []
        for _ in 0..<60_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            parts.append("\(Float(Int64(bitPattern: state) >> 40) / 1_000_000)")
        }
        return Array(("{\"y\":[" + parts.joined(separator: ",") + "]}").utf8)
    }()

    static let inputs: [(String, [UInt8])] = [
        ("empty", []),
        ("one byte", [0x41]),
        ("two bytes", [0x00, 0xFF]),
        ("all one byte", [UInt8](repeating: 0x37, count: 200_000)),
        ("two values", (0..<100_000).map { UInt8($0 % 3 == 0 ? 1 : 2) }),
        ("random 1 MiB", randomBytes(1 << 20, seed: 3)),
        ("random 100 bytes", randomBytes(100, seed: 4)),
        ("JSON floats", floatText),
        ("Fibonacci counts", fibonacciBytes),
        ("block - 1", Array(floatText.prefix(65_534))),
        ("one block", Array(floatText.prefix(65_535))),
        ("block + 1", Array(floatText.prefix(65_536))),
        ("two blocks", Array(floatText.prefix(131_070))),
        ("two blocks + 1", Array(floatText.prefix(131_071))),
        ("text then random", Array(floatText.prefix(100_000)) + randomBytes(100_000, seed: 5)),
    ]

    @Test(arguments: [ContentCoding.gzip, .deflate])
    func roundTripsThroughZlib(coding: ContentCoding) throws {
        for (name, input) in Self.inputs {
            let packed = try Gzip.compress(input, coding: coding, strategy: .huffmanOnly)
            #expect(try Gzip.decompress(packed, coding: coding, maxOutputBytes: input.count) == input, "\(name)")
            // Never more than the stored size: 5 bytes per 64 KiB block plus the frame.
            let blocks = max(1, (input.count + 65_534) / 65_535)
            #expect(packed.count <= input.count + 5 * blocks + 18, "\(name): \(packed.count) bytes")
        }
    }

    @Test func gnuGzipReadsEveryInput() throws {
        for (name, input) in Self.inputs {
            let packed = try Gzip.compress(input, coding: .gzip, strategy: .huffmanOnly)
            #expect(try runGzipTool(["-dc"], input: packed) == input, "\(name)")
        }
    }

    @Test func rawDeflateRoundTrips() throws {
        for (name, input) in Self.inputs {
            let packed = input.withUnsafeBytes { HuffmanDeflate.compress($0, framing: .raw) }
            #expect(try Gzip.decompress(packed, coding: .deflate, maxOutputBytes: input.count) == input, "\(name)")
        }
    }

    @Test func frameHeadersAndTrailers() throws {
        let input = Array("hello, hello, hello".utf8)
        let gz = try Gzip.compress(input, coding: .gzip, strategy: .huffmanOnly)
        #expect(Array(gz.prefix(10)) == [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 4, 3])
        #expect(Array(gz.suffix(4)) == [UInt8(input.count), 0, 0, 0])  // ISIZE
        let z = try Gzip.compress(input, coding: .deflate, strategy: .huffmanOnly)
        #expect(Array(z.prefix(2)) == [0x78, 0x01])
    }

    /// As small as zlib's Huffman-only output on JSON float text (within 1%), and smaller
    /// than level 1's.
    @Test func ratioMatchesZlibHuffmanOnly() throws {
        let ours = try Gzip.compress(Self.floatText, coding: .gzip, strategy: .huffmanOnly).count
        let zlibHuffman = try Gzip.compress(Self.floatText, coding: .gzip, strategy: .zlibHuffmanOnly).count
        let levelOne = try Gzip.compress(Self.floatText, coding: .gzip, level: 1).count
        #expect(Double(ours) <= Double(zlibHuffman) * 1.01, "ours \(ours), zlib \(zlibHuffman)")
        #expect(ours < levelOne)
        #expect(ours * 2 < Self.floatText.count)
    }

    /// Code lengths form a complete prefix code (Kraft sum exactly 1) within the limit.
    @Test func codeLengthsAreCompleteAndLimited() {
        var rng = SeededGenerator(seed: 0xDEF1A7E)
        var cases: [[UInt32]] = [
            [UInt32](repeating: 0, count: 257),
            [5] + [UInt32](repeating: 0, count: 256),
            (0..<257).map { UInt32($0 < 40 ? 1 << min($0, 31) : 0) },  // powers of two: very deep
            (0..<257).map { _ in UInt32.random(in: 0...1000, using: &rng) },
            (0..<19).map { _ in UInt32.random(in: 0...3, using: &rng) },
        ]
        var (a, b): (UInt32, UInt32) = (1, 1)
        cases.append((0..<257).map { i in
            guard i < 30 else { return 0 }
            defer { (a, b) = (b, a &+ b) }
            return a
        })
        for frequencies in cases {
            for limit in [7, 15] where limit == 15 || frequencies.count <= 19 {
                let lengths = CodeBuilder.codeLengths(frequencies, limit: limit)
                #expect(lengths.allSatisfy { $0 <= limit })
                #expect(zip(frequencies, lengths).allSatisfy { $0.0 == 0 || $0.1 > 0 })
                let kraft = lengths.reduce(0.0) { $1 == 0 ? $0 : $0 + 1 / Double(1 << Int($1)) }
                #expect(kraft == 1, "\(frequencies.prefix(8))…: Kraft sum \(kraft)")
            }
        }
    }
}
