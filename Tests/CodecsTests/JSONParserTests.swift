import Testing
@testable import Codecs

private func parse(_ text: String, limits: DecodingLimits = .init()) throws(CodecError) -> JSONValue {
    try JSONParser.parse(Array(text.utf8), limits: limits)
}

private func parseError(_ text: String, limits: DecodingLimits = .init()) -> CodecError? {
    do {
        _ = try parse(text, limits: limits)
        return nil
    } catch {
        return error
    }
}

private func parseError(bytes: [UInt8]) -> CodecError? {
    do {
        _ = try JSONParser.parse(bytes)
        return nil
    } catch {
        return error
    }
}

@Suite struct JSONParserConformance {
    @Test func scalarsAndLiterals() throws {
        #expect(try parse("null") == .null)
        #expect(try parse(" true ") == .bool(true))
        #expect(try parse("\tfalse\n") == .bool(false))
        #expect(try parse("0") == .number(0))
        #expect(try parse("-0") == .number(-0.0))
        #expect(try parse("12345") == .number(12345))
        #expect(try parse("-1.5e3") == .number(-1500))
        #expect(try parse("1E+2") == .number(100))
        #expect(try parse("2.5e-3") == .number(0.0025))
        #expect(try parse("\"hi\"") == .string("hi"))
        #expect(try parse("{}") == .object([]))
        #expect(try parse("[]") == .array([]))
        #expect(try parse(" [ ] ") == .array([]))
    }

    @Test func numbersAreCorrectlyRoundedDoubles() throws {
        #expect(try parse("0.1") == .number(0.1))
        #expect(try parse("3.141592653589793238462643383279") == .number(Double.pi))
        #expect(try parse("1.7976931348623157e308") == .number(.greatestFiniteMagnitude))
        #expect(try parse("4.9406564584124654e-324") == .number(.leastNonzeroMagnitude))
        #expect(try parse("1e-400") == .number(0))
        #expect(try parse("123456789012345678901234567890") == .number(1.2345678901234568e29))
        #expect(try parse("9007199254740993") == .number(9_007_199_254_740_992))  // ties to even
        #expect(parseError("1e400")?.code == .wrongType)  // finite literal beyond Double
    }

