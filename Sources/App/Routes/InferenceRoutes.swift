import Activations
import Codecs
import HTTPServer

/// Open Inference Protocol v2 (KServe / Triton): every catalog entry is a model with input `x`
/// and outputs `y` and `dydx`; JSON tensors and the binary tensor data extension both ways.
struct InferenceRoutes: Sendable {
    let catalog: Catalog
    let limits: DecodingLimits
    let metrics: ServiceMetrics
    let readiness: Readiness

    static let version = "1"
    /// Request parameters that belong to the protocol, not to the activation.
    static let reservedParameters: Set<String> = [
        "binary_data_output", "adversarial", "sequence_id", "sequence_start", "sequence_end",
        "priority", "timeout", "headers",
    ]

    func register(in router: inout Router) {
        for prefix in ["/v2/models/{name}", "/v2/models/{name}/versions/{version}"] {
            router.add("GET", prefix) { ctx throws(Problem) in try self.metadata(ctx) }
            router.add("GET", prefix + "/ready") { ctx throws(Problem) in
                _ = try self.model(ctx)
                guard self.readiness.state == .ready else {
                    throw Problem(503, "not-ready", "Service unavailable", "the service is not ready", headers: ["Retry-After": "1"])
                }
                return jsonResponse(.object([("name", .string(try self.model(ctx).name)), ("ready", .bool(true))]))
            }
            router.add("POST", prefix + "/infer", offloadsLargeBodies: true, answersFloatArrays: true) { ctx throws(Problem) in try self.infer(ctx) }
        }
    }

    private func model(_ ctx: RouteContext) throws(Problem) -> ActivationDescriptor {
        let name = ctx.pathParameters["name"] ?? ""
        guard let d = catalog.descriptor(named: name) else {
            throw Problem.notFound("unknown model '\(name)'; models: \(catalog.names.joined(separator: ", "))")
        }
        if let v = ctx.pathParameters["version"], v != Self.version {
            throw Problem.notFound("model '\(name)' has no version '\(v)'; versions: \(Self.version)")
        }
        return d
    }

    private func metadata(_ ctx: RouteContext) throws(Problem) -> HTTPResponse {
        let d = try model(ctx)
        func tensor(_ name: String) -> JSONValue {
            .object([("name", .string(name)), ("datatype", .string("FP32")), ("shape", .array([.number(-1)]))])
        }
        return jsonResponse(.object([
            ("name", .string(d.name)),
            ("versions", .array([.string(Self.version)])),
            ("platform", .string("activation-service")),
            ("inputs", .array([tensor("x")])),
            ("outputs", .array([tensor("y"), tensor("dydx")])),
        ]))
    }

