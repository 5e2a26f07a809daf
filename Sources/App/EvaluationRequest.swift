import Activations
import Codecs
import HTTPServer

/// A decoded request to the forward/gradient routes, whatever its body format.
struct EvaluationRequest {
    var x: Tensor
    var params: [String: ParameterValue]
    var adversarial: Bool
    var gradOutput: Tensor?
    var paramGradients: Bool
    var format: PayloadFormat

    enum Route { case forward, gradient }

    /// Decodes the body of `ctx` (format by Content-Type) with the service limits.
    static func decode(_ ctx: RequestContext, route: Route, activation: ActivationDescriptor, limits: DecodingLimits) throws(Problem) -> EvaluationRequest {
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
            let x: Tensor
            do throws(CodecError) {
                x = try ctx.request.body.withUnsafeBytes { raw in
                    Result { () throws(CodecError) -> Tensor in
                        format == .npy
                            ? try NPY.decode(raw, limits: limits)
                            : Tensor(try RawFloat32.decode(raw, limits: limits))
                    }
                }.get()
            } catch {
                throw Problem(error)
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
        return EvaluationRequest(x: x, params: params, adversarial: adversarial, gradOutput: gradOutput, paramGradients: paramGradients, format: .json)
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
        out[key] = try parameterValue(v, pointer: "\(pointer)/\(escapePointer(key))")
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

func escapePointer(_ key: String) -> String {
    key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
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
