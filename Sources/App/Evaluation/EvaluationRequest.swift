import Activations
import Codecs
import HTTPServer

/// A decoded request to the forward/gradient routes, whatever its body format.
struct EvaluationRequest {
    var x: InputTensor
    var params: [String: ParameterValue]
    var adversarial: Bool
    var gradOutput: Tensor?
    var paramGradients: Bool
    var format: PayloadFormat

    enum Route { case forward, gradient }

    /// Decodes the body of `ctx` (format by Content-Type) with the service limits.
    static func decode(_ ctx: RouteContext, route: Route, activation: ActivationDescriptor, limits: DecodingLimits) throws(Problem) -> EvaluationRequest {
        guard let format = PayloadFormat(contentType: ctx.request.headers["Content-Type"]) else {
            throw Problem(
                415, "unsupported-media-type", "Unsupported media type",
                "Content-Type '\(ctx.request.headers["Content-Type"] ?? "")' is not supported; use application/json (curl --json), application/octet-stream or application/x-npy")
        }
        let (queryParams, queryAdversarial) = try queryParameters(ctx.request.query, activation: activation)
        switch format {
        case .json:
            // JSON bodies carry their parameters; the query may only repeat a valid `adversarial`.
            guard queryParams.isEmpty else {
                let name = queryParams.keys.sorted()[0]
                throw Problem(400, "unexpected-query-parameter", "Bad request",
                              "query parameter '\(name)' is only for binary bodies; JSON bodies carry parameters in \"params\"",
                              errors: [.init(pointer: nil, parameter: name, detail: "not allowed with a JSON body")])
            }
            var request = try decodeJSON(ctx.request.body, route: route, limits: limits)
            request.adversarial = request.adversarial || queryAdversarial
            return request
        case .binary, .npy:
            let body = ctx.request.body
            let x: InputTensor
            if let inPlace = format == .npy ? InputTensor.npyInPlace(body, limits: limits) : InputTensor.rawInPlace(body, limits: limits) {
                x = inPlace
            } else {
                // Everything else (other dtypes, big-endian data, odd alignment) and every
                // error goes through the decoders, which convert into a new array.
                do throws(CodecError) {
                    let t = try body.withUnsafeBytes { raw in
                        Result { () throws(CodecError) -> Tensor in
                            format == .npy
                                ? try NPY.decode(raw, limits: limits)
                                : Tensor(try RawFloat32.decode(raw, limits: limits))
                        }
                    }.get()
                    x = InputTensor(t)
                } catch {
                    throw Problem(error)
                }
            }
            return EvaluationRequest(x: x, params: queryParams, adversarial: queryAdversarial, gradOutput: nil, paramGradients: false, format: format)
        }
    }

    private static let forwardFields: Set<String> = ["x", "params", "adversarial"]
    private static let gradientFields: Set<String> = ["x", "params", "adversarial", "grad_output", "param_gradients"]

    private static func decodeJSON(_ body: [UInt8], route: Route, limits: DecodingLimits) throws(Problem) -> EvaluationRequest {
        let doc: JSONValue
        do throws(CodecError) { doc = try JSONParser.parse(body, limits: limits) } catch { throw Problem(error) }
        guard case .object(let members) = doc else {
            throw Problem.badRequest("malformed-body", "the body must be a JSON object with an \"x\" array", pointer: "")
        }
        let allowed = route == .forward ? forwardFields : gradientFields
        for m in members where !allowed.contains(m.key) {
            throw Problem.badRequest("unknown-field", "unknown field '\(m.key)'; allowed: \(allowed.sorted().joined(separator: ", "))", pointer: "/\(m.key)")
        }
        guard let xValue = doc["x"] else { throw Problem.badRequest("missing-field", "field \"x\" is required", pointer: "/x") }
        let x = try tensor(from: xValue, pointer: "/x")
        let params = try parameters(from: doc["params"], pointer: "/params")
        let adversarial = try bool(doc["adversarial"], pointer: "/adversarial")
        var gradOutput: Tensor? = nil
        if let g = doc["grad_output"] {
            let t = try tensor(from: g, pointer: "/grad_output")
            guard t.shape == x.shape else {
                throw Problem.badRequest("shape-mismatch", "grad_output has shape \(t.shape) but x has shape \(x.shape)", pointer: "/grad_output")
            }
            gradOutput = t
        }
        let paramGradients = try bool(doc["param_gradients"], pointer: "/param_gradients")
        return EvaluationRequest(x: InputTensor(x), params: params, adversarial: adversarial, gradOutput: gradOutput, paramGradients: paramGradients, format: .json)
    }
}

