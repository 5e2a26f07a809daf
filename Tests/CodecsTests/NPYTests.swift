import Foundation
import Testing
@testable import Codecs

private func bytes(base64: String) -> [UInt8] {
    [UInt8](Data(base64Encoded: base64)!)  // fixtures are valid base64
}

private func decodeError(_ file: [UInt8], limits: DecodingLimits = .init()) -> CodecError? {
    do {
        _ = try NPY.decode(file, limits: limits)
        return nil
    } catch {
        return error
    }
}

/// A v1.0 file with the given header dictionary text and data bytes (padding as NumPy does).
private func npyFile(header: String, data: [UInt8], version: UInt8 = 1) -> [UInt8] {
    var dict = Array(header.utf8)
    let prefix = version == 1 ? 10 : 12
    dict += Array(repeating: UInt8(ascii: " "), count: (64 - (prefix + dict.count + 1) % 64) % 64)
    dict.append(UInt8(ascii: "\n"))
    var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
    if version == 1 {
        out += [UInt8(dict.count & 0xFF), UInt8(dict.count >> 8)]
    } else {
        out += [UInt8(dict.count & 0xFF), UInt8(dict.count >> 8 & 0xFF), 0, 0]
    }
    return out + dict + data
}

private func littleEndian(_ values: [Float]) -> [UInt8] {
    values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
}

@Suite struct NPYTests {
    @Test(arguments: npyFixtures)
    func numpyFixtures(_ fixture: NPYFixture) throws {
        let tensor = try NPY.decode(bytes(base64: fixture.base64))
        #expect(tensor.shape == fixture.shape)
        #expect(tensor.values.count == fixture.bits.count)
        for (value, bits) in zip(tensor.values, fixture.bits) {
            let expected = Float(bitPattern: bits)
            #expect(value.bitPattern == bits || (value.isNaN && expected.isNaN), "\(value) vs \(expected)")
        }
    }

    /// `encode` produces exactly what `numpy.save` writes for a float32 C-order array.
    @Test func encodeMatchesNumPy() throws {
        let fixture = try #require(npyFixtures.first { $0.name == "v1LittleF32_2x3" })
        let values = fixture.bits.map(Float.init(bitPattern:))
        let encoded = values.withUnsafeBufferPointer { NPY.encode($0, shape: fixture.shape) }
        #expect(encoded == bytes(base64: fixture.base64))
        let scalar = try #require(npyFixtures.first { $0.name == "v1Scalar" })
        #expect([Float(3.25)].withUnsafeBufferPointer { NPY.encode($0, shape: []) } == bytes(base64: scalar.base64))
        let empty = try #require(npyFixtures.first { $0.name == "v1Empty2x0" })
        #expect([Float]().withUnsafeBufferPointer { NPY.encode($0, shape: [2, 0]) } == bytes(base64: empty.base64))
    }

