import Activations
import Codecs
import HTTPServer

/// `POST /v1/activations/{name}/forward|gradient` and `POST /v1/evaluate`.
struct EvaluationRoutes: Sendable {
    let catalog: Catalog
    let limits: DecodingLimits
    let metrics: ServiceMetrics
    /// By canonical name: what a request without `params` and `adversarial` needs, made once.
    private let defaults: [String: Defaults]

    /// An activation at its default parameters: resolved values, kernel, and the JSON answer's
    /// head `{"activation":…,"params":{…},"adversarial":false` (written by the same code as
    /// for any other request).
    struct Defaults: Sendable {
        let descriptor: ActivationDescriptor
        let resolved: ResolvedParameters
        let kernel: any ActivationKernel
        let head: String
    }

    init(catalog: Catalog, limits: DecodingLimits, metrics: ServiceMetrics) {
        self.catalog = catalog
        self.limits = limits
        self.metrics = metrics
        var defaults: [String: Defaults] = [:]
        for name in catalog.names {
            guard let (d, resolved) = try? catalog.resolve(name, params: [:]),
                  let kernel = try? catalog.kernel(for: d, resolved: resolved, adversarial: false) else { continue }
            var w = JSONWriter()
            Self.writeHead(&w, name: d.name, resolved: resolved, adversarial: false)
            defaults[d.name] = Defaults(descriptor: d, resolved: resolved, kernel: kernel, head: String(decoding: w.bytes, as: UTF8.self))
        }
        self.defaults = defaults
    }

    func register(in router: inout Router) {
        router.add("POST", "/v1/activations/{name}/forward", offloadsLargeBodies: true, answersFloatArrays: true) { ctx throws(Problem) in
            try self.evaluate(ctx, route: .forward)
        }
        router.add("POST", "/v1/activations/{name}/gradient", offloadsLargeBodies: true, answersFloatArrays: true) { ctx throws(Problem) in
            try self.evaluate(ctx, route: .gradient)
        }
        router.add("POST", "/v1/evaluate", offloadsLargeBodies: true, answersFloatArrays: true) { ctx throws(Problem) in
            try self.evaluateMany(ctx)
        }
    }

    private func descriptor(_ name: String) throws(Problem) -> ActivationDescriptor {
        guard let d = catalog.descriptor(named: name) else {
            throw Problem(404, "unknown-activation", "Not found",
                          "unknown activation '\(name)'; known: \(catalog.names.joined(separator: ", "))")
        }
        return d
    }

