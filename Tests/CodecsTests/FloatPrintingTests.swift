#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TestSupport
import Testing
@testable import Codecs

/// 10^k as a Double (exact for 0 ≤ k ≤ 22; close enough for test inputs otherwise).
private func pow10(_ k: Int) -> Double {
    var r = 1.0
    for _ in 0..<abs(k) { r *= 10 }
    return k < 0 ? 1 / r : r
}

/// The float32 printer: exact round trip, shortest digits, Python `repr`-style layout.
@Suite struct FloatPrintingTests {
    private static func text(_ v: Float) -> String {
        var w = JSONWriter()
        w.writeFloat(v)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// Prints `v` into `buffer` and parses it back with strtof.
    private static func roundTrip(_ v: Float, _ buffer: UnsafeMutablePointer<UInt8>) -> Float {
        let n = FloatFormatting.writeFinite(v, to: buffer)
        buffer[n] = 0
        return UnsafeMutableRawPointer(buffer).withMemoryRebound(to: CChar.self, capacity: n + 1) { strtof($0, nil) }
    }

    @Test(arguments: [
        (Float(1), "1.0"), (0.1, "0.1"), (-2.5, "-2.5"), (0, "0.0"), (-0.0, "-0.0"), (100, "100.0"),
        (1e-5, "1e-05"), (0.0001, "0.0001"), (0.00012345, "0.00012345"), (1.5e-7, "1.5e-07"),
        (1e15, "1000000000000000.0"), (1e16, "1e+16"), (123_456_792, "123456790.0"),
        (.greatestFiniteMagnitude, "3.4028235e+38"), (.leastNonzeroMagnitude, "1e-45"),
        (.leastNormalMagnitude, "1.1754944e-38"), (3.1415927, "3.1415927"), (-7.999999, "-7.999999"),
        (16_777_216, "16777216.0"), (0.3, "0.3"), (2.0 / 3.0, "0.6666667"), (1e38, "1e+38"),
        (9.999999e-5, "9.999999e-05"), (65504, "65504.0"), (0.5, "0.5"), (1234.5677, "1234.5677"),
    ])
    func layout(_ v: Float, _ expected: String) {
        #expect(Self.text(v) == expected)
    }

    @Test func nonFinite() {
        #expect(Self.text(.nan) == "\"NaN\"")
        #expect(Self.text(-.nan) == "\"NaN\"")
        #expect(Self.text(.infinity) == "\"Infinity\"")
        #expect(Self.text(-.infinity) == "\"-Infinity\"")
    }

    @Test func tenMillionRandomBitPatternsRoundTrip() {
        var rng = SeededGenerator(seed: 0xF10A7)
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
        defer { buffer.deallocate() }
        var failures = 0
        for _ in 0..<10_000_000 {
            let v = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
            guard v.isFinite else { continue }
            let back = Self.roundTrip(v, buffer)
            if back.bitPattern != v.bitPattern {
                failures += 1
                if failures <= 10 { Issue.record("\(v) → \(Self.text(v)) → \(back)") }
            }
        }
        #expect(failures == 0)
    }

    @Test func edgeValuesRoundTrip() {
        var values: [Float] = [0, .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude,
                               Float.leastNormalMagnitude.nextDown, Float.greatestFiniteMagnitude.nextDown, 1, Float(1).nextUp, Float(1).nextDown]
        for e in -149...127 { values.append(Float(sign: .plus, exponent: e, significand: 1)) }  // all powers of two
        for bits in UInt32(1)...20_000 { values.append(Float(bitPattern: bits)) }              // smallest subnormals
        for bits in (0x007F_FFFF - 20_000)...0x0080_1000 as ClosedRange<UInt32> { values.append(Float(bitPattern: bits)) }  // subnormal/normal seam
        for bits in (0x7F7F_FFFF - 20_000)...0x7F7F_FFFF as ClosedRange<UInt32> { values.append(Float(bitPattern: bits)) }  // top of the range
        for k in 0...24 { values.append(Float(1 << k) - 1 as Float); values.append(Float(1 << k) + 1 as Float) }
        values += values.map { -$0 }
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
        defer { buffer.deallocate() }
        for v in values {
            let back = Self.roundTrip(v, buffer)
            #expect(back.bitPattern == v.bitPattern, "\(v) → \(Self.text(v))")
        }
    }

    /// The significant digits of a rendering ("-1.25e-05" → "125").
    private static func digits(_ s: String) -> String {
        let mantissa = s.prefix { $0 != "e" && $0 != "E" }
        var d = mantissa.filter { $0.isNumber }
        while d.hasPrefix("0") { d.removeFirst() }
        while d.hasSuffix("0") { d.removeLast() }
        return d
    }

    /// Swift's `Float.description` is shortest round-trip (closest candidate on ties of
    /// length); ours must give the same digit string.
    @Test func sameDigitsAsSwiftDescription() {
        var rng = SeededGenerator(seed: 2024)
        var values = rng.finiteFloats(1_000_000)
        for _ in 0..<200_000 { values.append(Float.random(in: -8...8, using: &rng)) }
        var mismatches = 0
        for v in values where v != 0 {
            let ours = Self.digits(Self.text(v))
            let swift = Self.digits(v.description)
            if ours != swift {
                mismatches += 1
                if mismatches <= 10 { Issue.record("\(v): ours \(Self.text(v)), Swift \(v.description)") }
            }
        }
        #expect(mismatches == 0)
    }

    /// The fast path (Dragonbox) and Ryu agree on every sampled value (the full 2^32 sweep
    /// was run in release mode when the printer was written).
    @Test func dragonboxAgreesWithRyu() {
        func normalised(_ d: ShortestDecimal32) -> (UInt32, Int32) {
            var m = d.digits, e = d.exponent
            while m != 0 && m % 10 == 0 { m /= 10; e += 1 }
            return (m, e)
        }
        var rng = SeededGenerator(seed: 77)
        var mismatches = 0
        for i in 0..<3_000_000 {
            // Random positive finite bit patterns, plus a dense run near 1.0.
            let bits = i < 2_000_000 ? UInt32(truncatingIfNeeded: rng.next()) % 0x7F80_0000 : 0x3F80_0000 &+ UInt32(i)
            let a = normalised(Ryu32.shortest(mantissa: bits & 0x7F_FFFF, exponent: bits >> 23))
            let b = normalised(Dragonbox32.shortest(mantissa: bits & 0x7F_FFFF, exponent: bits >> 23))
            if bits != 0 && a != b {
                mismatches += 1
                if mismatches <= 10 { Issue.record("\(Float(bitPattern: bits)): Ryu \(a), Dragonbox \(b)") }
            }
        }
        #expect(mismatches == 0)
    }

    /// The branch-free fast path (`scaledDigits`) gives Ryu's digits wherever it answers, and
    /// leaves only a small share of values to the general path.
    @Test func scaledDigitsAgreeWithRyu() {
        var rng = SeededGenerator(seed: 78)
        var mismatches = 0, general = 0
        for i in 0..<3_000_000 {
            let bits = i < 2_000_000 ? UInt32(truncatingIfNeeded: rng.next()) % 0x7F80_0000 : 0x3E80_0000 &+ UInt32(i) &* 7
            guard bits != 0 else { continue }
            guard let fast = Dragonbox32.scaledDigits(mantissa: bits & 0x7F_FFFF, exponent: bits >> 23) else {
                general += 1
                continue
            }
            #expect((1_000_000..<1_000_000_000).contains(fast.digits))
            var ryu = Ryu32.shortest(mantissa: bits & 0x7F_FFFF, exponent: bits >> 23)
            var m = fast.digits, e = fast.exponent
            while m % 10 == 0 { m /= 10; e += 1 }
            while ryu.digits % 10 == 0 { ryu.digits /= 10; ryu.exponent += 1 }
            if m != ryu.digits || e != Int(ryu.exponent) {
                mismatches += 1
                if mismatches <= 10 { Issue.record("\(Float(bitPattern: bits)): Ryu \(ryu), fast \(m)e\(e)") }
            }
        }
        #expect(mismatches == 0)
        #expect(general < 3_000_000 / 20)
    }

    /// The literal step-1 table equals what the formulas give.
    @Test func exponentTableMatchesStep1() {
        #expect(Dragonbox32.exponentTable.count == 512)
        for bq in 0..<256 {
            let e = min(max(bq, 1), 254) - 150
            let minusK = Dragonbox32.floorLog10Pow2(e) - 1
            let phi = Dragonbox32.cache[31 - minusK]
            let beta = e + Dragonbox32.floorLog2Pow10(-minusK)
            let packed = Dragonbox32.exponentTable[2 * bq + 1]
            #expect(Dragonbox32.exponentTable[2 * bq] == phi)
            #expect(UInt32(truncatingIfNeeded: packed) == UInt32(truncatingIfNeeded: phi >> UInt64(63 - beta)))
            #expect(Int((packed >> 32) & 0xFF) == beta)
            #expect(Int(Int64(bitPattern: packed) >> 40) == minusK + 1)
        }
    }

    /// Python `repr` layout built the slow way (String operations on Ryu's digits).
    private static func referenceText(_ v: Float) -> String {
        if v == 0 { return v.sign == .minus ? "-0.0" : "0.0" }
        let bits = v.bitPattern
        var d = Ryu32.shortest(mantissa: bits & 0x7F_FFFF, exponent: (bits >> 23) & 0xFF)
        while d.digits % 10 == 0 { d.digits /= 10; d.exponent += 1 }
        let digits = String(d.digits)
        let e = Int(d.exponent) + digits.count - 1  // exponent of the leading digit
        let sign = v < 0 ? "-" : ""
        if e >= -4 && e < 16 {
            if e < 0 { return sign + "0." + String(repeating: "0", count: -e - 1) + digits }
            if digits.count <= e + 1 { return sign + digits + String(repeating: "0", count: e + 1 - digits.count) + ".0" }
            return sign + digits.prefix(e + 1) + "." + digits.dropFirst(e + 1)
        }
        let mantissa = digits.count == 1 ? digits : digits.prefix(1) + "." + digits.dropFirst()
        return sign + mantissa + "e" + (e < 0 ? "-" : "+") + (abs(e) < 10 ? "0" : "") + String(abs(e))
    }

    /// Every layout (fixed with 0…4 leading zeros or up to 16 integer digits, scientific)
    /// byte for byte against the slow reference.
    @Test func layoutMatchesReference() {
        var rng = SeededGenerator(seed: 31)
        var values = rng.finiteFloats(500_000)
        for _ in 0..<500_000 {
            // Magnitudes 1e-7 … 1e18 where the fixed/scientific seams are.
            values.append(Float(Double.random(in: -1...1, using: &rng) * pow10(Int.random(in: -6...18, using: &rng))))
        }
        for k in -8...18 {
            let p = Float(pow10(k))
            values += [p, p.nextUp, p.nextDown, -p, p * 1.5, p * 1.2345678]
        }
        var mismatches = 0
        for v in values where Self.text(v) != Self.referenceText(v) {
            mismatches += 1
            if mismatches <= 10 { Issue.record("\(v): ours \(Self.text(v)), reference \(Self.referenceText(v))") }
        }
        #expect(mismatches == 0)
    }

    /// Printing then parsing with our own parser restores every value bit for bit.
    @Test func jsonRoundTripThroughOwnParser() throws {
        var rng = SeededGenerator(seed: 99)
        var values = rng.finiteFloats(300_000)
        values += (0..<100_000).map { _ in Float.random(in: -8...8, using: &rng) }
        var w = JSONWriter()
        values.withUnsafeBufferPointer { w.writeFlatArray($0) }
        guard case .tensor(let t) = try JSONParser.parse(w.bytes) else {
            Issue.record("not a tensor")
            return
        }
        #expect(t.values.map(\.bitPattern) == values.map(\.bitPattern))
    }
}
