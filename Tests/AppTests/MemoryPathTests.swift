import Activations
import Codecs
import Foundation
import HTTPServer
import Testing

@testable import App

/// The memory-saving paths: float32 bodies read in place, JSON answers printed block by block.
/// Each must answer byte for byte what the decode-then-evaluate path answers.
@Suite struct MemoryPathTests {
    let app = makeApp()

    /// Floats that exercise the printer: signs, zeros, subnormals, extremes, non-finite values.
    static func sample(_ n: Int) -> [Float] {
        let special: [Float] = [0, -0.0, 1, -1, 0.1, -2.5, .leastNonzeroMagnitude, -.leastNormalMagnitude,
                                .greatestFiniteMagnitude, -3.4e38, 1e-7, 123456.79, .nan, .infinity, -.infinity]
        return (0..<n).map { i in i % 7 == 3 ? special[(i / 7) % special.count] : Float(i % 1000) / 97 - 5 }
    }

    static func kernel(_ name: String) throws -> any ActivationKernel {
        let (d, resolved) = try Catalog.standard.resolve(name, params: [:])
        return try Catalog.standard.kernel(for: d, resolved: resolved, adversarial: false)
    }

    static func bits(_ xs: [Float]) -> [UInt32] { xs.map(\.bitPattern) }

    static func npyFile(_ values: [Float], shape: [Int]) -> [UInt8] {
        values.withUnsafeBufferPointer { NPY.encode($0, shape: shape) }
    }