    func evaluate(_ ctx: RouteContext, route: EvaluationRequest.Route) throws(Problem) -> HTTPResponse {
        let name = ctx.pathParameters["name"] ?? ""
        let prepared = defaults[name]
        let d: ActivationDescriptor
        if let prepared { d = prepared.descriptor } else { d = try descriptor(name) }
        let req = try EvaluationRequest.decode(ctx, route: route, activation: d, limits: limits)
        guard let out = negotiateAccept(ctx.request.headers["Accept"], available: [.json, .binary, .npy], fallback: req.format) else {
            throw Problem(406, "not-acceptable", "Not acceptable",
                          "Accept '\(ctx.request.headers["Accept"] ?? "")' matches none of application/json, application/octet-stream, application/x-npy")
        }
        let paramsPointer: String? = req.format == .json ? "/params" : nil
        let resolved: ResolvedParameters
        let kernel: any ActivationKernel
        let usesDefaults = req.params.isEmpty && !req.adversarial && prepared != nil
        if usesDefaults, let prepared {
            (resolved, kernel) = (prepared.resolved, prepared.kernel)
        } else {
            do throws(ActivationError) {
                (_, resolved) = try catalog.resolve(d.name, params: req.params)
                kernel = try catalog.kernel(for: d, resolved: resolved, adversarial: req.adversarial)
            } catch {
                throw Problem(error, paramsPointer: paramsPointer)
            }
        }
        metrics.elementsEvaluated(activation: d.name, count: req.x.count)

        let x = req.x
        /// `{"activation","params","adversarial","shape"` (object left open), prepared or written.
        func writeAnswerHead(_ w: inout JSONWriter) {
            if usesDefaults, let prepared {
                w.writeRaw(prepared.head)
            } else {
                Self.writeHead(&w, name: d.name, resolved: resolved, adversarial: req.adversarial)
            }
            Self.writeShape(&w, x.shape)
        }
        if out != .json {
            // Binary answers carry y (forward) or dydx (gradient), written straight into the body
            // (from x where it lies in the request body for float32 bodies: 2 payloads in all).
            return binaryResponse(format: out, shape: x.shape, count: x.count) { dst in
                x.withUnsafeBufferPointer { src in
                    if route == .forward { Evaluator.forward(kernel, src, into: dst) } else { Evaluator.derivative(kernel, src, into: dst) }
                }
            }
        }

        if req.gradOutput == nil && !req.paramGradients && x.count > streamBlock && !x.shape.isEmpty {
            // One output printed block by block as it is evaluated: no array of y (or dydx).
            // Arrays that use every core are evaluated in larger blocks, each split across them.
            // Arrays of one block take the array path below (one allocation fewer).
            let parallel = Evaluator.runsInParallel(count: x.count)
            var head = JSONWriter(reservingCapacity: 512)
            writeAnswerHead(&head)
            head.writeRaw(route == .forward ? ",\"y\":" : ",\"dydx\":")
            var bytes: [UInt8] = []
            bytes.reserveCapacity(head.bytes.count + x.count * 14 + 16)
            bytes.append(contentsOf: head.bytes)
            x.withUnsafeBufferPointer { xs in
                appendStreamedTensor(&bytes, shape: x.shape, count: x.count, block: parallel ? parallelStreamBlock : streamBlock) { range, dst in
                    let src = UnsafeBufferPointer(rebasing: xs[range])
                    if !parallel {
                        if route == .forward { kernel.forward(src, into: dst) } else { kernel.derivative(src, into: dst) }
                    } else if route == .forward {
                        Evaluator.forward(kernel, src, into: dst, parallel: true)
                    } else {
                        Evaluator.derivative(kernel, src, into: dst, parallel: true)
                    }
                }
            }
            bytes.append(UInt8(ascii: "}"))
            return jsonResponse(bytes)
        }

        var w = JSONWriter(reservingCapacity: x.count * 14 * (route == .forward ? 1 : (req.gradOutput == nil ? 1 : 2)) + 512)
        writeAnswerHead(&w)
        if route == .forward {
            let y = Evaluator.forward(kernel, x)
            w.writeRaw(",\"y\":")
            y.withUnsafeBufferPointer { w.writeTensor($0, shape: x.shape) }
        } else {
            let dydx = Evaluator.derivative(kernel, x)
            w.writeRaw(",\"dydx\":")
            dydx.withUnsafeBufferPointer { w.writeTensor($0, shape: x.shape) }
            if let g = req.gradOutput {
                var gradInput = [Float](repeating: 0, count: x.count)
                for i in 0..<x.count { gradInput[i] = g.values[i] * dydx[i] }
                w.writeRaw(",\"grad_input\":")
                gradInput.withUnsafeBufferPointer { w.writeTensor($0, shape: x.shape) }
                let sums = x.withUnsafeBufferPointer { xs in
                    g.values.withUnsafeBufferPointer { gs in kernel.parameterGradients(xs, gradOutput: gs) }
                }
                w.writeRaw(",\"grad_params\":{")
                for (k, shape) in kernel.parameterGradientShapes.enumerated() {
                    if k > 0 { w.writeRaw(",") }
                    w.writeString(shape.name)
                    w.writeRaw(":")
                    if isVectorParameter(shape.name, in: d) {
                        w.writeRaw("[")
                        for (j, v) in sums[k].enumerated() {
                            if j > 0 { w.writeRaw(",") }
                            w.writeFloat(Float(v))
                        }
                        w.writeRaw("]")
                    } else {
                        w.writeFloat(Float(sums[k][0]))
                    }
                }
                w.writeRaw("}")
            }
            if req.paramGradients {
                writeParameterDerivatives(&w, kernel: kernel, descriptor: d, x: x)
            }
        }
        w.writeRaw("}")
        return jsonResponse(w.bytes)
    }

    private func isVectorParameter(_ name: String, in d: ActivationDescriptor) -> Bool {
        d.parameters.first { $0.name == name }?.kind == .numbers
    }

    private func writeParameterDerivatives(_ w: inout JSONWriter, kernel: any ActivationKernel, descriptor d: ActivationDescriptor, x: InputTensor) {
        let shapes = kernel.parameterGradientShapes
        // One flat buffer holds every parameter's rows side by side.
        var offsets: [Int] = []
        var total = 0
        for s in shapes {
            offsets.append(total)
            total += x.count * s.width
        }
        var buffer = [Float](repeating: 0, count: total)
        buffer.withUnsafeMutableBufferPointer { all in
            let outputs = shapes.indices.map { k in
                UnsafeMutableBufferPointer(rebasing: all[offsets[k]..<offsets[k] + x.count * shapes[k].width])
            }
            x.withUnsafeBufferPointer { kernel.parameterDerivatives($0, into: outputs) }
        }
        w.writeRaw(",\"dparams\":{")
        buffer.withUnsafeBufferPointer { all in
            for (k, shape) in shapes.enumerated() {
                if k > 0 { w.writeRaw(",") }
                w.writeString(shape.name)
                w.writeRaw(":")
                let part = UnsafeBufferPointer(rebasing: all[offsets[k]..<offsets[k] + x.count * shape.width])
                w.writeTensor(part, shape: isVectorParameter(shape.name, in: d) ? [x.count, shape.width] : x.shape)
            }
        }
        w.writeRaw("}")
    }