    private func infer(_ ctx: RouteContext) throws(Problem) -> HTTPResponse {
        let d = try model(ctx)
        let body = ctx.request.body
        var headerLength = body.count
        if let raw = ctx.request.headers["Inference-Header-Content-Length"] {
            guard let n = Int(raw.trimmed()), n >= 0, n <= body.count else {
                throw Problem.badRequest("bad-header", "Inference-Header-Content-Length '\(raw)' must be between 0 and the body length \(body.count)")
            }
            headerLength = n
        }
        let doc: JSONValue
        do throws(CodecError) {
            doc = try body.withUnsafeBytes { raw in
                Result { () throws(CodecError) in try JSONParser.parse(UnsafeRawBufferPointer(rebasing: raw[0..<headerLength]), limits: limits) }
            }.get()
        } catch { throw Problem(error) }
        guard case .object = doc else { throw Problem.badRequest("malformed-body", "the inference request must be a JSON object", pointer: "") }
        if let id = doc["id"] {
            guard case .string = id else { throw Problem.badRequest("wrong-type", "id must be a string", pointer: "/id") }
        }

        // Parameters: activation params plus `adversarial` and `binary_data_output`.
        var params: [String: ParameterValue] = [:]
        var adversarial = false
        var binaryOutputDefault = false
        if let p = doc["parameters"] {
            guard case .object(let members) = p else { throw Problem.badRequest("wrong-type", "parameters must be an object", pointer: "/parameters") }
            for (key, value) in members {
                let pointer = JSONPointer.appending(key, to: "/parameters")
                switch key {
                case "adversarial": adversarial = try bool(value, pointer: pointer)
                case "binary_data_output": binaryOutputDefault = try bool(value, pointer: pointer)
                case _ where Self.reservedParameters.contains(key): continue
                default: params[key] = try parameterValue(value, pointer: pointer)
                }
            }
        }

        // The single input `x`, from JSON data or the binary tail.
        guard case .array(let inputs)? = doc["inputs"], inputs.count == 1 else {
            throw Problem.badRequest("bad-inputs", "inputs must be an array holding exactly one tensor named \"x\"", pointer: "/inputs")
        }
        let input = inputs[0]
        guard case .string(let inputName)? = input["name"], inputName == "x" else {
            throw Problem.badRequest("bad-inputs", "the input tensor must be named \"x\"", pointer: "/inputs/0/name")
        }
        guard case .string(let datatype)? = input["datatype"] else {
            throw Problem.badRequest("missing-field", "datatype is required (FP32, FP64 or FP16)", pointer: "/inputs/0/datatype")
        }
        guard ["FP32", "FP64", "FP16"].contains(datatype) else {
            throw Problem.badRequest("unsupported-datatype", "datatype \(datatype) is not supported; use FP32, FP64 or FP16", pointer: "/inputs/0/datatype")
        }
        let shape = try shapeArray(input["shape"], pointer: "/inputs/0/shape")
        var count = 1
        for dim in shape {
            let (m, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow, m <= limits.maxElements else {
                throw Problem(413, "too-many-elements", "Payload too large", "shape \(shape) exceeds the limit of \(limits.maxElements) elements")
            }
            count = m
        }
        var binarySize: Int? = nil
        if let p = input["parameters"] {
            guard case .object = p else { throw Problem.badRequest("wrong-type", "parameters must be an object", pointer: "/inputs/0/parameters") }
        }
        if let size = input["parameters"]?["binary_data_size"] {
            guard case .number(let n) = size, n >= 0, n.rounded() == n else {
                throw Problem.badRequest("wrong-type", "binary_data_size must be a whole number", pointer: "/inputs/0/parameters/binary_data_size")
            }
            binarySize = Int(n)
        }
        var values: [Float] = []
        // FP32 binary data is read where it lies in the body (at any alignment) instead of being
        // decoded into `values` first; other datatypes, and every length error, go through the decoder.
        var inPlace = false
        if let size = binarySize {
            let tail = body.count - headerLength
            guard size == tail else {
                throw Problem.badRequest("bad-length", "binary_data_size \(size) does not match the \(tail) bytes after the JSON header", pointer: "/inputs/0/parameters/binary_data_size")
            }
            #if _endian(little)
            inPlace = datatype == "FP32" && count <= Int.max / 4 && size == count * 4
            #endif
            if !inPlace {
                do throws(CodecError) {
                    values = try body.withUnsafeBytes { raw in
                        Result { () throws(CodecError) in
                            try BinaryTensorData.decode(UnsafeRawBufferPointer(rebasing: raw[headerLength...]), datatype: datatype, count: count)
                        }
                    }.get()
                } catch { throw Problem(error, pointerPrefix: "/inputs/0") }
            }
        } else {
            guard headerLength == body.count else {
                throw Problem.badRequest("bad-length", "unexpected \(body.count - headerLength) bytes after the JSON header: no input declares binary_data_size")
            }
            guard datatype != "FP16" else {
                throw Problem.badRequest("unsupported-datatype", "FP16 has no JSON form; send it with the binary tensor data extension", pointer: "/inputs/0/datatype")
            }
            guard let data = input["data"] else { throw Problem.badRequest("missing-field", "data is required", pointer: "/inputs/0/data") }
            values = try tensor(from: data, pointer: "/inputs/0/data").values
            guard values.count == count else {
                throw Problem.badRequest("shape-mismatch", "shape \(shape) implies \(count) elements, data has \(values.count)", pointer: "/inputs/0/data")
            }
        }

        // Requested outputs (all of them by default).
        var requested: [(name: String, binary: Bool)] = []
        if let o = doc["outputs"] {
            guard case .array(let outs) = o else { throw Problem.badRequest("wrong-type", "outputs must be an array", pointer: "/outputs") }
            for (i, out) in outs.enumerated() {
                guard case .object = out else { throw Problem.badRequest("wrong-type", "each output must be an object", pointer: "/outputs/\(i)") }
                if let p = out["parameters"] {
                    guard case .object = p else { throw Problem.badRequest("wrong-type", "parameters must be an object", pointer: "/outputs/\(i)/parameters") }
                }
                guard case .string(let name)? = out["name"], name == "y" || name == "dydx" else {
                    throw Problem.badRequest("bad-outputs", "outputs are \"y\" and \"dydx\"", pointer: "/outputs/\(i)/name")
                }
                var binary = binaryOutputDefault
                if let b = out["parameters"]?["binary_data"] { binary = try bool(b, pointer: "/outputs/\(i)/parameters/binary_data") }
                requested.append((name, binary))
            }
        } else {
            requested = [("y", binaryOutputDefault), ("dydx", binaryOutputDefault)]
        }

        let kernel: any ActivationKernel
        do throws(ActivationError) {
            let (_, resolved) = try catalog.resolve(d.name, params: params)
            kernel = try catalog.kernel(for: d, resolved: resolved, adversarial: adversarial)
        } catch {
            var problem = Problem(error, paramsPointer: "/parameters")
            if error.code == .adversarialUnsupported { problem.errors = [.init(pointer: "/parameters/adversarial", detail: error.message)] }
            throw problem
        }
        metrics.elementsEvaluated(activation: d.name, count: count)

        var header = JSONWriter(reservingCapacity: 256 + count * 14 * requested.filter { !$0.binary }.count)
        header.writeRaw("{\"model_name\":")
        header.writeString(d.name)
        header.writeRaw(",\"model_version\":\"\(Self.version)\"")
        if case .string(let id)? = doc["id"] {
            header.writeRaw(",\"id\":")
            header.writeString(id)
        }
        header.writeRaw(",\"outputs\":[")
        /// Evaluates output `name` of x (from the body or `values`) into `dst`, any alignment.
        func evaluate(_ name: String, into dst: UnsafeMutableRawPointer) {
            guard count > 0 else { return }
            if inPlace {
                body.withUnsafeBytes { raw in
                    Evaluator.evaluate(kernel, derivative: name == "dydx", from: raw.baseAddress! + headerLength, into: dst, count: count)  // count > 0: non-empty
                }
            } else {
                values.withUnsafeBytes { raw in
                    Evaluator.evaluate(kernel, derivative: name == "dydx", from: raw.baseAddress!, into: dst, count: count)  // count > 0
                }
            }
        }
        let shapeText = "[\(shape.map(String.init).joined(separator: ","))]"
        for (i, out) in requested.enumerated() {
            if i > 0 { header.writeRaw(",") }
            header.writeRaw("{\"name\":\"\(out.name)\",\"datatype\":\"FP32\",\"shape\":\(shapeText)")
            if out.binary {
                // Evaluated below, straight into the response body.
                header.writeRaw(",\"parameters\":{\"binary_data_size\":\(count * 4)}}")
            } else {
                let result: [Float]
                if inPlace {
                    result = [Float](unsafeUninitializedCapacity: count) { buffer, n in
                        if let base = buffer.baseAddress { evaluate(out.name, into: UnsafeMutableRawPointer(base)) }
                        n = count
                    }
                } else {
                    result = out.name == "y" ? Evaluator.forward(kernel, values) : Evaluator.derivative(kernel, values)
                }
                header.writeRaw(",\"data\":")
                result.withUnsafeBufferPointer { header.writeFlatArray($0) }
                header.writeRaw("}")
            }
        }
        header.writeRaw("]}")
        let binaryOutputs = requested.filter(\.binary)
        if !binaryOutputs.isEmpty {
            // One allocation: the JSON header, then each binary output evaluated in place.
            let json = header.bytes
            let total = json.count + binaryOutputs.count * count * 4
            let bytes = [UInt8](unsafeUninitializedCapacity: total) { raw, initialized in
                let base = UnsafeMutableRawPointer(raw.baseAddress!)  // total >= json.count > 0
                json.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: json.count) }
                var offset = json.count
                for out in binaryOutputs {
                    evaluate(out.name, into: base + offset)
                    offset += count * 4
                }
                #if _endian(big)
                for k in stride(from: json.count, to: total, by: 4) {
                    let v = base.loadUnaligned(fromByteOffset: k, as: UInt32.self)
                    base.storeBytes(of: v.littleEndian, toByteOffset: k, as: UInt32.self)
                }
                #endif
                initialized = total
            }
            return HTTPResponse(status: 200, headers: [
                "Content-Type": "application/octet-stream",
                "Inference-Header-Content-Length": "\(json.count)",
            ], bytes: bytes)
        }
        return jsonResponse(header.bytes)
    }

    private func shapeArray(_ value: JSONValue?, pointer: String) throws(Problem) -> [Int] {
        let dims: [Double]
        switch value {
        case .tensor(let t)? where t.shape.count == 1: dims = t.values.map(Double.init)
        case .array(let a)? where a.isEmpty: dims = []
        default: throw Problem.badRequest("missing-field", "shape must be an array of non-negative integers", pointer: pointer)
        }
        var out: [Int] = []
        for (i, d) in dims.enumerated() {
            guard d >= 0, d.rounded() == d, d < 1e15 else {
                throw Problem.badRequest("wrong-type", "shape entries must be non-negative integers", pointer: "\(pointer)/\(i)")
            }
            out.append(Int(d))
        }
        return out
    }
}
