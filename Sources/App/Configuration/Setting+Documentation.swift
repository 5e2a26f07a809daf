extension Setting {
    /// The settings as `--help` lists them: flag, value, default, environment variable, help.
    public static var helpText: String {
        var lines = ["SETTINGS (every flag also has an environment variable; flags win):"]
        for setting in all {
            lines.append("  \(setting.flag) <\(setting.valueName)>   env \(setting.environmentVariable), default \(setting.defaultText)")
            lines.append("      \(setting.help)")
            if let fileFlag = setting.fileFlag, let variable = setting.fileEnvironmentVariable {
                lines.append("  \(fileFlag) <path>   env \(variable): read \(setting.flag) from a file (e.g. a mounted secret)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The README's configuration table (a test keeps the README equal to it).
    public static var markdownTable: String {
        var rows = ["| flag | env | default | meaning |", "|---|---|---|---|"]
        for setting in all {
            rows.append("| `\(setting.flag)` | `\(setting.environmentVariable)` | \(setting.defaultText) | \(setting.help) |")
            if let fileFlag = setting.fileFlag, let variable = setting.fileEnvironmentVariable {
                rows.append("| `\(fileFlag)` | `\(variable)` | unset | file holding the value of `\(setting.flag)` (e.g. a Kubernetes secret) |")
            }
        }
        return rows.joined(separator: "\n")
    }
}
