import Activations
import Codecs
import HTTPServer

/// An Open Inference Protocol v2 infer request, decoded and validated: the JSON header (and
/// the binary tensor data after it), checked in the order the fields are documented, so the
/// first problem a client sees is the first one in its document.
struct InferenceRequest {
    /// Where the values of input `x` are.
    enum Input {
        /// Little-endian FP32 binary data at this offset of the body, read where it lies.
        case bodyFP32(offset: Int)
        /// Decoded from JSON data or from binary data of another datatype.
        case values([Float])
    }

    struct Output {
        let name: String
        let binary: Bool
    }

    /// Request parameters that belong to the protocol, not to the activation.
    static let reservedParameters: Set<String> = [
        "binary_data_output", "adversarial", "sequence_id", "sequence_start", "sequence_end",
        "priority", "timeout", "headers",
    ]

    let id: String?
    let params: [String: ParameterValue]
    let adversarial: Bool
    let shape: [Int]
    let count: Int
    let input: Input
    let outputs: [Output]

    init(body: [UInt8], headers: HTTPHeaders, limits: DecodingLimits) throws(Problem) {
        let headerLength = try Self.headerLength(headers["Inference-Header-Content-Length"], bodyCount: body.count)
        let doc: JSONValue
        do throws(CodecError) {
            doc = try body.withUnsafeBytes { raw in
                Result { () throws(CodecError) in try JSONParser.parse(UnsafeRawBufferPointer(rebasing: raw[0..<headerLength]), limits: limits) }
            }.get()
        } catch { throw Problem(error) }
        guard case .object = doc else { throw Problem.badRequest("malformed-body", "the inference request must be a JSON object", pointer: "") }
        switch doc["id"] {
        case nil: id = nil
        case .string(let s)?: id = s
        default: throw Problem.badRequest("wrong-type", "id must be a string", pointer: "/id")
        }
        let binaryOutputDefault: Bool
        (params, adversarial, binaryOutputDefault) = try Self.parameters(doc["parameters"])
        (shape, count, input) = try Self.input(doc["inputs"], body: body, headerLength: headerLength, limits: limits)
        outputs = try Self.outputs(doc["outputs"], binaryDefault: binaryOutputDefault)
    }

    /// The length of the JSON header: `Inference-Header-Content-Length`, else the whole body.
    private static func headerLength(_ raw: String?, bodyCount: Int) throws(Problem) -> Int {
        guard let raw else { return bodyCount }
        guard let n = Int(raw.trimmed()), n >= 0, n <= bodyCount else {
            throw Problem.badRequest("bad-header", "Inference-Header-Content-Length '\(raw)' must be between 0 and the body length \(bodyCount)")
        }
        return n
    }

    /// Activation parameters plus the protocol's `adversarial` and `binary_data_output`.
    private static func parameters(_ value: JSONValue?) throws(Problem) -> ([String: ParameterValue], adversarial: Bool, binaryOutput: Bool) {
        var params: [String: ParameterValue] = [:]
        var adversarial = false
        var binaryOutput = false
        guard let value else { return (params, adversarial, binaryOutput) }
        guard case .object(let members) = value else { throw Problem.badRequest("wrong-type", "parameters must be an object", pointer: "/parameters") }
        for (key, value) in members {
            let pointer = JSONPointer.appending(key, to: "/parameters")
            switch key {
            case "adversarial": adversarial = try bool(value, pointer: pointer)
            case "binary_data_output": binaryOutput = try bool(value, pointer: pointer)
            case _ where reservedParameters.contains(key): continue
            default: params[key] = try parameterValue(value, pointer: pointer)
            }
        }
        return (params, adversarial, binaryOutput)
    }