    /// `{"activation","params","adversarial"` (object left open).
    static func writeHead(_ w: inout JSONWriter, name: String, resolved: ResolvedParameters, adversarial: Bool) {
        w.writeRaw("{\"activation\":")
        w.writeString(name)
        w.writeRaw(",\"params\":")
        writeParameters(&w, resolved)
        w.writeRaw(adversarial ? ",\"adversarial\":true" : ",\"adversarial\":false")
    }

    /// `,"shape":[…]`.
    static func writeShape(_ w: inout JSONWriter, _ shape: [Int]) {
        w.writeRaw(",\"shape\":[")
        for (i, n) in shape.enumerated() {
            if i > 0 { w.writeRaw(",") }
            w.writeRaw(String(n))
        }
        w.writeRaw("]")
    }

    // MARK: /v1/evaluate

    func evaluateMany(_ ctx: RouteContext) throws(Problem) -> HTTPResponse {
        guard PayloadFormat(contentType: ctx.request.headers["Content-Type"]) == .json else {
            throw Problem(415, "unsupported-media-type", "Unsupported media type", "/v1/evaluate takes application/json (curl --json; curl -d alone sends a form type)")
        }
        let doc: JSONValue
        do throws(CodecError) { doc = try JSONParser.parse(ctx.request.body, limits: limits) } catch { throw Problem(error) }
        guard case .object(let members) = doc else {
            throw Problem.badRequest("malformed-body", "the body must be a JSON object", pointer: "")
        }
        for m in members where !["x", "activations", "outputs"].contains(m.key) {
            throw Problem.badRequest("unknown-field", "unknown field '\(m.key)'; allowed: activations, outputs, x", pointer: "/\(m.key)")
        }
        guard let xValue = doc["x"] else { throw Problem.badRequest("missing-field", "field \"x\" is required", pointer: "/x") }
        let x = try tensor(from: xValue, pointer: "/x")
        var outputs: [String] = ["y"]
        if let o = doc["outputs"] {
            guard case .array(let items) = o, !items.isEmpty else {
                throw Problem.badRequest("wrong-type", "outputs must be a non-empty array of \"y\" and/or \"dydx\"", pointer: "/outputs")
            }
            outputs = []
            for (i, item) in items.enumerated() {
                guard case .string(let s) = item, s == "y" || s == "dydx" else {
                    throw Problem.badRequest("wrong-type", "outputs entries must be \"y\" or \"dydx\"", pointer: "/outputs/\(i)")
                }
                if !outputs.contains(s) { outputs.append(s) }
            }
        }
        guard case .array(let list)? = doc["activations"], !list.isEmpty else {
            throw Problem.badRequest("missing-field", "activations must be a non-empty array of {\"name\", \"params\"?, \"adversarial\"?}", pointer: "/activations")
        }
        guard list.count <= 64 else {
            throw Problem.badRequest("too-many-activations", "at most 64 activations per request", pointer: "/activations")
        }
        struct Job { let name: String; let resolved: ResolvedParameters; let adversarial: Bool; let kernel: any ActivationKernel }
        var jobs: [Job] = []
        for (i, item) in list.enumerated() {
            let p = "/activations/\(i)"
            guard case .object(let fields) = item, case .string(let name)? = item["name"] else {
                throw Problem.badRequest("missing-field", "each activation needs a \"name\"", pointer: "\(p)/name")
            }
            for f in fields where !["name", "params", "adversarial"].contains(f.key) {
                throw Problem.badRequest("unknown-field", "unknown field '\(f.key)'", pointer: "\(p)/\(f.key)")
            }
            let params = try parameters(from: item["params"], pointer: "\(p)/params")
            let adversarial = try bool(item["adversarial"], pointer: "\(p)/adversarial")
            do throws(ActivationError) {
                let (d, r) = try catalog.resolve(name, params: params)
                jobs.append(Job(name: d.name, resolved: r, adversarial: adversarial, kernel: try catalog.kernel(for: d, resolved: r, adversarial: adversarial)))
            } catch {
                var problem = Problem(error, paramsPointer: "\(p)/params")
                if error.code == .unknownActivation {
                    problem = Problem(400, "unknown-activation", "Bad request", error.message, errors: [.init(pointer: "\(p)/name", detail: error.message)])
                } else if error.code == .adversarialUnsupported {
                    problem.errors = [.init(pointer: "\(p)/adversarial", detail: error.message)]
                }
                throw problem
            }
        }
        var w = JSONWriter(reservingCapacity: x.count * 14 * jobs.count * outputs.count + 256)
        w.writeRaw("{\"shape\":[\(x.shape.map(String.init).joined(separator: ","))],\"results\":[")
        for (i, job) in jobs.enumerated() {
            metrics.elementsEvaluated(activation: job.name, count: x.count)
            if i > 0 { w.writeRaw(",") }
            w.writeRaw("{\"activation\":")
            w.writeString(job.name)
            w.writeRaw(",\"params\":")
            writeParameters(&w, job.resolved)
            w.writeRaw(",\"adversarial\":\(job.adversarial)")
            for o in outputs {
                let values = o == "y" ? Evaluator.forward(job.kernel, x.values) : Evaluator.derivative(job.kernel, x.values)
                w.writeRaw(",\"\(o)\":")
                values.withUnsafeBufferPointer { w.writeTensor($0, shape: x.shape) }
            }
            w.writeRaw("}")
        }
        w.writeRaw("]}")
        return jsonResponse(w.bytes)
    }
}

