import Activations
import Foundation

/// The project's reference values, `tests/reference/activations.json` (written by
/// tests/reference/generate.py with mpmath), decoded once.
///
/// Values are numbers, the strings "NaN" / "Infinity" / "-Infinity", or null (a point without a
/// single-valued derivative); they decode as `Double?` (nil for null).
package struct ReferenceData: Decodable, Sendable {
    package let about: String
    package let cases: [ReferenceCase]

    /// The file, located from this source file (`<root>/Tests/TestSupport/ReferenceData.swift`):
    /// the package's own copy, never one outside the repository.
    package static let url: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("tests/reference/activations.json")

    /// The decoded file, or why it could not be read (decoded once per test process).
    package static let shared: Result<ReferenceData, ReferenceFileError> = Result {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ReferenceFileError(message: "cannot read \(url.path): \(error.localizedDescription)")
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        do {
            return try decoder.decode(ReferenceData.self, from: data)
        } catch {
            throw ReferenceFileError(message: "cannot decode \(url.path): \(error)")
        }
    }.mapError { $0 as? ReferenceFileError ?? ReferenceFileError(message: "\($0)") }

    /// The decoded file; throws (so the calling test fails with the reason) when it is missing or
    /// malformed.
    package static func load() throws(ReferenceFileError) -> ReferenceData { try shared.get() }

    /// The cases matching `filter`, for parameterised tests. An unreadable file gives no cases:
    /// every suite that uses this also has a test calling `load()`, which then fails.
    package static func cases(where filter: (ReferenceCase) -> Bool) -> [ReferenceCase] {
        ((try? shared.get())?.cases ?? []).filter(filter)
    }
}

/// Why the reference file could not be used.
package struct ReferenceFileError: Error, CustomStringConvertible, Sendable {
    package let message: String
    package var description: String {
        "\(message) (tests/reference/activations.json is part of the repository; `make reference` regenerates it)"
    }
}

/// One reference case: an activation with parameters, plain or adversarial, on a set of x.
package struct ReferenceCase: Decodable, Sendable, CustomStringConvertible {
    package let activation: String
    package let params: [String: ParameterValue]
    package let adversarial: Bool
    /// True for a case that records "this activation has no adversarial counterpart".
    package let unsupported: Bool
    package let x: [Double?]
    package let y: [Double?]
    package let dydx: [Double?]
    /// Element-wise ∂f/∂param, one value per x (scalar parameters).
    package let dparams: [String: [Double?]]
    /// DiTAC: ∂f/∂velocities, one row per x.
    package let dvelocities: [[Double?]]?

    enum CodingKeys: String, CodingKey {
        case activation, params, adversarial, unsupported, x, y, dydx, dparams, dvelocities
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        activation = try c.decode(String.self, forKey: .activation)
        params = try c.decodeIfPresent([String: JSONParameter].self, forKey: .params)?.mapValues(\.value) ?? [:]
        adversarial = try c.decodeIfPresent(Bool.self, forKey: .adversarial) ?? false
        unsupported = try c.decodeIfPresent(Bool.self, forKey: .unsupported) ?? false
        x = try c.decodeIfPresent([Double?].self, forKey: .x) ?? []
        y = try c.decodeIfPresent([Double?].self, forKey: .y) ?? []
        dydx = try c.decodeIfPresent([Double?].self, forKey: .dydx) ?? []
        dparams = try c.decodeIfPresent([String: [Double?]].self, forKey: .dparams) ?? [:]
        dvelocities = try c.decodeIfPresent([[Double?]].self, forKey: .dvelocities)
    }

    /// The x values as float32 (nil entries become NaN); the generator writes float32 values, so
    /// this is exact except for the fixed grid's ±1e−30.
    package var floatX: [Float] { x.map { Float($0 ?? .nan) } }

    /// The parameters as Foundation JSON values (for request bodies).
    package var jsonParams: [String: Any] {
        params.mapValues { v -> Any in
            switch v {
            case .number(let d): d
            case .string(let s): s
            case .numbers(let a): a
            }
        }
    }

    package var description: String {
        let p = params.keys.sorted().map { key -> String in
            switch params[key]! {
            case .number(let v): "\(key)=\(v)"
            case .string(let v): "\(key)=\(v)"
            case .numbers(let v): "\(key)=\(v)"
            }
        }.joined(separator: ",")
        return "\(activation)(\(p))\(adversarial ? " adversarial" : "")"
    }
}

/// A parameter value in the reference file: a number, a string, or an array of numbers.
private struct JSONParameter: Decodable {
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
