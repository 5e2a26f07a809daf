import Foundation
import Gzip
import Testing

/// Deterministic pseudo-random bytes (SplitMix64), so failures reproduce.
func randomBytes(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
    var state = seed
    var out = [UInt8]()
    out.reserveCapacity(count)
    while out.count < count {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        withUnsafeBytes(of: z) { out.append(contentsOf: $0.prefix(count - out.count)) }
    }
    return out
}

let compressible: [UInt8] = Array(
    String(repeating: "{\"values\":[0.5,1.25,-3.0,4.75],\"activation\":\"relu\"}\n", count: 2000).utf8
)

/// Runs the system `gzip` on `input` with `arguments`, returning stdout.
func runGzipTool(_ arguments: [String], input: [UInt8]) throws -> [UInt8] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["gzip"] + arguments
    let stdin = Pipe()
    let stdout = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    try process.run()
    let writer = Thread {
        stdin.fileHandleForWriting.write(Data(input))
        try? stdin.fileHandleForWriting.close()
    }
    writer.start()
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    return [UInt8](output)
}

@Suite struct GzipRoundTripTests {
    static let inputs: [(String, [UInt8])] = [
        ("empty", []),
        ("one byte", [0x41]),
        ("1 MiB random", randomBytes(1 << 20)),
        ("compressible", compressible),
    ]

    @Test(arguments: [ContentCoding.gzip, .deflate, .identity], [0, 1, 6, 9])
    func roundTrip(coding: ContentCoding, level: Int) throws {
        for (name, input) in Self.inputs {
            let packed = try Gzip.compress(input, coding: coding, level: level)
            let unpacked = try Gzip.decompress(packed, coding: coding, maxOutputBytes: input.count)
            #expect(unpacked == input, "\(name) at level \(level)")
        }
    }

    @Test(arguments: [ContentCoding.gzip, .deflate])
    func huffmanOnlyRoundTripsAndReadsWithSystemGzip(coding: ContentCoding) throws {
        let floats = Array((0..<20_000).map { i in "\(Float(i) * 0.37 - 11.1)" }.joined(separator: ",").utf8)
        for (name, input) in Self.inputs + [("float text", floats)] {
            let packed = try Gzip.compress(input, coding: coding, level: 1, strategy: .huffmanOnly)
            #expect(try Gzip.decompress(packed, coding: coding, maxOutputBytes: input.count) == input, "\(name)")
        }
        let packed = try Gzip.compress(floats, coding: .gzip, level: 1, strategy: .huffmanOnly)
        #expect(packed.count * 2 < floats.count)  // digits: ~3.5 bits per byte
        if coding == .gzip { #expect(try runGzipTool(["-dc"], input: packed) == floats) }
    }

    @Test func compressibleDataShrinks() throws {
        let packed = try Gzip.compress(compressible, coding: .gzip, level: 1)
        #expect(packed.count * 20 < compressible.count)
        #expect(packed.starts(with: [0x1F, 0x8B]))  // gzip magic
        let zlib = try Gzip.compress(compressible, coding: .deflate)
        #expect(zlib[0] & 0x0F == 8 && (Int(zlib[0]) * 256 + Int(zlib[1])) % 31 == 0)  // zlib header
    }

    @Test func unsafeBufferOverloadsMatchArrayOverloads() throws {
        let input = randomBytes(10_000, seed: 7)
        let viaPointer = try input.withUnsafeBytes { try Gzip.compress($0, coding: .gzip, level: 6) }
        #expect(viaPointer == (try Gzip.compress(input, coding: .gzip, level: 6)))
        let back = try viaPointer.withUnsafeBytes {
            try Gzip.decompress($0, coding: .gzip, maxOutputBytes: 10_000)
        }
        #expect(back == input)
    }

    @Test func invalidLevelIsRejected() {
        #expect { try Gzip.compress([1, 2, 3], coding: .gzip, level: 10) } throws: {
            ($0 as? GzipError)?.code == .invalidArgument
        }
        #expect { try Gzip.compress([1, 2, 3], coding: .gzip, level: -1) } throws: {
            ($0 as? GzipError)?.code == .invalidArgument
        }
    }
}

