import Activations
import Foundation

/// The shared reference values (/work/shared/reference/activations.json), decoded once.
///
/// Values are numbers, the strings "NaN" / "Infinity" / "-Infinity", or null (a point without a
/// single-valued derivative); they decode as `Double?` (nil for null).
struct ReferenceData: Decodable, Sendable {
    let about: String
    let cases: [ReferenceCase]

    /// Location of the shared file: `shared/reference/activations.json` in the nearest ancestor
    /// of the package root that has one (`/work` for both `/work/main` and `/work/wt/<name>`).
    static let url: URL = {
        // #filePath = <root>/Tests/ActivationsTests/ReferenceData.swift
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var dir = root.deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("shared/reference/activations.json")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return root.appendingPathComponent("../shared/reference/activations.json").standardizedFileURL
    }()

    /// Decodes the file (throws when it is missing or malformed, so tests fail loudly).
    static func load() throws -> ReferenceData {
        let data = try Data(contentsOf: url)
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try decoder.decode(ReferenceData.self, from: data)
    }
}

/// One reference case: an activation with parameters, plain or adversarial, on a grid of x.
struct ReferenceCase: Decodable, Sendable, CustomStringConvertible {
    let activation: String
    let params: [String: ReferenceParameter]
    let adversarial: Bool
    /// True for a case that records "this activation has no adversarial counterpart".
    let unsupported: Bool
    let x: [Double?]
    let y: [Double?]
    let dydx: [Double?]
    /// Element-wise ∂f/∂param, one value per x (scalar parameters).
    let dparams: [String: ReferenceSeries]
    /// DiTAC: ∂f/∂velocities, one row per x.
    let dvelocities: [[Double?]]?

    enum CodingKeys: String, CodingKey {
        case activation, params, adversarial, unsupported, x, y, dydx, dparams, dvelocities
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        activation = try c.decode(String.self, forKey: .activation)
        params = try c.decodeIfPresent([String: ReferenceParameter].self, forKey: .params) ?? [:]
        adversarial = try c.decodeIfPresent(Bool.self, forKey: .adversarial) ?? false
        unsupported = try c.decodeIfPresent(Bool.self, forKey: .unsupported) ?? false
        x = try c.decodeIfPresent([Double?].self, forKey: .x) ?? []
        y = try c.decodeIfPresent([Double?].self, forKey: .y) ?? []
        dydx = try c.decodeIfPresent([Double?].self, forKey: .dydx) ?? []
        dparams = try c.decodeIfPresent([String: ReferenceSeries].self, forKey: .dparams) ?? [:]
        dvelocities = try c.decodeIfPresent([[Double?]].self, forKey: .dvelocities)
    }

    /// The parameters as the catalog takes them.
    var parameterValues: [String: ParameterValue] { params.mapValues(\.value) }

    /// The x grid as float32 (nil entries become NaN).
    var floatX: [Float] { x.map { Float($0 ?? .nan) } }

    var description: String {
        let p = params.keys.sorted().map { "\($0)=\(params[$0]!.value)" }.joined(separator: ",")
        return "\(activation)(\(p))\(adversarial ? " adversarial" : "")"
    }
}

/// A parameter value in the reference file: a number, a string, or an array of numbers.
struct ReferenceParameter: Decodable, Sendable {
    let value: ParameterValue

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Double.self) {
            value = .number(v)
        } else if let v = try? c.decode([Double].self) {
            value = .numbers(v)
        } else {
            value = .string(try c.decode(String.self))
        }
    }
}

/// A reference series: one value per element, or one row per element (vector parameters).
enum ReferenceSeries: Decodable, Sendable {
    case flat([Double?])
    case rows([[Double?]])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode([Double?].self) {
            self = .flat(v)
        } else {
            self = .rows(try c.decode([[Double?]].self))
        }
    }

    /// The values of a flat series (nil for row series).
    var flat: [Double?]? {
        if case .flat(let v) = self { return v }
        return nil
    }
}

/// The accuracy rule of ACTIVATIONS.md Decisions §2 for one float32 output `y` against a
/// high-precision reference `r`: |y − r| ≤ 2e−6·|r| + 1e−7; a reference beyond float32 range
/// must come out as the same-signed infinity; a reference below the smallest normal may come
/// out as ±0; NaN must match NaN. A nil reference (no single-valued derivative) accepts anything.
func meetsAccuracyRule(_ y: Float, reference r: Double?) -> Bool {
    guard let r else { return true }
    if r.isNaN { return y.isNaN }
    if y.isNaN { return false }
    if abs(r) > Double(Float.greatestFiniteMagnitude) {
        return y.isInfinite && (y > 0) == (r > 0)
    }
    if abs(r) < Double(Float.leastNormalMagnitude), y == 0 { return true }
    let yd = Double(y)
    guard yd.isFinite else { return false }
    return abs(yd - r) <= 2e-6 * abs(r) + 1e-7
}