// MARK: - Response helpers

func jsonResponse(_ bytes: [UInt8], status: Int = 200, headers: HTTPHeaders = [:]) -> HTTPResponse {
    var h = headers
    h.set("Content-Type", "application/json")
    return HTTPResponse(status: status, headers: h, bytes: bytes)
}

func jsonResponse(_ value: JSONValue, status: Int = 200, headers: HTTPHeaders = [:]) -> HTTPResponse {
    var w = JSONWriter()
    w.write(value)
    return jsonResponse(w.bytes, status: status, headers: headers)
}

/// Floats evaluated per block when a JSON answer is printed as it is evaluated (small arrays).
let streamBlock = 4096
/// Floats evaluated per block for arrays that use every core (each block split across them).
let parallelStreamBlock = 1 << 16

/// Appends the JSON text of a float tensor of `shape` (`count` > 0 elements, so every dimension
/// is > 0) whose values `produce` writes for a range of flat indices into a scratch buffer of
/// that length (at most `block` values). The bytes equal `JSONWriter.writeTensor` of the whole
/// tensor, but only one block of values exists at a time, and the text goes through writers of
/// about `printBlock` values each before it is appended.
func appendStreamedTensor(_ out: inout [UInt8], shape: [Int], count: Int, block: Int = streamBlock, printBlock: Int = streamBlock,
                          produce: (Range<Int>, UnsafeMutableBufferPointer<Float>) -> Void) {
    precondition(count > 0 && !shape.isEmpty && shape.reduce(1, *) == count && block > 0 && printBlock > 0,
                 "appendStreamedTensor: shape \(shape) does not match \(count) values")
    let rowLength = shape[shape.count - 1]
    let rows = count / rowLength
    let outer = shape.dropLast()
    /// How many enclosing arrays close before row `q` and open again after its comma
    /// (row 0 opens all of them).
    func reopened(before q: Int) -> Int {
        var t = 0
        var p = 1
        for d in outer.reversed() {
            p *= d
            guard q % p == 0 else { break }
            t += 1
        }
        return t
    }
    func writer(_ values: Int) -> JSONWriter { JSONWriter(reservingCapacity: values * 12 + 64) }
    withUnsafeTemporaryAllocation(of: Float.self, capacity: min(block, count)) { scratch in
        if rowLength <= block {
            // Whole rows per block: brackets, commas and rows go through writers of about
            // `printBlock` values.
            let rowsPerBlock = block / rowLength
            var r = 0
            while r < rows {
                let end = min(rows, r + rowsPerBlock)
                let values = UnsafeMutableBufferPointer(rebasing: scratch[0..<((end - r) * rowLength)])
                produce((r * rowLength)..<(end * rowLength), values)
                var w = writer(min(values.count, printBlock + rowLength))
                var pending = 0
                for q in r..<end {
                    let t = reopened(before: q)
                    if q > 0 {
                        for _ in 0..<t { w.writeRaw("]") }
                        w.writeRaw(",")
                    }
                    for _ in 0..<t { w.writeRaw("[") }
                    let start = (q - r) * rowLength
                    w.writeFlatArray(UnsafeBufferPointer(rebasing: values[start..<(start + rowLength)]))
                    pending += rowLength
                    if pending >= printBlock && q + 1 < end {
                        out.append(contentsOf: w.bytes)
                        w = writer(min(values.count, printBlock + rowLength))
                        pending = 0
                    }
                }
                if end == rows {
                    for _ in outer { w.writeRaw("]") }
                }
                out.append(contentsOf: w.bytes)
                r = end
            }
        } else {
            // Rows longer than a block: each row in pieces of at most `printBlock` values,
            // the pieces' brackets dropped.
            for q in 0..<rows {
                let t = reopened(before: q)
                if q > 0 {
                    out.append(contentsOf: repeatElement(UInt8(ascii: "]"), count: t))
                    out.append(UInt8(ascii: ","))
                }
                out.append(contentsOf: repeatElement(UInt8(ascii: "["), count: t))
                var start = 0
                while start < rowLength {
                    let end = min(rowLength, start + block)
                    let values = UnsafeMutableBufferPointer(rebasing: scratch[0..<(end - start)])
                    produce((q * rowLength + start)..<(q * rowLength + end), values)
                    var piece = 0
                    while piece < values.count {
                        let pieceEnd = min(values.count, piece + printBlock)
                        var w = writer(pieceEnd - piece)
                        w.writeFlatArray(UnsafeBufferPointer(rebasing: values[piece..<pieceEnd]))
                        out.append(start == 0 && piece == 0 ? UInt8(ascii: "[") : UInt8(ascii: ","))
                        out.append(contentsOf: w.bytes[1..<(w.bytes.count - 1)])
                        piece = pieceEnd
                    }
                    start = end
                }
                out.append(UInt8(ascii: "]"))
            }
            out.append(contentsOf: repeatElement(UInt8(ascii: "]"), count: outer.count))
        }
    }
}