@Suite struct GzipInteropTests {
    @Test func decodesSystemGzipOutput() throws {
        let input = compressible + randomBytes(5000, seed: 3)
        let fixture = try runGzipTool(["-c", "-9"], input: input)
        #expect(try Gzip.decompress(fixture, coding: .gzip, maxOutputBytes: input.count) == input)
    }

    @Test func systemGzipDecodesOurOutput() throws {
        let input = compressible
        let packed = try Gzip.compress(input, coding: .gzip)
        #expect(try runGzipTool(["-d", "-c"], input: packed) == input)
    }

    @Test func multiMemberGzipIsConcatenated() throws {
        let a = Array("first member\n".utf8)
        let b = Array("second member\n".utf8)
        let joined =
            try Gzip.compress(a, coding: .gzip) + Gzip.compress([], coding: .gzip)
            + Gzip.compress(b, coding: .gzip)
        #expect(try Gzip.decompress(joined, coding: .gzip, maxOutputBytes: 100) == a + b)
        // The same shape as `cat a.gz b.gz` produced by the system tool.
        let system = try runGzipTool(["-c"], input: a) + runGzipTool(["-c"], input: b)
        #expect(try Gzip.decompress(system, coding: .gzip, maxOutputBytes: 100) == a + b)
    }

    @Test func deflateAcceptsZlibAndRawDeflate() throws {
        let input = compressible
        let zlib = try Gzip.compress(input, coding: .deflate, level: 6)
        #expect(try Gzip.decompress(zlib, coding: .deflate, maxOutputBytes: input.count) == input)
        // Raw RFC 1951 data = the zlib stream without its 2-byte header and 4-byte Adler-32 trailer.
        let raw = Array(zlib.dropFirst(2).dropLast(4))
        #expect(try Gzip.decompress(raw, coding: .deflate, maxOutputBytes: input.count) == input)
        // Fixed precomputed vector: zlib.compress(b"hello") from Python.
        let hello: [UInt8] = [0x78, 0x9C, 0xCB, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00, 0x06, 0x2C, 0x02, 0x15]
        #expect(try Gzip.decompress(hello, coding: .deflate, maxOutputBytes: 5) == Array("hello".utf8))
    }
}

@Suite struct GzipFailureTests {
    func code(_ body: () throws -> [UInt8]) -> GzipError.Code? {
        do {
            _ = try body()
            return nil
        } catch {
            return (error as? GzipError)?.code
        }
    }

    @Test func corruptAndTruncatedInputs() throws {
        let packed = try Gzip.compress(compressible, coding: .gzip)
        let cap = compressible.count
        #expect(code { try Gzip.decompress([], coding: .gzip, maxOutputBytes: cap) } == .corruptData)
        #expect(code { try Gzip.decompress([], coding: .deflate, maxOutputBytes: cap) } == .corruptData)
        #expect(
            code { try Gzip.decompress(Array("not gzip".utf8), coding: .gzip, maxOutputBytes: cap) } == .corruptData
        )
        // Truncation at several points: header, body, trailer.
        for length in [1, 5, 10, packed.count / 2, packed.count - 1] {
            #expect(
                code { try Gzip.decompress(Array(packed.prefix(length)), coding: .gzip, maxOutputBytes: cap) }
                    == .corruptData,
                "truncated to \(length)"
            )
        }
        // A flipped byte in the CRC trailer.
        var badCRC = packed
        badCRC[badCRC.count - 6] ^= 0xFF
        #expect(code { try Gzip.decompress(badCRC, coding: .gzip, maxOutputBytes: cap) } == .corruptData)
        // Trailing garbage after a member.
        #expect(code { try Gzip.decompress(packed + [1, 2, 3], coding: .gzip, maxOutputBytes: cap) } == .corruptData)
        let zlib = try Gzip.compress(compressible, coding: .deflate)
        #expect(
            code { try Gzip.decompress(Array(zlib.prefix(zlib.count / 2)), coding: .deflate, maxOutputBytes: cap) }
                == .corruptData
        )
        #expect(
            code { try Gzip.decompress(randomBytes(64, seed: 11), coding: .deflate, maxOutputBytes: cap) }
                == .corruptData
        )
        let error = try #require(throws: GzipError.self) {
            try Gzip.decompress([0x1F, 0x8B, 0, 0], coding: .gzip, maxOutputBytes: 10)
        }
        #expect(!error.message.isEmpty)
    }

    @Test func decompressionBombStopsAtTheCap() throws {
        let zeros = [UInt8](repeating: 0, count: 10 << 20)
        for coding in [ContentCoding.gzip, .deflate] {
            let bomb = try Gzip.compress(zeros, coding: coding, level: 9)
            #expect(bomb.count < 20_000)
            #expect(code { try Gzip.decompress(bomb, coding: coding, maxOutputBytes: 1 << 20) } == .outputTooLarge)
            // Exactly at the cap is fine; one byte less is not.
            #expect(try Gzip.decompress(bomb, coding: coding, maxOutputBytes: 10 << 20).count == 10 << 20)
            #expect(
                code { try Gzip.decompress(bomb, coding: coding, maxOutputBytes: (10 << 20) - 1) }
                    == .outputTooLarge
            )
        }
        #expect(code { try Gzip.decompress([1, 2, 3], coding: .identity, maxOutputBytes: 2) } == .outputTooLarge)
        #expect(code { try Gzip.decompress([1], coding: .gzip, maxOutputBytes: -1) } == .invalidArgument)
    }
}