    /// The single input `x`: its shape, element count and values, from JSON data or the binary tail.
    private static func input(
        _ value: JSONValue?, body: [UInt8], headerLength: Int, limits: DecodingLimits
    ) throws(Problem) -> (shape: [Int], count: Int, input: Input) {
        guard case .array(let inputs)? = value, inputs.count == 1 else {
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
        if let p = input["parameters"] {
            guard case .object = p else { throw Problem.badRequest("wrong-type", "parameters must be an object", pointer: "/inputs/0/parameters") }
        }
        guard let size = input["parameters"]?["binary_data_size"] else {
            guard headerLength == body.count else {
                throw Problem.badRequest("bad-length", "unexpected \(body.count - headerLength) bytes after the JSON header: no input declares binary_data_size")
            }
            guard datatype != "FP16" else {
                throw Problem.badRequest("unsupported-datatype", "FP16 has no JSON form; send it with the binary tensor data extension", pointer: "/inputs/0/datatype")
            }
            guard let data = input["data"] else { throw Problem.badRequest("missing-field", "data is required", pointer: "/inputs/0/data") }
            let values = try tensor(from: data, pointer: "/inputs/0/data").values
            guard values.count == count else {
                throw Problem.badRequest("shape-mismatch", "shape \(shape) implies \(count) elements, data has \(values.count)", pointer: "/inputs/0/data")
            }
            return (shape, count, .values(values))
        }
        guard case .number(let n) = size, let declared = Int(exactly: n), declared >= 0 else {
            throw Problem.badRequest("wrong-type", "binary_data_size must be a whole number", pointer: "/inputs/0/parameters/binary_data_size")
        }
        let tail = body.count - headerLength
        guard declared == tail else {
            throw Problem.badRequest("bad-length", "binary_data_size \(declared) does not match the \(tail) bytes after the JSON header", pointer: "/inputs/0/parameters/binary_data_size")
        }
        // FP32 binary data is read where it lies in the body (at any alignment) instead of being
        // decoded first; other datatypes, and every length error, go through the decoder.
        #if _endian(little)
        if datatype == "FP32" && count <= Int.max / 4 && tail == count * 4 {
            return (shape, count, .bodyFP32(offset: headerLength))
        }
        #endif
        do throws(CodecError) {
            let values = try body.withUnsafeBytes { raw in
                Result { () throws(CodecError) in
                    try BinaryTensorData.decode(UnsafeRawBufferPointer(rebasing: raw[headerLength...]), datatype: datatype, count: count)
                }
            }.get()
            return (shape, count, .values(values))
        } catch { throw Problem(error, pointerPrefix: "/inputs/0") }
    }

    /// The requested outputs, all of them (`y`, `dydx`) by default.
    private static func outputs(_ value: JSONValue?, binaryDefault: Bool) throws(Problem) -> [Output] {
        guard let value else { return [Output(name: "y", binary: binaryDefault), Output(name: "dydx", binary: binaryDefault)] }
        guard case .array(let outs) = value else { throw Problem.badRequest("wrong-type", "outputs must be an array", pointer: "/outputs") }
        var requested: [Output] = []
        for (i, out) in outs.enumerated() {
            guard case .object = out else { throw Problem.badRequest("wrong-type", "each output must be an object", pointer: "/outputs/\(i)") }
            if let p = out["parameters"] {
                guard case .object = p else { throw Problem.badRequest("wrong-type", "parameters must be an object", pointer: "/outputs/\(i)/parameters") }
            }
            guard case .string(let name)? = out["name"], name == "y" || name == "dydx" else {
                throw Problem.badRequest("bad-outputs", "outputs are \"y\" and \"dydx\"", pointer: "/outputs/\(i)/name")
            }
            var binary = binaryDefault
            if let b = out["parameters"]?["binary_data"] { binary = try bool(b, pointer: "/outputs/\(i)/parameters/binary_data") }
            requested.append(Output(name: name, binary: binary))
        }
        return requested
    }

    private static func shapeArray(_ value: JSONValue?, pointer: String) throws(Problem) -> [Int] {
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
