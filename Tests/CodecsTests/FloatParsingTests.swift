#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TestSupport
import Testing
@testable import Codecs

/// Float32 values of JSON number texts through the tensor fast path, compared bit for bit
/// with glibc's correctly rounded `strtof`.
@Suite struct FloatParsingTests {
    /// Parses `texts` as one JSON array and checks every element against strtof.
    private func checkAgainstStrtof(_ texts: [[UInt8]], sourceLocation: SourceLocation = #_sourceLocation) throws {
        var document: [UInt8] = [UInt8(ascii: "[")]
        for (i, t) in texts.enumerated() {
            if i > 0 { document.append(UInt8(ascii: ",")) }
            document += t
        }
        document.append(UInt8(ascii: "]"))
        guard case .tensor(let tensor) = try JSONParser.parse(document, limits: DecodingLimits(maxElements: texts.count)) else {
            Issue.record("not a tensor", sourceLocation: sourceLocation)
            return
        }
        #expect(tensor.count == texts.count, sourceLocation: sourceLocation)
        var mismatches = 0
        for (text, value) in zip(texts, tensor.values) {
            let expected = (text + [0]).withUnsafeBufferPointer { p in
                p.withMemoryRebound(to: CChar.self) { strtof($0.baseAddress!, nil) }
            }
            if expected.bitPattern != value.bitPattern {
                mismatches += 1
                if mismatches <= 10 {
                    Issue.record("\(String(decoding: text, as: UTF8.self)): got \(value) (\(String(value.bitPattern, radix: 16))), strtof \(expected)",
                                 sourceLocation: sourceLocation)
                }
            }
        }
        #expect(mismatches == 0, sourceLocation: sourceLocation)
    }