/// A float32 answer as raw little-endian bytes or a .npy file; `fill` writes every value in place.
/// The body is allocated once and not zero-filled first: `fill` writes straight into it.
func binaryResponse(format: PayloadFormat, shape: [Int], count: Int, fill: (UnsafeMutableBufferPointer<Float>) -> Void) -> HTTPResponse {
    let header = format == .npy ? NPY.header(shape: shape) : []
    let total = header.count + count * 4
    let bytes = [UInt8](unsafeUninitializedCapacity: total) { raw, initialized in
        for (i, b) in header.enumerated() { raw[i] = b }
        // The data area starts at a multiple of 64 bytes (npy) or 0 in a malloc'd buffer: 4-aligned.
        let start = UnsafeMutableRawPointer(raw.baseAddress).map { $0 + header.count }
        let floats = start?.bindMemory(to: Float.self, capacity: count)
        fill(UnsafeMutableBufferPointer(start: count == 0 ? nil : floats, count: count))
        #if _endian(big)
        for i in 0..<count { floats![i] = Float(bitPattern: floats![i].bitPattern.littleEndian) }
        #endif
        initialized = total
    }
    return HTTPResponse(status: 200, headers: ["Content-Type": format.rawValue], bytes: bytes)
}

/// Every parameter (defaults filled in) as a JSON object.
func writeParameters(_ w: inout JSONWriter, _ resolved: ResolvedParameters) {
    w.writeRaw("{")
    for (i, e) in resolved.entries.enumerated() {
        if i > 0 { w.writeRaw(",") }
        w.writeString(e.name)
        w.writeRaw(":")
        writeParameterValue(&w, e.value)
    }
    w.writeRaw("}")
}

func writeParameterValue(_ w: inout JSONWriter, _ value: ParameterValue) {
    switch value {
    case .number(let d): writeShortest(&w, d)
    case .string(let s): w.writeString(s)
    case .numbers(let ds):
        w.writeRaw("[")
        for (j, d) in ds.enumerated() {
            if j > 0 { w.writeRaw(",") }
            writeShortest(&w, d)
        }
        w.writeRaw("]")
    }
}

/// Values that came in as float32 print as float32 ("0.3", not "0.30000001192092896").
private func writeShortest(_ w: inout JSONWriter, _ d: Double) {
    if d.isFinite, Double(Float(d)) == d, d.rounded() != d { w.writeFloat(Float(d)) } else { w.writeNumber(d) }
}

func parameterJSON(_ resolved: ResolvedParameters) -> JSONValue {
    .object(resolved.entries.map { e in
        switch e.value {
        case .number(let d): return (e.name, .number(d))
        case .string(let s): return (e.name, .string(s))
        case .numbers(let ds): return (e.name, .tensor(Tensor(ds.map(Float.init))))
        }
    })
}
