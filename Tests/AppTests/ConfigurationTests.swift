import Foundation
import Testing

@testable import App

/// The one table of settings (Settings.swift) drives flags, environment, log line and README.
@Suite struct ConfigurationTests {
    static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("README.md")

    @Test func readmeTableIsTheDeclaredSettings() throws {
        let text = try String(contentsOf: Self.readme, encoding: .utf8)
        let begin = try #require(text.range(of: "<!-- settings-table:begin -->\n"))
        let end = try #require(text.range(of: "\n<!-- settings-table:end -->"))
        let table = String(text[begin.upperBound..<end.lowerBound])
        #expect(table == Setting.markdownTable, "README.md's settings table differs from Settings.swift; paste:\n\(Setting.markdownTable)")
    }

    @Test func namesAreUniqueAndDerivedFromTheFlag() {
        let names = Setting.all.flatMap { [$0.flag, $0.environmentVariable] + [$0.fileFlag, $0.fileEnvironmentVariable].compactMap { $0 } }
        #expect(Set(names).count == names.count)
        let port = Setting.all.first { $0.name == "max-inflight-bytes" }
        #expect(port?.flag == "--max-inflight-bytes")
        #expect(port?.environmentVariable == "MAX_INFLIGHT_BYTES")
        #expect(port?.logKey == "max_inflight_bytes")
    }

    @Test func defaultsWithoutAnySetting() throws {
        let c = try AppConfiguration.load(arguments: [], environment: [:])
        let d = AppConfiguration()
        #expect(c.port == d.port && c.host == d.host && c.apiKey == nil && c.logLevel == .info)
        #expect(c.loggable.count == Setting.all.count)
    }

    @Test func flagsWinOverTheEnvironment() throws {
        let c = try AppConfiguration.load(
            arguments: ["--port", "9000", "--gzip-level=5", "--log-level", "DEBUG"],
            environment: ["PORT": "9001", "MAX_DEPTH": "7", "HOST": "", "GZIP_LEVEL": "2"])
        #expect(c.port == 9000)
        #expect(c.gzipLevel == 5)
        #expect(c.logLevel == .debug)
        #expect(c.maxDepth == 7)
        #expect(c.host == "0.0.0.0", "an empty variable is unset")
    }

    @Test func badInputNamesTheFlagOrVariable() {
        #expect(throws: ConfigurationError.invalidValue(source: "--port", value: "65536", expected: "an integer in 0–65535")) {
            try AppConfiguration.load(arguments: ["--port", "65536"], environment: [:])
        }
        #expect(throws: ConfigurationError.invalidValue(source: "MAX_ELEMENTS", value: "0", expected: "an integer ≥ 1")) {
            try AppConfiguration.load(arguments: [], environment: ["MAX_ELEMENTS": "0"])
        }
        #expect(throws: ConfigurationError.invalidValue(source: "LOG_LEVEL", value: "loud", expected: "one of trace|debug|info|notice|warning|error|critical")) {
            try AppConfiguration.load(arguments: [], environment: ["LOG_LEVEL": "loud"])
        }
        #expect(throws: ConfigurationError.unknownFlag("--prot")) {
            try AppConfiguration.load(arguments: ["--prot", "1"], environment: [:])
        }
        #expect(throws: ConfigurationError.unknownFlag("8080")) {
            try AppConfiguration.load(arguments: ["8080"], environment: [:])
        }
        #expect(throws: ConfigurationError.missingValue(flag: "--port")) {
            try AppConfiguration.load(arguments: ["--port"], environment: [:])
        }
    }

    @Test func secretsComeFromFilesAndAreMaskedInTheLog() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("api-key-\(UUID())")
        try Data("  k3y \n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let fromFile = try AppConfiguration.load(arguments: [], environment: ["API_KEY_FILE": file.path])
        #expect(fromFile.apiKey == "k3y")
        #expect(fromFile.loggable["api_key"] == "set")
        #expect(!fromFile.loggable.values.contains { "\($0)".contains("k3y") })
        let direct = try AppConfiguration.load(arguments: ["--api-key-file", file.path], environment: ["API_KEY": "env"])
        #expect(direct.apiKey == "k3y", "flags win over the environment")
        #expect(throws: ConfigurationError.invalidValue(source: "--api-key", value: "…", expected: "a non-empty string")) {
            try AppConfiguration.load(arguments: ["--api-key="], environment: [:])
        }
        #expect(throws: ConfigurationError.unreadableFile(source: "API_KEY_FILE", path: "/nonexistent/key")) {
            try AppConfiguration.load(arguments: [], environment: ["API_KEY_FILE": "/nonexistent/key"])
        }
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("api-key-\(UUID())")
        try Data(" \n".utf8).write(to: empty)
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(throws: ConfigurationError.emptyFile(source: "--api-key-file", path: empty.path)) {
            try AppConfiguration.load(arguments: ["--api-key-file", empty.path], environment: [:])
        }
    }

    @Test func everyNumericDefaultIsAValidValue() throws {
        for setting in Setting.all where setting.defaultText.allSatisfy(\.isNumber) {
            var c = AppConfiguration()
            #expect(setting.assign(&c, setting.defaultText) == nil, "\(setting.flag)")
            #expect(setting.current(c) == setting.defaultText, "\(setting.flag)")
        }
    }
}