#if os(Linux)
import Glibc

// <malloc.h> is not part of the Glibc module; these two glibc functions have plain C signatures.
@_silgen_name("malloc_stats") func malloc_stats()
@_silgen_name("mallopt") func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
let M_MMAP_THRESHOLD: Int32 = -3

/// glibc's high-water mark of mmapped bytes, read from `malloc_stats()` (which prints to stderr).
func maxMmappedBytes() -> Int {
    let path = "/tmp/gzip-tests-malloc-stats-\(getpid())"
    let file = open(path, O_CREAT | O_TRUNC | O_RDWR, 0o600)
    let savedStderr = dup(2)
    dup2(file, 2)
    malloc_stats()
    dup2(savedStderr, 2)
    close(savedStderr)
    close(file)
    defer { unlink(path) }
    let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    let line = text.split(separator: "\n").first { $0.hasPrefix("max mmap bytes") }
    return line.flatMap { Int($0.split(separator: "=").last!.trimmingCharacters(in: .whitespaces)) } ?? -1
}

@Suite struct GzipMemoryTests {
    /// In a fresh process, with every allocation ≥ 64 KiB forced through mmap (so glibc's peak
    /// counter sees it), inflating a 100 MiB bomb under a 1 MiB cap must peak well below 2 MiB
    /// of large allocations: the output buffer (≤ cap) plus the half-size buffer it grew from.
    @Test(.enabled(if: mallocStatsSeeAllocations(), "glibc malloc statistics unavailable (sanitizer allocator?)"))
    func bombNeverAllocatesBeyondTheCap() async {
        await #expect(processExitsWith: .success) {
            _ = mallopt(M_MMAP_THRESHOLD, 64 * 1024)
            let bomb = try runShell("head -c 104857600 /dev/zero | gzip -9 -c")
            let cap = 1 << 20
            let before = maxMmappedBytes()
            do {
                _ = try Gzip.decompress(bomb, coding: .gzip, maxOutputBytes: cap)
                exit(2)  // must have thrown
            } catch {
                if (error as? GzipError)?.code != .outputTooLarge { exit(3) }
            }
            let after = maxMmappedBytes()
            // `before` covers Process/pipe buffers; the decode itself may add at most 1.5 × cap.
            if before < 0 || after > max(before, 0) + cap * 3 / 2 + 256 * 1024 { exit(4) }
            if after <= before { exit(5) }  // the probe must actually have seen the decode's buffers
        }
    }
}

/// True when glibc's malloc serves this process (not a sanitizer's): a 64 MiB block, above the
/// largest dynamic mmap threshold, must show up in the mmap high-water mark.
func mallocStatsSeeAllocations() -> Bool {
    let size = 64 << 20
    guard let block = malloc(size) else { return false }
    memset(block, 1, size)
    let seen = maxMmappedBytes() >= size
    free(block)
    return seen
}

func runShell(_ command: String) throws -> [UInt8] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    let stdout = Pipe()
    process.standardOutput = stdout
    try process.run()
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return [UInt8](output)
}
#endif