// MARK: - Input values, decoded or read in place

/// The input tensor of a request: values decoded into an array, or little-endian float32 data
/// read where it lies in the request body (no second copy of the payload).
struct InputTensor {
    enum Storage {
        case array([Float])
        /// `count` float32 values at byte `offset` of `bytes`; the address is 4-byte aligned and
        /// the machine little-endian (both checked by the factories below).
        case body([UInt8], offset: Int)
    }

    let shape: [Int]
    let count: Int
    let storage: Storage

    init(_ tensor: Tensor) {
        shape = tensor.shape
        count = tensor.values.count
        storage = .array(tensor.values)
    }

    private init(shape: [Int], count: Int, body: [UInt8], offset: Int) {
        self.shape = shape
        self.count = count
        storage = .body(body, offset: offset)
    }

    /// Whether the values are read from the request body rather than a decoded array.
    var isInPlace: Bool {
        if case .body = storage { return true }
        return false
    }

    /// The values as floats, without copying them.
    func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        switch storage {
        case .array(let values):
            return try values.withUnsafeBufferPointer(body)
        case .body(let bytes, let offset):
            return try bytes.withUnsafeBytes { raw in
                guard count > 0, let base = raw.baseAddress else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
                return try (base + offset).withMemoryRebound(to: Float.self, capacity: count) { p in
                    try body(UnsafeBufferPointer(start: p, count: count))
                }
            }
        }
    }

    /// The values as an array (a copy when they are read in place).
    var values: [Float] {
        switch storage {
        case .array(let values): return values
        case .body: return withUnsafeBufferPointer { Array($0) }
        }
    }

    /// Whether `count` float32 values at `offset` of `bytes` can be read in place: a
    /// little-endian machine and a 4-byte aligned address.
    private static func readableInPlace(_ bytes: [UInt8], offset: Int) -> Bool {
        #if _endian(little)
        return bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return false }
            return Int(bitPattern: base + offset) % MemoryLayout<Float>.alignment == 0
        }
        #else
        return false
        #endif
    }

    /// A raw float32 body read in place, or nil when it must go through `RawFloat32.decode`
    /// (which also reports every error: length not a multiple of 4, too many elements).
    static func rawInPlace(_ body: [UInt8], limits: DecodingLimits) -> InputTensor? {
        let count = body.count / 4
        guard !body.isEmpty, body.count % 4 == 0, count <= limits.maxElements, readableInPlace(body, offset: 0) else { return nil }
        return InputTensor(shape: [count], count: count, body: body, offset: 0)
    }

    /// A .npy body read in place, or nil when it must go through `NPY.decode`: float32 in this
    /// machine's byte order (any header form and version `NPY.layout` accepts) at a 4-byte
    /// aligned address. Other dtypes and byte orders, and every error (which the decoder then
    /// reports), are left to the decoder.
    static func npyInPlace(_ body: [UInt8], limits: DecodingLimits) -> InputTensor? {
        let layout = body.withUnsafeBytes { raw in
            Result { () throws(CodecError) in try NPY.layout(raw, limits: limits) }
        }
        guard case .success(let l) = layout, l.isNativeFloat32, l.count > 0, readableInPlace(body, offset: l.dataStart) else {
            return nil
        }
        return InputTensor(shape: l.shape, count: l.count, body: body, offset: l.dataStart)
    }
}

// MARK: - JSON field helpers shared by the native and OIP routes

/// A numeric array (flat or nested), a scalar number, or an empty array, as a tensor.
func tensor(from value: JSONValue, pointer: String) throws(Problem) -> Tensor {
    switch value {
    case .tensor(let t): return t
    case .number(let v):
        guard abs(v) <= Double(Float.greatestFiniteMagnitude) || !v.isFinite else {
            throw Problem.badRequest("wrong-type", "number \(v) is out of float32 range", pointer: pointer)
        }
        return Tensor(shape: [], values: [Float(v)])
    case .string(let s):
        if let f = nonFiniteFloat(s) { return Tensor(shape: [], values: [f]) }
        throw Problem.badRequest("wrong-type", "expected a number or an array of numbers, got the string \"\(s)\"", pointer: pointer)
    case .array(let a) where a.isEmpty:
        return Tensor(shape: [0], values: [])
    default:
        throw Problem.badRequest("wrong-type", "expected a number or a (nested) array of numbers", pointer: pointer)
    }
}

