import Testing
@testable import Codecs

@Suite struct JSONWriterTests {
    private func written(_ body: (inout JSONWriter) -> Void) -> String {
        var w = JSONWriter()
        body(&w)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    @Test func numbers() {
        #expect(written { $0.writeNumber(3) } == "3")
        #expect(written { $0.writeNumber(-42) } == "-42")
        #expect(written { $0.writeNumber(9_007_199_254_740_992) } == "9007199254740992")
        #expect(written { $0.writeNumber(1e20) } == "1e+20")
        #expect(written { $0.writeNumber(0.1) } == "0.1")
        #expect(written { $0.writeNumber(-0.0) } == "-0.0")
        #expect(written { $0.writeNumber(1.5e-7) } == "1.5e-07")
        #expect(written { $0.writeNumber(.nan) } == "\"NaN\"")
        #expect(written { $0.writeNumber(-.infinity) } == "\"-Infinity\"")
    }

    @Test func strings() throws {
        let s = "a\"b\\c\n\r\t\u{8}\u{c}\u{1}\u{1f}é😀/"
        let text = written { $0.writeString(s) }
        #expect(text == #""a\"b\\c\n\r\t\b\f\u0001\u001fé😀/""#)
        #expect(try JSONParser.parse(Array(text.utf8)) == .string(s))
        #expect(written { $0.writeString("") } == #""""#)
    }

    @Test func valuesRoundTrip() throws {
        let value: JSONValue = .object([
            (key: "activation", value: .string("gelu")),
            (key: "params", value: .object([(key: "alpha", value: .number(0.5)), (key: "n", value: .number(3))])),
            (key: "flags", value: .array([.bool(true), .bool(false), .null])),
            (key: "shape", value: .tensor(Tensor([2, 3]))),
            (key: "y", value: .tensor(Tensor(shape: [2, 3], values: [0.1, -1, 2.5, .infinity, 0, 1e-7]))),
        ])
        var w = JSONWriter()
        w.write(value)
        let text = String(decoding: w.bytes, as: UTF8.self)
        #expect(text == #"{"activation":"gelu","params":{"alpha":0.5,"n":3},"flags":[true,false,null],"shape":[2.0,3.0],"y":[[0.1,-1.0,2.5],["Infinity",0.0,1e-07]]}"#)
        #expect(try JSONParser.parse(w.bytes) == value)
    }

    @Test(arguments: [
        ([Int](), [Float(2.5)], "2.5"),
        ([0], [], "[]"),
        ([3], [1, 2, 3], "[1.0,2.0,3.0]"),
        ([2, 0], [], "[[],[]]"),
        ([0, 3], [], "[]"),
        ([2, 3], [1, 2, 3, 4, 5, 6], "[[1.0,2.0,3.0],[4.0,5.0,6.0]]"),
        ([2, 1, 2], [1, 2, 3, 4], "[[[1.0,2.0]],[[3.0,4.0]]]"),
        ([1, 1, 1], [7], "[[[7.0]]]"),
    ])
    func tensors(_ shape: [Int], _ values: [Float], _ expected: String) {
        #expect(written { w in values.withUnsafeBufferPointer { w.writeTensor($0, shape: shape) } } == expected)
    }

    @Test func largeFlatArraySpansChunks() throws {
        let values = (0..<50_000).map { Float($0) * -0.37 }
        let text = written { w in values.withUnsafeBufferPointer { w.writeFlatArray($0) } }
        guard case .tensor(let t) = try JSONParser.parse(Array(text.utf8)) else {
            Issue.record("not a tensor")
            return
        }
        #expect(t.values == values)
        #expect(written { $0.writeFlatArray(UnsafeBufferPointer(start: nil, count: 0)) } == "[]")
    }

    @Test func appendsToExistingText() {
        let text = written { w in
            w.writeRaw("{\"y\":")
            [Float(1), 2].withUnsafeBufferPointer { w.writeFlatArray($0) }
            w.writeRaw("}")
        }
        #expect(text == #"{"y":[1.0,2.0]}"#)
    }
}