    /// Tensors past 256 KiB grow into mapped pages (TensorStorage): values, shape and the element
    /// limit are the same on both sides of that switch.
    @Test func largeTensorsAcrossTheMappedStorageSwitch() throws {
        for n in [65_535, 65_536, 65_537, 131_073, 300_001] {
            let values = (0..<n).map { Float($0 % 1000) - 500.25 }
            let text = "{\"x\":[[" + values.map { "\($0)" }.joined(separator: ",") + "]]}"
            guard case .object(let members) = try parse(text), case .tensor(let t)? = members.first?.value else {
                Issue.record("no tensor for \(n)")
                continue
            }
            #expect(t.shape == [1, n])
            #expect(t.values == values)
        }
        let limited = DecodingLimits(maxElements: 200_000)
        #expect(parseError("[" + Array(repeating: "1", count: 200_001).joined(separator: ",") + "]", limits: limited)?.code == .tooManyElements)
        #expect(try parse("[" + Array(repeating: "1", count: 200_000).joined(separator: ",") + "]", limits: limited)
            == .tensor(Tensor([Float](repeating: 1, count: 200_000))))
    }

    @Test func objectsKeepOrderAndDuplicates() throws {
        let v = try parse(#"{"b": 1, "a": [true, null], "b": "x", "c": {"d": {}}}"#)
        guard case .object(let members) = v else {
            Issue.record("not an object: \(v)")
            return
        }
        #expect(members.map(\.key) == ["b", "a", "b", "c"])
        #expect(v["b"] == .string("x"))  // last one wins
        #expect(v["a"] == .array([.bool(true), .null]))
        #expect(v["c"]?["d"] == .object([]))
        #expect(v["missing"] == nil)
    }

    @Test func genericArraysOfNonNumbers() throws {
        #expect(try parse(#"["a", 1]"#) == .array([.string("a"), .number(1)]))
        #expect(try parse(#"[{"x": 1}, [2]]"#) == .array([.object([(key: "x", value: .number(1))]), .tensor(Tensor([2]))]))
        #expect(try parse("[[true], [false]]") == .array([.array([.bool(true)]), .array([.bool(false)])]))
        #expect(try parse("[null]") == .array([.null]))
        // No numeric leaf before the odd element: an ordinary array.
        #expect(try parse(#"[[], "a"]"#) == .array([.array([]), .string("a")]))
    }

    @Test func strings() throws {
        #expect(try parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{c}\n\r\t"))
        #expect(try parse(#""\u0041\u00e9\u20AC""#) == .string("Aé€"))
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try parse("\"héllo 😀 €\"") == .string("héllo 😀 €"))
        #expect(try parse(#""\u0000""#) == .string("\u{0}"))
        #expect(try parse(#"{"k\u00e9y": 1}"#)["kéy"] == .number(1))
    }

    @Test(arguments: [
        (#""\ud83d""#, "lone high surrogate") as (String, String),
        (#""\ude00""#, "lone low surrogate"),
        (#""\ud83d\u0041""#, "high surrogate + non-surrogate"),
        (#""\u12""#, "short unicode escape"),
        (#""\uZZZZ""#, "bad hex"),
        (#""\x""#, "unknown escape"),
        ("\"a\u{1}b\"", "raw control character"),
        ("\"a\nb\"", "raw newline"),
        ("\"abc", "unterminated"),
    ])
    func invalidStrings(_ text: String, _ why: String) {
        #expect(parseError(text)?.code == .syntax, "\(why)")
    }

    @Test func invalidUTF8IsASyntaxErrorWithOffset() {
        let cases: [[UInt8]] = [
            [0x22, 0x61, 0xFF, 0x22],              // invalid byte
            [0x22, 0xC3, 0x22],                    // truncated sequence
            [0x22, 0xC0, 0x80, 0x22],              // overlong
            [0x22, 0xED, 0xA0, 0x80, 0x22],        // UTF-8 encoded surrogate
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // > U+10FFFF
            [0x22, 0xE2, 0x82, 0x22],              // missing continuation
        ]
        for bytes in cases {
            let error = parseError(bytes: bytes)
            #expect(error?.code == .syntax, "\(bytes)")
            #expect(error?.offset != nil && error!.offset! >= 1, "\(bytes)")
        }
    }

    @Test(arguments: [
        "", " ", "+1", "01", "-01", "1.", ".5", "-", "1e", "1e+", "--1", "NaN", "Infinity", "-Infinity",
        "tru", "nul", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "[1 2]",
        "{\"a\":1 \"b\":2}", "[", "{", "]", "[1}", "{\"a\":1]", "'a'", "[01]", "[1.]", "[.5]", "[+1]",
        "[-]", "[1e]", "[NaN]", "[[1], [2}", "[1, 2", "[1, 2,",
    ])
    func invalidDocuments(_ text: String) {
        let error = parseError(text)
        #expect(error?.code == .syntax, "\(text.debugDescription) → \(String(describing: error))")
        #expect(error?.offset != nil)
    }

    @Test func trailingData() {
        #expect(parseError("1 2")?.code == .trailingData)
        #expect(parseError("[1] x")?.code == .trailingData)
        #expect(parseError("{} {}")?.code == .trailingData)
        #expect(parseError("0x10")?.code == .trailingData)  // "0" is a whole document
        #expect(parseError("1.5.2")?.code == .trailingData)
        #expect(parseError("[1]\n\t ") == nil)
    }

    /// A UTF-8 byte order mark at the start is skipped; elsewhere it is an error.
    @Test func byteOrderMark() throws {
        #expect(try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array("[1]".utf8)) == .tensor(Tensor([1])))
        #expect(parseError(bytes: [0x20, 0xEF, 0xBB, 0xBF, 0x31])?.code == .syntax)
    }

    @Test func errorPointersAndOffsets() {
        let e = parseError(#"{"a": [1, 2], "b": {"c": [tru]}}"#)
        #expect(e?.code == .syntax)
        #expect(e?.pointer == "/b/c/0")
        #expect(e?.offset == 29)  // the first byte that does not fit "true"
        let escaped = parseError(#"{"a/b": {"m~n": x}}"#)
        #expect(escaped?.pointer == "/a~1b/m~0n")
    }
}

@Suite struct JSONParserDepth {
    @Test func deepArraysAndObjectsStopAtTheLimit() {
        let deepArray = String(repeating: "[", count: 100_000)
        #expect(parseError(deepArray)?.code == .tooDeep)
        let deepClosed = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(parseError(deepClosed)?.code == .tooDeep)
        let deepObject = String(repeating: #"{"a":"#, count: 100_000)
        #expect(parseError(deepObject)?.code == .tooDeep)
        let mixed = String(repeating: #"[{"a":"#, count: 50_000)
        #expect(parseError(mixed)?.code == .tooDeep)
        let strings = String(repeating: #"[["#, count: 50_000) + #""a""#
        #expect(parseError(strings)?.code == .tooDeep)
    }

    @Test func depthLimitIsExact() throws {
        let limits = DecodingLimits(maxElements: 100, maxDepth: 4)
        #expect(try parse("[[[[1]]]]", limits: limits) == .tensor(Tensor(shape: [1, 1, 1, 1], values: [1])))
        #expect(parseError("[[[[[1]]]]]", limits: limits)?.code == .tooDeep)
        #expect(try parse(#"{"a": {"b": {"c": [1]}}}"#, limits: limits)["a"]?["b"]?["c"] == .tensor(Tensor([1])))
        #expect(parseError(#"{"a": {"b": {"c": [[1]]}}}"#, limits: limits)?.code == .tooDeep)
        #expect(parseError(#"{"a": {"b": {"c": {"d": {}}}}}"#, limits: limits)?.code == .tooDeep)
        #expect(try parse(#"[[[["a"]]]]"#, limits: limits) == .array([.array([.array([.array([.string("a")])])])]))
        #expect(parseError(#"[[[[["a"]]]]]"#, limits: limits)?.code == .tooDeep)
    }

    /// With a huge configured limit the iterative generic path still cannot overflow the stack.
    @Test func hugeDepthLimitDoesNotRecurse() throws {
        let n = 200_000
        let text = String(repeating: #"{"a":"#, count: n) + "1" + String(repeating: "}", count: n)
        var v = try parse(text, limits: DecodingLimits(maxDepth: n + 1))
        var depth = 0
        while case .object(let m) = v {
            v = m[0].value
            depth += 1
        }
        #expect(depth == n)
        #expect(v == .number(1))
    }
}

@Suite struct JSONTensorFastPath {
    private func tensor(_ text: String, limits: DecodingLimits = .init()) throws -> Tensor? {
        guard case .tensor(let t) = try parse(text, limits: limits) else { return nil }
        return t
    }

    @Test func shapes() throws {
        #expect(try tensor("[1]") == Tensor(shape: [1], values: [1]))
        #expect(try tensor("[1, 2.5, -3e2]") == Tensor(shape: [3], values: [1, 2.5, -300]))
        #expect(try tensor("[[1,2],[3,4]]") == Tensor(shape: [2, 2], values: [1, 2, 3, 4]))
        #expect(try tensor("[[1,2,3]]") == Tensor(shape: [1, 3], values: [1, 2, 3]))
        #expect(try tensor("[[1],[2],[3]]") == Tensor(shape: [3, 1], values: [1, 2, 3]))
        #expect(try tensor("[[[1,2],[3,4],[5,6]],[[7,8],[9,10],[11,12]]]")
                == Tensor(shape: [2, 3, 2], values: (1...12).map(Float.init)))
        #expect(try tensor(" [ [ 1 , 2 ] ,\n[ 3 ,4 ] ] ") == Tensor(shape: [2, 2], values: [1, 2, 3, 4]))
        #expect(try tensor("[[]]") == Tensor(shape: [1, 0], values: []))
        #expect(try tensor("[[], []]") == Tensor(shape: [2, 0], values: []))
        #expect(try tensor("[[[]], [[]]]") == Tensor(shape: [2, 1, 0], values: []))
        #expect(try tensor("[ [ ] ]") == Tensor(shape: [1, 0], values: []))
        #expect(try parse("[]") == .array([]))
    }

    @Test func insideObjects() throws {
        let v = try parse(#"{"x": [[1, 2], [3, 4]], "grad_output": [0.5, 0.25], "name": "relu"}"#)
        #expect(v["x"] == .tensor(Tensor(shape: [2, 2], values: [1, 2, 3, 4])))
        #expect(v["grad_output"] == .tensor(Tensor([0.5, 0.25])))
        #expect(v["name"] == .string("relu"))
    }

    @Test func nonFiniteStrings() throws {
        let t = try #require(try tensor(#"["NaN", "Infinity", "-Infinity", 1]"#))
        #expect(t.shape == [4])
        #expect(t.values[0].isNaN)
        #expect(t.values[1] == .infinity)
        #expect(t.values[2] == -.infinity)
        #expect(t.values[3] == 1)
        // First leaf may be one of the strings; escaped spellings are the same strings.
        let u = try #require(try tensor(#"[["Infinity", 2], ["\u004EaN", 3]]"#))
        #expect(u.shape == [2, 2])
        #expect(u.values[0] == .infinity && u.values[2].isNaN)
        // Other strings are not numbers.
        #expect(try parse(#"["nan", 1]"#) == .array([.string("nan"), .number(1)]))
        #expect(try parse(#"["inf"]"#) == .array([.string("inf")]))
    }

    @Test func nonFiniteRoundTrip() throws {
        let values: [Float] = [.nan, .infinity, -.infinity, 0, -0.0, 1.5]
        var w = JSONWriter()
        values.withUnsafeBufferPointer { w.writeFlatArray($0) }
        #expect(String(decoding: w.bytes, as: UTF8.self) == #"["NaN","Infinity","-Infinity",0.0,-0.0,1.5]"#)
        let t = try #require(try tensor(String(decoding: w.bytes, as: UTF8.self)))
        #expect(t.values[0].isNaN)
        #expect(t.values.dropFirst().map(\.bitPattern) == values.dropFirst().map(\.bitPattern))
    }

    @Test(arguments: [
        (#"{"x": [[1,2],[3]]}"#, "/x/1"),
        (#"{"x": [[1,2],[3,4,5]]}"#, "/x/1"),
        (#"{"x": [[1,2],[]]}"#, "/x/1"),
        (#"{"x": [[],[1]]}"#, "/x/1"),
        (#"{"x": [[1],[2],[3,4]]}"#, "/x/2"),
        (#"[[[1,2],[3,4]],[[5,6],[7]]]"#, "/1/1"),
        (#"[[[1,2],[3,4]],[[5,6]]]"#, "/1"),
        (#"[[[1]],[[2],[3]]]"#, "/1"),
        (#"[[[]],[[1]]]"#, "/1/0"),
    ])
    func raggedArrays(_ text: String, _ pointer: String) {
        let e = parseError(text)
        #expect(e?.code == .ragged, "\(text)")
        #expect(e?.pointer == pointer, "\(text)")
        #expect(e?.message.contains(pointer) == true)
    }

    @Test(arguments: [
        (#"{"x": [1, "a"]}"#, "/x/1"),
        (#"{"x": [1, null]}"#, "/x/1"),
        (#"{"x": [1, true]}"#, "/x/1"),
        (#"{"x": [1, [2]]}"#, "/x/1"),
        (#"{"x": [1, {}]}"#, "/x/1"),
        (#"{"x": [[1],2]}"#, "/x/1"),
        (#"{"x": [[1],"a"]}"#, "/x/1"),
        (#"{"x": [[1,2],[3,"b"]]}"#, "/x/1/1"),
        (#"[["NaN", "nan"]]"#, "/0/1"),
        (#"[[1], [[2]]]"#, "/1/0"),
    ])
    func mixedTypes(_ text: String, _ pointer: String) {
        let e = parseError(text)
        #expect(e?.code == .wrongType, "\(text)")
        #expect(e?.pointer == pointer, "\(text)")
    }

    @Test func syntaxErrorsInsideTensors() {
        for text in ["[1,]", "[1 2]", "[[1],]", "[1,,2]", "[1, 2", "[[1, 2], [3, 4]", "[1, +2]", "[1, 01]",
                     "[1, .5]", "[1, 1.]", "[1, -]", "[1, NaN]", "[1, Infinity]", "[1, 2]]", "[1e5x]"] {
            let e = parseError(text)
            #expect(e?.code == .syntax || e?.code == .trailingData, "\(text) → \(String(describing: e))")
        }
    }

    @Test func elementLimit() throws {
        let limits = DecodingLimits(maxElements: 4, maxDepth: 8)
        #expect(try tensor("[1,2,3,4]", limits: limits)?.count == 4)
        #expect(try tensor("[[1,2],[3,4]]", limits: limits)?.count == 4)
        let e = parseError("[1,2,3,4,5]", limits: limits)
        #expect(e?.code == .tooManyElements)
        #expect(e?.message.contains("4") == true)
        #expect(parseError("[[1,2],[3,4],[5,6]]", limits: limits)?.code == .tooManyElements)
        #expect(parseError("[1]", limits: DecodingLimits(maxElements: 0))?.code == .tooManyElements)
        // A large array against the default limit grows its storage as it goes.
        let big = "[" + Array(repeating: "1", count: 100_000).joined(separator: ",") + "]"
        #expect(try tensor(big)?.count == 100_000)
        #expect(parseError(big, limits: DecodingLimits(maxElements: 99_999))?.code == .tooManyElements)
    }

    @Test func float32RangeAndRounding() throws {
        #expect(try tensor("[3.4028235e38]")?.values == [.greatestFiniteMagnitude])
        #expect(try tensor("[-3.4028235e38]")?.values == [-.greatestFiniteMagnitude])
        #expect(try tensor("[3.40282356e38]")?.values == [.greatestFiniteMagnitude])  // below the overflow midpoint
        #expect(try tensor("[1e-46]")?.values == [0])                                 // underflow is fine
        #expect(try tensor("[-1e-50]")?.values.first?.bitPattern == (-0.0 as Float).bitPattern)
        #expect(try tensor("[1.4e-45]")?.values == [.leastNonzeroMagnitude])
        #expect(try tensor("[0.1]")?.values == [0.1])
        #expect(try tensor("[16777217]")?.values == [16_777_216])  // ties to even
        for text in ["[1e39]", "[-1e39]", "[3.4028236e38]", "[1e400]", "[123456789e300]"] {
            let e = parseError(text)
            #expect(e?.code == .wrongType, "\(text)")
            #expect(e?.message.contains("float32 range") == true, "\(text)")
            #expect(e?.pointer == "/0", "\(text)")
        }
    }
}
