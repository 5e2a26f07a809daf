import Logging

/// One setting of the service: its name (the flag is `--name`, the environment variable `NAME`
/// with `-` as `_`), the kind of value, its default as documented, a help text, whether it is a
/// secret, and how a value is parsed, validated, stored and shown. The command line, the
/// environment, `--help`, the start-up log line and the README's table all follow from these.
public struct Setting: Sendable {
    public let name: String
    /// What a value looks like, for `--help` and errors: "integer", "address", "level", …
    public let valueName: String
    /// The default in words (a number, `cores − 1`, `unset`), as `--help` and the README show it.
    public let defaultText: String
    public let help: String
    /// A secret may also be given as a file (`--name-file`, `NAME_FILE`, e.g. a mounted
    /// Kubernetes secret) and is logged only as `set`/`unset`.
    public let isSecret: Bool
    /// Stores a raw value, or returns what was expected instead (e.g. "an integer in 1–9").
    let assign: @Sendable (inout AppConfiguration, String) -> String?
    /// The value in effect, nil when unset.
    let current: @Sendable (AppConfiguration) -> String?

    public var flag: String { "--" + name }
    public var environmentVariable: String { name.uppercased().replacingHyphens() }
    /// The file variant of a secret.
    public var fileFlag: String? { isSecret ? flag + "-file" : nil }
    public var fileEnvironmentVariable: String? { isSecret ? environmentVariable + "_FILE" : nil }
    /// The key of the start-up log line.
    public var logKey: String { environmentVariable.lowercased() }

    /// The value as the start-up log shows it: secrets only as set/unset.
    public func loggedValue(in configuration: AppConfiguration) -> String {
        let value = current(configuration)
        return isSecret ? (value == nil ? "unset" : "set") : value ?? "unset"
    }
}

extension Setting {
    /// A value of any type: `parse` returns nil for text it does not accept.
    static func value<Value: Sendable>(
        _ name: String, _ path: WritableKeyPath<AppConfiguration, Value> & Sendable, valueName: String,
        expected: String, default defaultText: String? = nil, secret: Bool = false, _ help: String,
        parse: @escaping @Sendable (String) -> Value?, show: @escaping @Sendable (Value) -> String?
    ) -> Setting {
        Setting(
            name: name, valueName: valueName,
            defaultText: defaultText ?? show(AppConfiguration()[keyPath: path]) ?? "unset",
            help: help, isSecret: secret,
            assign: { configuration, raw in
                guard let value = parse(raw) else { return expected }
                configuration[keyPath: path] = value
                return nil
            },
            current: { show($0[keyPath: path]) })
    }

    /// An integer within `range`.
    static func integer(
        _ name: String, _ path: WritableKeyPath<AppConfiguration, Int> & Sendable, in range: ClosedRange<Int>,
        default defaultText: String? = nil, _ help: String
    ) -> Setting {
        let expected = range.upperBound == .max
            ? "an integer ≥ \(range.lowerBound)" : "an integer in \(range.lowerBound)–\(range.upperBound)"
        return value(name, path, valueName: "integer", expected: expected, default: defaultText, help,
                     parse: { Int($0).flatMap { range.contains($0) ? $0 : nil } }, show: { "\($0)" })
    }

    /// Any non-empty text.
    static func text(
        _ name: String, _ path: WritableKeyPath<AppConfiguration, String> & Sendable, valueName: String, _ help: String
    ) -> Setting {
        value(name, path, valueName: valueName, expected: "a non-empty \(valueName)", help,
              parse: { $0.isEmpty ? nil : $0 }, show: { $0 })
    }

    /// A secret text, unset by default; also read from a file.
    static func secret(
        _ name: String, _ path: WritableKeyPath<AppConfiguration, String?> & Sendable, _ help: String
    ) -> Setting {
        value(name, path, valueName: "string", expected: "a non-empty string", secret: true, help,
              parse: { raw -> String?? in raw.isEmpty ? .none : .some(raw) }, show: { $0 })
    }

    /// A log level.
    static func logLevel(_ name: String, _ path: WritableKeyPath<AppConfiguration, Logger.Level> & Sendable, _ help: String) -> Setting {
        let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: "|")
        return value(name, path, valueName: "level", expected: "one of \(levels)", help,
                     parse: { Logger.Level(rawValue: $0.lowercased()) }, show: { $0.rawValue })
    }
}

extension String {
    fileprivate func replacingHyphens() -> String { String(map { $0 == "-" ? "_" : $0 }) }
}