    /// A random decimal literal: 1–25 significant digits, the point anywhere, an optional
    /// exponent, magnitude between about 1e-48 and 1e38 (so it never overflows float32).
    private static func randomLiteral<G: RandomNumberGenerator>(_ rng: inout G) -> [UInt8] {
        var out: [UInt8] = []
        if Bool.random(using: &rng) { out.append(UInt8(ascii: "-")) }
        let length = Int.random(in: 1...25, using: &rng)
        var digits = (0..<length).map { _ in UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &rng) }
        digits[0] = UInt8(ascii: "1") + UInt8.random(in: 0...8, using: &rng)
        let integerDigits = Int.random(in: 0...min(length, 12), using: &rng)
        if integerDigits == 0 {
            out += Array("0.".utf8)
            out += Array(repeating: UInt8(ascii: "0"), count: Int.random(in: 0...3, using: &rng))
            out += digits
        } else {
            out += digits[0..<integerDigits]
            if integerDigits < length {
                out.append(UInt8(ascii: "."))
                out += digits[integerDigits...]
            }
        }
        // Decimal exponent of the leading digit so far is about integerDigits - 1.
        let target = Int.random(in: -48...37, using: &rng)
        let exponent = target - (integerDigits - 1)
        if exponent != 0 || Bool.random(using: &rng) {
            out.append(Bool.random(using: &rng) ? UInt8(ascii: "e") : UInt8(ascii: "E"))
            if exponent >= 0 && Bool.random(using: &rng) { out.append(UInt8(ascii: "+")) }
            out += Array(String(exponent).utf8)
        }
        return out
    }

    @Test func oneMillionRandomLiteralsMatchStrtof() throws {
        var rng = SeededGenerator(seed: 0x5EED_F10A_7000_0001)
        let texts = (0..<1_000_000).map { _ in Self.randomLiteral(&rng) }
        try checkAgainstStrtof(texts)
    }

    /// Shortest and 9/17-digit renderings of random float32 and float64 values.
    @Test func typicalPrintedValuesMatchStrtof() throws {
        var rng = SeededGenerator(seed: 42)
        var texts: [[UInt8]] = []
        for _ in 0..<100_000 {
            let f = Float(bitPattern: UInt32.random(in: 0..<0x7F80_0000, using: &rng))
            texts.append(Array(f.description.utf8))
            texts.append(Self.printf("%.9g", Double(f)))
            let d = Double.random(in: -8...8, using: &rng)
            texts.append(Self.printf("%.17g", d))
            texts.append(Self.printf("%.17e", Double(bitPattern: UInt64.random(in: 0x3690_0000_0000_0000...0x47E0_0000_0000_0000, using: &rng))))
        }
        try checkAgainstStrtof(texts)
    }

    /// Exact float32 rounding midpoints (where Double-then-Float rounding would go wrong),
    /// and literals just below and above them.
    @Test func halfwayCasesMatchStrtof() throws {
        var texts: [[UInt8]] = [
            Array("1.00000005960464477539062500".utf8),   // 1 + 2^-24: ties to even → 1
            Array("1.000000059604644775390625".utf8),
            Array("1.0000000596046447753906250001".utf8), // just above → 1 + 2^-23
            Array("1.0000000596046447753906249999".utf8), // just below → 1
            Array("1.00000017881393432617187500".utf8),   // 1 + 3·2^-24: ties to even → 1 + 2^-22
            Array("16777217".utf8), Array("16777219".utf8), Array("3.4028235677973366e38".utf8),
            Array("3.4028235677973365e38".utf8), Array("7.006492321624085354618e-46".utf8),  // 2^-150: ties to 0
            Array("7.006492321624085354619e-46".utf8), Array("1.1754942807573642917e-38".utf8),
        ]
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<20_000 {
            let f = Float(bitPattern: UInt32.random(in: 1..<0x7F7F_FFFF, using: &rng))
            let midpoint = (Double(f) + Double(f.nextUp)) / 2  // exact: 25 significant bits
            let exact = Self.printf("%.160e", midpoint)
            let mantissa = exact.prefix { $0 != UInt8(ascii: "e") }
            let exponentPart = exact.suffix(from: mantissa.count)
            var trimmed = Array(mantissa)
            while trimmed.last == UInt8(ascii: "0") { trimmed.removeLast() }
            texts.append(trimmed + exponentPart)                               // the exact midpoint
            texts.append(trimmed + [UInt8(ascii: "1")] + exponentPart)        // just above
            texts.append(Array(trimmed.prefix(min(trimmed.count - 1, 20))) + exponentPart)  // truncated: just below
            texts.append(Array(trimmed.prefix(11)) + exponentPart)
        }
        try checkAgainstStrtof(texts)
    }

    @Test func longAndOddlyShapedLiterals() throws {
        let texts: [String] = [
            "0", "-0", "0.0", "0e10", "0.000000000000000000000000000000000000000000000000001",
            "1" + String(repeating: "0", count: 30) + "e-30",
            "0." + String(repeating: "0", count: 40) + "1e40",
            String(repeating: "9", count: 60) + "e-60",
            "1." + String(repeating: "0", count: 300) + "1",
            "123456789012345678901234567890e-20", "1e-1000000000", "-1e-99999999999999999999",
            "3.14159265358979323846264338327950288419716939937510", "2.7182818284590452354e0",
            "0.30000000000000004", "9.999999e-39", "1.17549435e-38", "1.1754942e-38", "1.4e-45", "7e-46", "8e-46",
        ]
        try checkAgainstStrtof(texts.map { Array($0.utf8) })
    }

    /// Subnormals and the subnormal/normal seam: shortest and 9-digit texts of a sample of
    /// every binade below 2^-120, and the exact midpoints between neighbours (ties to even).
    @Test func subnormalsMatchStrtof() throws {
        var texts: [[UInt8]] = []
        var bits: UInt32 = 1
        while bits < 0x0400_0000 {  // up to 2^-120
            let f = Float(bitPattern: bits)
            texts.append(Array(f.description.utf8))
            texts.append(Self.printf("%.9g", Double(f)))
            texts.append(Self.printf("%.3g", Double(f)))
            let midpoint = (Double(f) + Double(f.nextUp)) / 2
            texts.append(Self.printf("%.60e", midpoint))
            texts.append(Self.printf("%.17e", midpoint))  // a little off the midpoint
            bits &+= bits < 4096 ? 1 : 1 + (bits >> 6)
        }
        try checkAgainstStrtof(texts)
    }

    /// 19-digit mantissas (the most the fast path takes) at the exponent extremes it covers,
    /// and 20+ digits (the slow path), from 10^-65 up to the overflow threshold.
    @Test func longMantissasAtExponentExtremes() throws {
        var rng = SeededGenerator(seed: 0x19D1_6175)
        var texts: [[UInt8]] = []
        for _ in 0..<100_000 {
            let digits = Int.random(in: 15...22, using: &rng)
            var mantissa = String(Int.random(in: 1...9, using: &rng))
            for _ in 1..<digits { mantissa.append(Character(String(Int.random(in: 0...9, using: &rng)))) }
            // Value ≈ 10^(digits-1+exponent): from 10^-46 (rounds to 0 or the smallest
            // subnormal) to 3.4·10^38.
            let exponent = Bool.random(using: &rng)
                ? Int.random(in: (-65 - (digits - 19))...(-40), using: &rng)
                : Int.random(in: 10...(38 - digits), using: &rng)
            texts.append(Array("\(mantissa)e\(exponent)".utf8))
        }
        texts += ["3.4028235e38", "3.40282356e38", "3.4028235677973365e38", "340282356779733650000000000000000000000",
                  "1.4e-45", "7.0064923e-46", "7.00649233e-46", "7.006492321624085354618e-46", "1.17549421e-38"]
            .map { Array($0.utf8) }
        try checkAgainstStrtof(texts)
    }

    /// The fast path's error bound assumes every power of ten in its table is the correctly
    /// rounded Double (checked against glibc's strtod).
    @Test func powersOfTenTableIsCorrectlyRounded() {
        #expect(DecimalParsing.powersOfTenForFloat.count == 104)
        for k in -65...38 {
            let expected = strtod("1e\(k)", nil)
            #expect(DecimalParsing.powersOfTenForFloat[k + 65].bitPattern == expected.bitPattern, "10^\(k)")
        }
    }

    /// No cliff: the one-multiplication fast path decides the shortest text of (almost) every
    /// float32 at any magnitude, not only values near 1.
    @Test func fastPathCoversShortestTexts() {
        var rng = SeededGenerator(seed: 5)
        var undecided = 0, wrong = 0
        let n = 1_000_000
        for _ in 0..<n {
            let bits = UInt32.random(in: 0x0080_0000..<0x7F80_0000, using: &rng)  // normal, positive
            var d = Ryu32.shortest(mantissa: bits & 0x7F_FFFF, exponent: bits >> 23)
            while d.digits % 10 == 0 { d.digits /= 10; d.exponent += 1 }
            let scanned = ScannedNumber(mantissa: UInt64(d.digits), exponent: Int(d.exponent), negative: false, isExact: true, start: 0, end: 0)
            guard let f = DecimalParsing.fastFloat(scanned) else {
                undecided += 1
                continue
            }
            if f.bitPattern != bits { wrong += 1 }
        }
        #expect(wrong == 0)
        #expect(undecided < 10)
    }

    static func printf(_ format: String, _ value: Double) -> [UInt8] {
        var buffer = [CChar](repeating: 0, count: 256)
        let n = withVaList([value]) { vsnprintf(&buffer, buffer.count, format, $0) }
        return buffer[0..<Int(n)].map { UInt8(bitPattern: $0) }
    }
}