    /// A v1.0 file with `dict` as its header text, padded so the data starts at `dataStart`.
    static func npyFile(dict: String, dataStart: Int, data: [UInt8]) -> [UInt8] {
        var h = Array(dict.utf8)
        precondition(10 + h.count + 1 <= dataStart)
        while 10 + h.count + 1 < dataStart { h.append(0x20) }
        h.append(0x0a)
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(h.count & 0xff), UInt8(h.count >> 8)] + h + data
    }

    // MARK: streamed JSON tensors

    @Test(arguments: [[1], [5], [4096], [4097], [10_000], [3, 4], [2, 3, 4], [7, 1], [1, 7], [2, 2, 3, 2], [3, 1, 9], [1, 1, 1]])
    func streamedTensorEqualsWriteTensor(shape: [Int]) {
        let count = shape.reduce(1, *)
        let values = Self.sample(count)
        var expected = JSONWriter()
        values.withUnsafeBufferPointer { expected.writeTensor($0, shape: shape) }
        for (block, printBlock) in [(1, 1), (2, 2), (3, 3), (5, 5), (7, 7), (8, 8), (4096, 4096), (7, 2), (8, 3), (64, 5), (100, 7), (20_000, 4096)] {
            var produced = 0
            var out: [UInt8] = Array("head:".utf8)
            appendStreamedTensor(&out, shape: shape, count: count, block: block, printBlock: printBlock) { range, dst in
                #expect(range.lowerBound == produced && dst.count == range.count && range.count <= block)
                produced = range.upperBound
                for (k, i) in range.enumerated() { dst[k] = values[i] }
            }
            #expect(produced == count)
            #expect(out == Array("head:".utf8) + expected.bytes, "shape \(shape), block \(block), print block \(printBlock)")
        }
    }

    /// The forward and gradient answers of a JSON request end with exactly the tensor text the
    /// array-then-print path writes: one block (the array path), and streamed shapes that span
    /// blocks, split rows, or use every core.
    @Test(arguments: [[9], [4097], [10_000], [3, 5000], [3000, 2], [2, 3, 700], [Evaluator.parallelThreshold + 5], [3, 90_001]])
    func streamedJSONAnswersMatchTheArrayPath(shape: [Int]) throws {
        let count = shape.reduce(1, *)
        let values = Self.sample(count)
        func nest(_ flat: ArraySlice<Float>, _ dims: ArraySlice<Int>) -> Any {
            guard dims.count > 1 else {
                return flat.map { v -> Any in
                    if v.isNaN { return "NaN" }
                    if v.isInfinite { return v < 0 ? "-Infinity" : "Infinity" }
                    return Double(v)
                }
            }
            let stride = dims.dropFirst().reduce(1, *)
            return (0..<dims.first!).map { i in
                nest(flat[(flat.startIndex + i * stride)..<(flat.startIndex + (i + 1) * stride)], dims.dropFirst())
            }
        }
        let body = jsonBytes(["x": nest(values[...], shape[...])])
        let kernel = try Self.kernel("gelu")
        for (route, key) in [("forward", "y"), ("gradient", "dydx")] {
            let r = app.post("/v1/activations/gelu/\(route)", body: body, headers: ["Content-Type": "application/json"])
            try #require(r.status == 200, "\(r.text.prefix(300))")
            let out = route == "forward" ? Evaluator.forward(kernel, values) : Evaluator.derivative(kernel, values)
            var w = JSONWriter()
            w.writeRaw(",\"shape\":[\(shape.map(String.init).joined(separator: ","))],\"\(key)\":")
            out.withUnsafeBufferPointer { w.writeTensor($0, shape: shape) }
            w.writeRaw("}")
            #expect(r.text.hasPrefix("{\"activation\":\"gelu\",\"params\":"))
            #expect(r.bytes.count >= w.bytes.count && Array(r.bytes.suffix(w.bytes.count)) == w.bytes, "\(route) \(shape)")
        }
    }

    // MARK: float32 bodies read in place

    @Test func rawBodyIsReadInPlaceAndAnswersAsTheDecoder() throws {
        let xs = Self.sample(5003)
        let body = xs.withUnsafeBytes { Array($0) }
        let input = try #require(InputTensor.rawInPlace(body, limits: .init()))
        #expect(input.isInPlace && input.shape == [5003] && input.count == 5003)
        #expect(Self.bits(input.values) == Self.bits(xs))
        let kernel = try Self.kernel("gelu")
        for (route, expected) in [("forward", Evaluator.forward(kernel, xs)), ("gradient", Evaluator.derivative(kernel, xs))] {
            let r = app.post("/v1/activations/gelu/\(route)", body: body, headers: ["Content-Type": "application/octet-stream"])
            try #require(r.status == 200, "\(r.text)")
            #expect(r.bytes == expected.withUnsafeBufferPointer { RawFloat32.encode($0) })
            // The same body answered as JSON prints what a JSON request with these values does.
            let j = app.post("/v1/activations/gelu/\(route)", body: body, headers: ["Content-Type": "application/octet-stream", "Accept": "application/json"])
            var w = JSONWriter()
            expected.withUnsafeBufferPointer { w.writeTensor($0, shape: [5003]) }
            #expect(j.text.hasSuffix(String(decoding: w.bytes, as: UTF8.self) + "}"))
        }
    }

    @Test func rawBodiesTheFastPathLeavesToTheDecoder() {
        // Empty, odd length, over the element limit: not read in place; errors as before.
        #expect(InputTensor.rawInPlace([], limits: .init()) == nil)
        #expect(InputTensor.rawInPlace([0, 0, 128, 63, 0], limits: .init()) == nil)
        #expect(InputTensor.rawInPlace([UInt8](repeating: 0, count: 12), limits: .init(maxElements: 2)) == nil)
        #expect(InputTensor.rawInPlace([UInt8](repeating: 0, count: 8), limits: .init(maxElements: 2)) != nil)

        let odd = app.post("/v1/activations/relu/forward", body: [0, 0, 128, 63, 0], headers: ["Content-Type": "application/octet-stream"])
        #expect(expectProblem(odd, 400)["type"] as? String == "https://activation-service.dev/problems/bad-length")
        let empty = app.post("/v1/activations/relu/forward", body: [], headers: ["Content-Type": "application/octet-stream"])
        #expect(empty.status == 200 && empty.bytes.isEmpty)
        let limited = makeApp { $0.maxElements = 2 }
        let big = limited.post("/v1/activations/relu/forward", body: [UInt8](repeating: 0, count: 12), headers: ["Content-Type": "application/octet-stream"])
        #expect(expectProblem(big, 413)["type"] as? String == "https://activation-service.dev/problems/too-many-elements")
    }

    @Test(arguments: [[7], [2, 3], [1], [2, 2, 2], [Int]()])
    func canonicalNPYIsReadInPlace(shape: [Int]) throws {
        let xs = Self.sample(shape.reduce(1, *))
        let file = Self.npyFile(xs, shape: shape)
        let input = try #require(InputTensor.npyInPlace(file, limits: .init()))
        let decoded = try NPY.decode(file)
        #expect(input.isInPlace && input.shape == decoded.shape && Self.bits(input.values) == Self.bits(decoded.values))

        let kernel = try Self.kernel("silu")
        let expected = Evaluator.forward(kernel, xs)
        let r = app.post("/v1/activations/silu/forward", body: file, headers: ["Content-Type": "application/x-npy"])
        try #require(r.status == 200, "\(r.text)")
        #expect(r.bytes == expected.withUnsafeBufferPointer { NPY.encode($0, shape: shape) })
    }

    /// numpy's own header text (np.save of a float32 array of shape (2, 3) and (4,)).
    @Test func numpyWrittenHeadersAreReadInPlace() throws {
        let data = Self.sample(6).withUnsafeBytes { Array($0) }
        let twoD = Self.npyFile(dict: "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", dataStart: 128, data: data)
        #expect(InputTensor.npyInPlace(twoD, limits: .init())?.shape == [2, 3])
        let oneD = Self.npyFile(dict: "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", dataStart: 128, data: Array(data.prefix(16)))
        #expect(InputTensor.npyInPlace(oneD, limits: .init())?.shape == [4])
    }

    /// Files the recogniser leaves to `NPY.decode` (other dtypes, byte orders, key orders,
    /// unaligned data, errors) still answer exactly as the decoder reads them.
    @Test func otherNPYFormsAnswerAsTheDecoderDoes() throws {
        let xs = Self.sample(6)
        let le = xs.withUnsafeBytes { Array($0) }
        let be = xs.flatMap { v in withUnsafeBytes(of: v.bitPattern.bigEndian) { Array($0) } }
        let f8 = xs.flatMap { v in withUnsafeBytes(of: Double(v)) { Array($0) } }
        let files: [(String, [UInt8])] = [
            ("big-endian", Self.npyFile(dict: "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", dataStart: 128, data: be)),
            ("float64", Self.npyFile(dict: "{'descr': '<f8', 'fortran_order': False, 'shape': (6,), }", dataStart: 128, data: f8)),
            ("unaligned data", Self.npyFile(dict: "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", dataStart: 70, data: le)),
            // Any header form the decoder accepts is read in place when the data is native float32.
            ("key order", Self.npyFile(dict: "{'shape': (6,), 'descr': '<f4', 'fortran_order': False}", dataStart: 128, data: le)),
            ("no tuple comma", Self.npyFile(dict: "{'descr': '<f4', 'fortran_order': False, 'shape': (6), }", dataStart: 128, data: le)),
        ]
        let kernel = try Self.kernel("relu")
        for (name, file) in files {
            let readInPlace = name == "key order" || name == "no tuple comma"
            #expect((InputTensor.npyInPlace(file, limits: .init()) != nil) == readInPlace, "\(name)")
            let decoded = try NPY.decode(file)
            let r = app.post("/v1/activations/relu/forward", body: file, headers: ["Content-Type": "application/x-npy"])
            try #require(r.status == 200, "\(name): \(r.text)")
            let expected = Evaluator.forward(kernel, decoded.values)
            #expect(r.bytes == expected.withUnsafeBufferPointer { NPY.encode($0, shape: decoded.shape) }, "\(name)")
        }
        // Errors the decoder reports: data shorter than the shape, too many elements, zero size.
        let short = Self.npyFile(dict: "{'descr': '<f4', 'fortran_order': False, 'shape': (7,), }", dataStart: 128, data: le)
        #expect(InputTensor.npyInPlace(short, limits: .init()) == nil)
        #expect(expectProblem(app.post("/v1/activations/relu/forward", body: short, headers: ["Content-Type": "application/x-npy"]), 400)["type"] as? String
            == "https://activation-service.dev/problems/bad-length")
        let canonical = Self.npyFile(xs, shape: [6])
        #expect(InputTensor.npyInPlace(canonical, limits: .init(maxElements: 5)) == nil)
        let limited = makeApp { $0.maxElements = 5 }
        expectProblem(limited.post("/v1/activations/relu/forward", body: canonical, headers: ["Content-Type": "application/x-npy"]), 413)
        let empty = Self.npyFile([], shape: [0])
        #expect(InputTensor.npyInPlace(empty, limits: .init()) == nil)
        let r = app.post("/v1/activations/relu/forward", body: empty, headers: ["Content-Type": "application/x-npy"])
        #expect(r.status == 200 && r.bytes == NPY.encode(UnsafeBufferPointer(start: nil, count: 0), shape: [0]))
    }

    // MARK: OIP binary tensor data

    /// An OIP binary request for `xs` whose JSON header is padded by `pad` spaces (so the tail
    /// starts at every alignment), asking for y and dydx as `binary` says.
    static func inferBody(_ xs: [Float], pad: Int, binary: (y: Bool, dydx: Bool)) -> (body: [UInt8], headerLength: Int) {
        let header = Array(("{\"inputs\":[{\"name\":\"x\",\"shape\":[\(xs.count)],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":\(xs.count * 4)}}],"
            + "\"outputs\":[{\"name\":\"y\",\"parameters\":{\"binary_data\":\(binary.y)}},{\"name\":\"dydx\",\"parameters\":{\"binary_data\":\(binary.dydx)}}]}"
            + String(repeating: " ", count: pad)).utf8)
        return (header + xs.withUnsafeBytes { Array($0) }, header.count)
    }

    /// FP32 tails read in place at every alignment, small and multi-core sizes, binary and JSON
    /// outputs: the same values as the kernels over an aligned array, and the same JSON text.
    @Test(arguments: [7, 5000, Evaluator.parallelThreshold + 4099])
    func inferFP32TailsAtEveryAlignment(count: Int) throws {
        let xs = Self.sample(count)
        let kernel = try Self.kernel("gelu")
        let y = Evaluator.forward(kernel, xs), dydx = Evaluator.derivative(kernel, xs)
        for pad in 0..<4 {
            for binary in [(y: true, dydx: true), (y: false, dydx: true), (y: true, dydx: false), (y: false, dydx: false)] {
                let (body, headerLength) = Self.inferBody(xs, pad: pad, binary: binary)
                let r = app.post("/v2/models/gelu/infer", body: body, headers: [
                    "Content-Type": "application/octet-stream", "Inference-Header-Content-Length": "\(headerLength)",
                ])
                try #require(r.status == 200, "\(r.text.prefix(300))")
                let n = binary.y || binary.dydx ? Int(r.headers["Inference-Header-Content-Length"] ?? "") ?? -1 : r.bytes.count
                try #require(n > 0 && n <= r.bytes.count)
                let tails = [(binary.y, y), (binary.dydx, dydx)].filter(\.0).map(\.1)
                #expect(r.bytes.count == n + tails.count * count * 4)
                var expectedTail: [UInt8] = []
                for t in tails { expectedTail += t.withUnsafeBufferPointer { RawFloat32.encode($0) } }
                #expect(Array(r.bytes[n...]) == expectedTail, "pad \(pad) \(binary)")
                let header = String(decoding: r.bytes[0..<n], as: UTF8.self)
                for (isBinary, values) in [(binary.y, y), (binary.dydx, dydx)] where !isBinary {
                    var w = JSONWriter()
                    values.withUnsafeBufferPointer { w.writeFlatArray($0) }
                    #expect(header.contains(",\"data\":" + String(decoding: w.bytes, as: UTF8.self) + "}"))
                }
            }
        }
    }

    @Test func inferTailErrorsAndOtherDatatypesAsBefore() throws {
        // binary_data_size matches the tail but not the shape: the decoder's bad-length problem.
        let header = Array("{\"inputs\":[{\"name\":\"x\",\"shape\":[3],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":8}}]}".utf8)
        let r = app.post("/v2/models/relu/infer", body: header + [0, 0, 0, 0, 0, 0, 0, 0], headers: ["Inference-Header-Content-Length": "\(header.count)"])
        let p = expectProblem(r, 400)
        #expect(p["type"] as? String == "https://activation-service.dev/problems/bad-length")
        // FP16 goes through the decoder and answers in FP32.
        let h16 = Array("{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP16\",\"parameters\":{\"binary_data_size\":4}}],\"parameters\":{\"binary_data_output\":true}}".utf8)
        let r16 = app.post("/v2/models/relu/infer", body: h16 + [0x00, 0x3C, 0x00, 0xBC], headers: ["Inference-Header-Content-Length": "\(h16.count)"])  // 1.0, -1.0
        try #require(r16.status == 200, "\(r16.text)")
        let n = Int(r16.headers["Inference-Header-Content-Length"] ?? "") ?? -1
        #expect(Array(r16.bytes[n...]) == [Float(1), 0, 1, 0].withUnsafeBytes { Array($0) })
        // An empty FP32 tensor.
        let h0 = Array("{\"inputs\":[{\"name\":\"x\",\"shape\":[0],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":0}}],\"parameters\":{\"binary_data_output\":true}}".utf8)
        let r0 = app.post("/v2/models/relu/infer", body: h0, headers: ["Inference-Header-Content-Length": "\(h0.count)"])
        try #require(r0.status == 200, "\(r0.text)")
        #expect(Int(r0.headers["Inference-Header-Content-Length"] ?? "") == r0.bytes.count)
    }
}
