import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension AppConfiguration {
    /// The configuration from command-line options (`--name value` or `--name=value`) and the
    /// environment, for every setting of `Setting.all`. Flags win over the environment; a
    /// secret given directly wins over its file from the same source; empty environment
    /// variables count as unset.
    public static func load(arguments: [String], environment: [String: String]) throws(ConfigurationError) -> AppConfiguration {
        let flags = try parseFlags(arguments)
        var configuration = AppConfiguration()
        for setting in Setting.all {
            guard let (source, raw) = try setting.rawValue(flags: flags, environment: environment) else { continue }
            if let expected = setting.assign(&configuration, raw) {
                throw .invalidValue(source: source, value: setting.isSecret ? "…" : raw, expected: expected)
            }
        }
        return configuration
    }

    /// `--flag value` and `--flag=value` pairs; every flag must belong to a setting.
    static func parseFlags(_ arguments: [String]) throws(ConfigurationError) -> [String: String] {
        let known = Set(Setting.all.flatMap { [$0.flag] + ($0.fileFlag.map { [$0] } ?? []) })
        var values: [String: String] = [:]
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            let (flag, inline) = argument.firstIndex(of: "=").map {
                (String(argument[..<$0]), Optional(String(argument[argument.index(after: $0)...])))
            } ?? (argument, nil)
            guard known.contains(flag) else { throw .unknownFlag(argument) }
            if let inline {
                values[flag] = inline
            } else {
                index += 1
                guard index < arguments.endIndex else { throw .missingValue(flag: flag) }
                values[flag] = arguments[index]
            }
            index += 1
        }
        return values
    }

    /// The start-up log line's metadata: every setting by its log key, secrets masked.
    public var loggable: Logger.Metadata {
        var metadata: Logger.Metadata = [:]
        for setting in Setting.all { metadata[setting.logKey] = "\(setting.loggedValue(in: self))" }
        return metadata
    }
}

extension Setting {
    /// Where the setting's value comes from and the raw text, or nil when it is not given.
    func rawValue(flags: [String: String], environment: [String: String]) throws(ConfigurationError) -> (source: String, value: String)? {
        if let value = flags[flag] { return (flag, value) }
        if let fileFlag, let path = flags[fileFlag] { return (fileFlag, try Self.readSecret(path, source: fileFlag)) }
        if let value = environment[environmentVariable], !value.isEmpty { return (environmentVariable, value) }
        if let variable = fileEnvironmentVariable, let path = environment[variable], !path.isEmpty {
            return (variable, try Self.readSecret(path, source: variable))
        }
        return nil
    }

    /// The content of a secret's file without surrounding white space (a trailing newline).
    static func readSecret(_ path: String, source: String) throws(ConfigurationError) -> String {
        guard let file = fopen(path, "r") else { throw .unreadableFile(source: source, path: path) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        if ferror(file) != 0 { throw .unreadableFile(source: source, path: path) }
        let text = String(decoding: bytes, as: UTF8.self)
        let trimmed = text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()
        guard !trimmed.isEmpty else { throw .emptyFile(source: source, path: path) }
        return String(trimmed)
    }
}
