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

    /// decode and validate → resolve the kernel → evaluate and encode.
    private func infer(_ ctx: RouteContext) throws(Problem) -> HTTPResponse {
        let model = try model(ctx)
        let request = try InferenceRequest(body: ctx.request.body, headers: ctx.request.headers, limits: limits)
        let kernel = try kernel(model, request)
        metrics.elementsEvaluated(activation: model.name, count: request.count)
        return answer(request, model: model.name, kernel: kernel, body: ctx.request.body)
    }

    /// The kernel the request's parameters select; parameter problems point into `/parameters`.
    private func kernel(_ model: ActivationDescriptor, _ request: InferenceRequest) throws(Problem) -> any ActivationKernel {
        do throws(ActivationError) {
            let (_, resolved) = try catalog.resolve(model.name, params: request.params)
            return try catalog.kernel(for: model, resolved: resolved, adversarial: request.adversarial)
        } catch {
            var problem = Problem(error, paramsPointer: "/parameters")
            if error.code == .adversarialUnsupported { problem.errors = [.init(pointer: "/parameters/adversarial", detail: error.message)] }
            throw problem
        }
    }

    /// The response: a JSON document with the JSON outputs, followed by the binary outputs
    /// evaluated straight into the body when any are requested.
    private func answer(_ request: InferenceRequest, model: String, kernel: any ActivationKernel, body: [UInt8]) -> HTTPResponse {
        let count = request.count
        var header = JSONWriter(reservingCapacity: 256 + count * 14 * request.outputs.filter { !$0.binary }.count)
        header.writeRaw("{\"model_name\":")
        header.writeString(model)
        header.writeRaw(",\"model_version\":\"\(Self.version)\"")
        if let id = request.id {
            header.writeRaw(",\"id\":")
            header.writeString(id)
        }
        header.writeRaw(",\"outputs\":[")
        /// Evaluates output `name` of x (from the body or the decoded values) into `dst`, any alignment.
        func evaluate(_ name: String, into dst: UnsafeMutableRawPointer) {
            guard count > 0 else { return }
            switch request.input {
            case .bodyFP32(let offset):
                body.withUnsafeBytes { raw in
                    Evaluator.evaluate(kernel, derivative: name == "dydx", from: raw.baseAddress! + offset, into: dst, count: count)  // count > 0: non-empty
                }
            case .values(let values):
                values.withUnsafeBytes { raw in
                    Evaluator.evaluate(kernel, derivative: name == "dydx", from: raw.baseAddress!, into: dst, count: count)  // count > 0
                }
            }
        }
        let shapeText = "[\(request.shape.map(String.init).joined(separator: ","))]"
        for (i, out) in request.outputs.enumerated() {
            if i > 0 { header.writeRaw(",") }
            header.writeRaw("{\"name\":\"\(out.name)\",\"datatype\":\"FP32\",\"shape\":\(shapeText)")
            if out.binary {
                // Evaluated below, straight into the response body.
                header.writeRaw(",\"parameters\":{\"binary_data_size\":\(count * 4)}}")
            } else {
                let result: [Float]
                switch request.input {
                case .bodyFP32:
                    result = [Float](unsafeUninitializedCapacity: count) { buffer, n in
                        if let base = buffer.baseAddress { evaluate(out.name, into: UnsafeMutableRawPointer(base)) }
                        n = count
                    }
                case .values(let values):
                    result = out.name == "y" ? Evaluator.forward(kernel, values) : Evaluator.derivative(kernel, values)
                }
                header.writeRaw(",\"data\":")
                result.withUnsafeBufferPointer { header.writeFlatArray($0) }
                header.writeRaw("}")
            }
        }
        header.writeRaw("]}")
        let binaryOutputs = request.outputs.filter(\.binary)
        guard !binaryOutputs.isEmpty else { return jsonResponse(header.bytes) }
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
}
