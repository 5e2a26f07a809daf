/// Why the settings given on the command line or in the environment cannot be used. Stable
/// codes; the description names the flag or variable.
public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    /// A `--flag` that no setting declares.
    case unknownFlag(String)
    /// A flag without a value (`--port` at the end).
    case missingValue(flag: String)
    /// A value the setting does not accept; `source` is the flag or environment variable.
    case invalidValue(source: String, value: String, expected: String)
    /// A secret's file cannot be read or holds nothing but white space.
    case unreadableFile(source: String, path: String)
    case emptyFile(source: String, path: String)

    public var code: String {
        switch self {
        case .unknownFlag: "unknown-flag"
        case .missingValue: "missing-value"
        case .invalidValue: "invalid-value"
        case .unreadableFile: "unreadable-file"
        case .emptyFile: "empty-file"
        }
    }

    public var description: String {
        switch self {
        case .unknownFlag(let flag): "unknown option '\(flag)' (see --help)"
        case .missingValue(let flag): "option '\(flag)' needs a value"
        case .invalidValue(let source, let value, let expected): "\(source)='\(value)': expected \(expected)"
        case .unreadableFile(let source, let path): "\(source): cannot read '\(path)'"
        case .emptyFile(let source, let path): "\(source): '\(path)' is empty"
        }
    }
}