    @Test(arguments: [[Int](), [0], [5], [2, 3], [2, 3, 4], [1, 1, 1, 1, 7]])
    func encodeDecodeRoundTrip(_ shape: [Int]) throws {
        let count = shape.reduce(1, *)
        let values = (0..<count).map { Float($0) * 0.5 - 3 }
        let file = values.withUnsafeBufferPointer { NPY.encode($0, shape: shape) }
        let headerLength = Int(file[8]) | Int(file[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        #expect(file[10 + headerLength - 1] == UInt8(ascii: "\n"))
        let back = try NPY.decode(file)
        #expect(back == Tensor(shape: shape, values: values))
    }

    @Test func headerVariants() throws {
        let data = littleEndian([1, 2, 3, 4, 5, 6])
        let headers = [
            "{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4'}",
            "{ 'descr' : '<f4' , 'fortran_order' : False , 'shape' : ( 2 , 3 , ) , }",
            "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2, 3)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }",
            "{'descr':'<f4','fortran_order':False,'shape':(2,3)}",
            "{'descr': '=f4', 'fortran_order': False, 'shape': (2, 3), }",
            "{'descr': 'f4', 'fortran_order': False, 'shape': (2, 3), }",
        ]
        for header in headers {
            let tensor = try NPY.decode(npyFile(header: header, data: data))
            #expect(tensor == Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6]), "\(header)")
        }
        // Version 2.0 with a hand-made header, and Fortran order where it cannot matter.
        #expect(try NPY.decode(npyFile(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", data: data, version: 2)).shape == [6])
        #expect(try NPY.decode(npyFile(header: "{'descr': '<f4', 'fortran_order': True, 'shape': (6,), }", data: data)).shape == [6])
        #expect(try NPY.decode(npyFile(header: "{'descr': '<f4', 'fortran_order': True, 'shape': (1, 6), }", data: data)).shape == [1, 6])
    }

    @Test func fortranOrderIsRejected() {
        let e = decodeError(bytes(base64: npyFortran2x3))
        #expect(e?.code == .badHeader)
        #expect(e?.message.contains("Fortran") == true)
    }

    @Test func unsupportedDTypes() {
        #expect(decodeError(bytes(base64: npyInt32))?.code == .unsupportedDType)
        for descr in ["<i4", "<f16", "<c8", "|f4", "|u1", "<U3", "<f3", "bogus"] {
            let e = decodeError(npyFile(header: "{'descr': '\(descr)', 'fortran_order': False, 'shape': (1,), }", data: [0, 0, 0, 0]))
            #expect(e?.code == .unsupportedDType, "\(descr)")
        }
        let structured = npyFile(header: "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", data: [0, 0, 0, 0])
        #expect(decodeError(structured)?.code == .unsupportedDType)
    }

    @Test func corruptHeaders() throws {
        let good = npyFile(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", data: [0, 0, 0x80, 0x3F])
        #expect(try NPY.decode(good).values == [1])
        var badMagic = good
        badMagic[1] = UInt8(ascii: "X")
        var badVersion = good
        badVersion[6] = 4
        var badMinor = good
        badMinor[7] = 1
        var longHeader = good
        longHeader[8] = 0xFF
        longHeader[9] = 0xFF
        let cases: [(String, [UInt8])] = [
            ("empty", []),
            ("short", Array(good.prefix(9))),
            ("magic", badMagic),
            ("version 4.0", badVersion),
            ("version 1.1", badMinor),
            ("header length past the end", longHeader),
            ("v2 without length", [0x93] + Array("NUMPY".utf8) + [2, 0, 0, 0]),
            ("not a dict", npyFile(header: "['descr', '<f4']", data: [])),
            ("missing key", npyFile(header: "{'descr': '<f4', 'shape': (1,)}", data: [0, 0, 0, 0])),
            ("unknown key", npyFile(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", data: [0, 0, 0, 0])),
            ("unterminated dict", npyFile(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)", data: [0, 0, 0, 0])),
            ("negative dim", npyFile(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", data: [])),
            ("shape not a tuple", npyFile(header: "{'descr': '<f4', 'fortran_order': False, 'shape': 3}", data: [])),
            ("float dim", npyFile(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1.5,)}", data: [])),
            ("fortran_order not bool", npyFile(header: "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}", data: [0, 0, 0, 0])),
            ("garbage after dict", npyFile(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x", data: [0, 0, 0, 0])),
            ("unterminated string", npyFile(header: "{'descr: '<f4'}", data: [])),
            ("huge integer", npyFile(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,)}", data: [])),
        ]
        for (why, file) in cases {
            #expect(decodeError(file)?.code == .badHeader, "\(why)")
        }
    }

    @Test func lengthAndLimits() throws {
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
        #expect(decodeError(npyFile(header: header, data: littleEndian([1, 2, 3, 4, 5])))?.code == .badLength)
        #expect(decodeError(npyFile(header: header, data: littleEndian([1, 2, 3, 4, 5, 6, 7])))?.code == .badLength)
        #expect(decodeError(npyFile(header: header, data: littleEndian([1, 2, 3, 4, 5, 6]) + [0]))?.code == .badLength)
        let limited = DecodingLimits(maxElements: 5)
        #expect(decodeError(npyFile(header: header, data: littleEndian([1, 2, 3, 4, 5, 6])), limits: limited)?.code == .tooManyElements)
        // Checked before allocation, and overflow-safe.
        let huge = "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }"
        #expect(decodeError(npyFile(header: huge, data: []))?.code == .tooManyElements)
        let big = "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000,), }"
        #expect(decodeError(npyFile(header: big, data: []))?.code == .tooManyElements)
        // A zero dimension makes the array empty whatever the others say.
        let zero = "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 9223372036854775807), }"
        #expect(try NPY.decode(npyFile(header: zero, data: [])).values.isEmpty)
    }
}

/// Runs `body` on the bytes of `bytes`, keeping the typed error.
private func withBytes<R>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(CodecError) -> R) throws(CodecError) -> R {
    try bytes.withUnsafeBytes { b in Result { () throws(CodecError) in try body(b) } }.get()
}

@Suite struct BinaryPayloadTests {
    private func rawError(_ bytes: [UInt8], limits: DecodingLimits = .init()) -> CodecError? {
        do {
            _ = try withBytes(bytes) { b throws(CodecError) in try RawFloat32.decode(b, limits: limits) }
            return nil
        } catch {
            return error
        }
    }

    @Test func rawFloat32() throws {
        let values: [Float] = [1, -2.5, .infinity, .leastNonzeroMagnitude, 0.1]
        let encoded = values.withUnsafeBufferPointer { RawFloat32.encode($0) }
        #expect(encoded == littleEndian(values))
        let decoded = try withBytes(encoded) { b throws(CodecError) in try RawFloat32.decode(b) }
        #expect(decoded.map(\.bitPattern) == values.map(\.bitPattern))
        #expect(try withBytes([]) { b throws(CodecError) in try RawFloat32.decode(b) }.isEmpty)
        #expect(rawError([0, 0, 0])?.code == .badLength)
        #expect(rawError([0, 0, 0, 0, 0])?.code == .badLength)
        #expect(rawError(littleEndian([1, 2, 3]), limits: DecodingLimits(maxElements: 2))?.code == .tooManyElements)
        #expect(rawError(littleEndian([1, 2]), limits: DecodingLimits(maxElements: 2)) == nil)
    }

    @Test func splitBody() throws {
        let body: [UInt8] = Array(#"{"inputs":[]}"#.utf8) + [1, 2, 3, 4]
        try withBytes(body) { b throws(CodecError) in
            let (header, tail) = try BinaryTensorData.split(b, headerLength: 13)
            #expect(Array(header) == Array(#"{"inputs":[]}"#.utf8))
            #expect(Array(tail) == [1, 2, 3, 4])
            #expect(try BinaryTensorData.split(b, headerLength: 0).tail.count == 17)
            #expect(try BinaryTensorData.split(b, headerLength: 17).tail.isEmpty)
        }
        for bad in [-1, 18, Int.max, Int.min] {
            #expect(throws: CodecError.self) {
                try withBytes(body) { b throws(CodecError) in _ = try BinaryTensorData.split(b, headerLength: bad) }
            }
        }
    }

    private func decode(_ bytes: [UInt8], _ datatype: String, _ count: Int) throws(CodecError) -> [Float] {
        try withBytes(bytes) { b throws(CodecError) in try BinaryTensorData.decode(b, datatype: datatype, count: count) }
    }

    @Test func binaryTensorDatatypes() throws {
        #expect(try decode(littleEndian([1.5, -2]), "FP32", 2) == [1.5, -2])
        let fp64 = [0.1, -1e300, 2.5].flatMap { (v: Double) in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
        #expect(try decode(fp64, "FP64", 3) == [Float(0.1), -.infinity, 2.5])
        let fp16: [UInt8] = [0x00, 0x3C, 0x00, 0xC0, 0xFF, 0x7B, 0x00, 0x7C]  // 1, -2, 65504, +inf
        #expect(try decode(fp16, "FP16", 4) == [1, -2, 65504, .infinity])
        #expect(try decode([], "FP32", 0).isEmpty)
    }

    @Test func binaryTensorErrors() {
        func code(_ bytes: [UInt8], _ datatype: String, _ count: Int) -> CodecError.Code? {
            do {
                _ = try decode(bytes, datatype, count)
                return nil
            } catch {
                return error.code
            }
        }
        #expect(code([0, 0, 0, 0], "INT32", 1) == .unsupportedDType)
        #expect(code([0, 0, 0, 0], "BF16", 2) == .unsupportedDType)
        #expect(code([0, 0, 0, 0], "fp32", 1) == .unsupportedDType)
        #expect(code([0, 0, 0, 0], "FP32", 2) == .badLength)
        #expect(code([0, 0, 0, 0, 0], "FP32", 1) == .badLength)
        #expect(code([0, 0, 0, 0], "FP64", 1) == .badLength)
        #expect(code([0, 0, 0, 0], "FP16", 1) == .badLength)
        #expect(code([], "FP32", -1) == .badLength)
        #expect(code([], "FP64", Int.max / 4) == .badLength)
    }
}