func nonFiniteFloat(_ s: String) -> Float? {
    switch s {
    case "NaN": return .nan
    case "Infinity": return .infinity
    case "-Infinity": return -.infinity
    default: return nil
    }
}

func bool(_ value: JSONValue?, pointer: String) throws(Problem) -> Bool {
    switch value {
    case nil: return false
    case .bool(let b)?: return b
    default: throw Problem.badRequest("wrong-type", "expected true or false", pointer: pointer)
    }
}

/// `params` object → parameter values (numbers, strings, arrays of numbers).
func parameters(from value: JSONValue?, pointer: String) throws(Problem) -> [String: ParameterValue] {
    guard let value else { return [:] }
    guard case .object(let members) = value else {
        throw Problem.badRequest("wrong-type", "params must be an object", pointer: pointer)
    }
    var out: [String: ParameterValue] = [:]
    for (key, v) in members {
        out[key] = try parameterValue(v, pointer: JSONPointer.appending(key, to: pointer))
    }
    return out
}

func parameterValue(_ v: JSONValue, pointer: String) throws(Problem) -> ParameterValue {
    switch v {
    case .number(let d): return .number(d)
    case .string(let s): return .string(s)
    case .tensor(let t):
        guard t.shape.count == 1 else {
            throw Problem.badRequest("wrong-type", "expected a flat array of numbers", pointer: pointer)
        }
        return .numbers(t.values.map(Double.init))
    case .array(let a) where a.isEmpty: return .numbers([])
    case .array(let a):
        // Arrays the fast path did not take (e.g. ["a", 1]): report the first bad element.
        for (i, e) in a.enumerated() {
            if case .number = e { continue }
            throw Problem.badRequest("wrong-type", "expected a number", pointer: "\(pointer)/\(i)")
        }
        return .numbers(a.compactMap { if case .number(let d) = $0 { return d } else { return nil } })
    default:
        throw Problem.badRequest("wrong-type", "expected a number, a string or an array of numbers", pointer: pointer)
    }
}

/// Parameters from the query string of a binary request, typed by the entry's specs.
func queryParameters(_ query: [(name: String, value: String)], activation: ActivationDescriptor) throws(Problem) -> ([String: ParameterValue], Bool) {
    var params: [String: ParameterValue] = [:]
    var adversarial = false
    var lists: [String: [Double]] = [:]
    for (name, raw) in query {
        func fail(_ why: String) -> Problem {
            Problem(400, "invalid-parameter", "Bad request", "query parameter '\(name)' \(why)",
                    errors: [.init(pointer: nil, parameter: name, detail: why)])
        }
        if name == "adversarial" {
            switch raw.lowercased() {
            case "true", "1": adversarial = true
            case "false", "0": adversarial = false
            default: throw fail("must be true or false")
            }
            continue
        }
        guard let spec = activation.parameters.first(where: { $0.name == name }) else {
            params[name] = .string(raw)  // the catalog names it as unknown
            continue
        }
        switch spec.kind {
        case .number, .integer:
            guard let d = Double(raw) else { throw fail("must be a number, got '\(raw)'") }
            params[name] = .number(d)
        case .choice:
            params[name] = .string(raw)
        case .numbers:
            let body = raw.hasPrefix("[") && raw.hasSuffix("]") ? String(raw.dropFirst().dropLast()) : raw
            for piece in body.split(separator: ",", omittingEmptySubsequences: false) {
                let t = piece.trimmed()
                guard let d = Double(t) else { throw fail("must be comma-separated numbers, got '\(t)'") }
                lists[name, default: []].append(d)
            }
        }
    }
    for (name, values) in lists { params[name] = .numbers(values) }
    return (params, adversarial)
}

extension Problem {
    /// Maps a catalog error; `pointer` is where the params object sits in the body (nil for query).
    init(_ error: ActivationError, paramsPointer: String?) {
        switch error.code {
        case .unknownActivation:
            self.init(404, "unknown-activation", "Not found", error.message)
        case .adversarialUnsupported:
            self.init(422, "adversarial-unsupported", "Unprocessable content", error.message,
                      errors: [.init(pointer: paramsPointer.map { _ in "/adversarial" }, parameter: paramsPointer == nil ? "adversarial" : nil, detail: error.message)])
        default:
            let field = error.parameter ?? ""
            self.init(400, error.code == .unknownParameter ? "unknown-parameter" : "invalid-parameter", "Bad request", error.message,
                      errors: [.init(pointer: paramsPointer.map { "\($0)/\(field)" }, parameter: paramsPointer == nil ? field : nil, detail: error.message)])
        }
    }
}
