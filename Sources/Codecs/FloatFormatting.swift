// Text output of numbers into raw byte buffers (no String, no allocation per number).

enum FloatFormatting {
    /// Upper bound of the bytes `writeFinite(_:to:)` writes ("-1234567800000000.0" is 19).
    static let maxFloatLength = 24

    /// "00" "01" … "99" as ASCII pairs.
    static let digitPairs: [UInt8] = {
        var table = [UInt8]()
        table.reserveCapacity(200)
        for i in 0..<100 {
            table.append(UInt8(ascii: "0") + UInt8(i / 10))
            table.append(UInt8(ascii: "0") + UInt8(i % 10))
        }
        return table
    }()

    @inline(__always)
    static func decimalLength9(_ v: UInt32) -> Int {
        if v >= 100_000_000 { return 9 }
        if v >= 10_000_000 { return 8 }
        if v >= 1_000_000 { return 7 }
        if v >= 100_000 { return 6 }
        if v >= 10_000 { return 5 }
        if v >= 1000 { return 4 }
        if v >= 100 { return 3 }
        if v >= 10 { return 2 }
        return 1
    }

    /// Writes the `length` decimal digits of `value` to `out[0..<length]`.
    @inline(__always)
    static func writeDigits(_ value: UInt32, length: Int, to out: UnsafeMutablePointer<UInt8>) {
        digitPairs.withUnsafeBufferPointer { pairs in
            let pairs = pairs.baseAddress!  // non-empty table
            var v = value
            var i = length
            while v >= 100 {
                let r = Int(v % 100)
                v /= 100
                i &-= 2
                out[i] = pairs[2 &* r]
                out[i &+ 1] = pairs[2 &* r &+ 1]
            }
            if v >= 10 {
                let r = Int(v)
                out[i &- 2] = pairs[2 &* r]
                out[i &- 1] = pairs[2 &* r &+ 1]
            } else {
                out[i &- 1] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v)
            }
        }
    }

    /// Writes the shortest decimal that parses back (as float32) to exactly `v`, in Python
    /// `repr` style: "1.0", "0.1", "-2.5", "1e-05", "3.4028235e+38". `v` must be finite.
    /// Returns the number of bytes written (at most `maxFloatLength`).
    @inline(__always)
    static func writeFinite(_ v: Float, to out: UnsafeMutablePointer<UInt8>) -> Int {
        let bits = v.bitPattern
        var p = out
        if bits >> 31 != 0 {
            p.pointee = UInt8(ascii: "-")
            p += 1
        }
        let ieeeMantissa = bits & 0x7F_FFFF
        let ieeeExponent = (bits >> 23) & 0xFF
        if ieeeMantissa == 0 && ieeeExponent == 0 {
            p[0] = UInt8(ascii: "0"); p[1] = UInt8(ascii: "."); p[2] = UInt8(ascii: "0")
            return p + 3 - out
        }
        let d = Ryu32.shortest(mantissa: ieeeMantissa, exponent: ieeeExponent)
        let length = decimalLength9(d.digits)
        let exponent = Int(d.exponent)
        let scientificExponent = exponent &+ length &- 1
        if scientificExponent < -4 || scientificExponent >= 16 {
            // d.ddde±XX
            writeDigits(d.digits, length: length, to: p + 1)
            p[0] = p[1]
            if length > 1 {
                p[1] = UInt8(ascii: ".")
                p += length &+ 1
            } else {
                p += 1
            }
            p[0] = UInt8(ascii: "e")
            var e = scientificExponent
            if e < 0 {
                p[1] = UInt8(ascii: "-")
                e = -e
            } else {
                p[1] = UInt8(ascii: "+")
            }
            if e >= 100 {
                p[2] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: e / 100)
                p += 1
                e %= 100
            }
            p[2] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: e / 10)
            p[3] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: e % 10)
            return p + 4 - out
        }
        if exponent >= 0 {
            // Integral: digits, trailing zeros, ".0".
            writeDigits(d.digits, length: length, to: p)
            p += length
            for _ in 0..<exponent {
                p.pointee = UInt8(ascii: "0")
                p += 1
            }
            p[0] = UInt8(ascii: "."); p[1] = UInt8(ascii: "0")
            return p + 2 - out
        }
        let point = length &+ exponent
        if point > 0 {
            // ddd.ddd: write the digits one byte to the right, then shift the integer part left.
            writeDigits(d.digits, length: length, to: p + 1)
            for i in 0..<point { p[i] = p[i &+ 1] }
            p[point] = UInt8(ascii: ".")
            return p + (length &+ 1) - out
        }
        // 0.000ddd
        p[0] = UInt8(ascii: "0"); p[1] = UInt8(ascii: ".")
        p += 2
        for _ in 0..<(-point) {
            p.pointee = UInt8(ascii: "0")
            p += 1
        }
        writeDigits(d.digits, length: length, to: p)
        return p + length - out
    }
}
