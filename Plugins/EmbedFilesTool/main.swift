import Foundation

// Writes a Swift source file that embeds a repository's `openapi.yaml` and every file under its
// top-level `web/` folder (recursively; hidden files skipped; an absent folder embeds nothing)
// byte for byte:
//
//     EmbedFilesTool OUTPUT REPOSITORY-ROOT
//
// Text files become raw string literals (readable, fast to compile); any other file a
// byte-array literal. The output is rewritten only when its content changes, so an unchanged
// input set recompiles nothing.

/// Content types by file extension; anything else is served as bytes.
let contentTypes: [String: String] = [
    "yaml": "application/yaml", "yml": "application/yaml", "json": "application/json",
    "html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8",
    "js": "text/javascript; charset=utf-8", "mjs": "text/javascript; charset=utf-8",
    "txt": "text/plain; charset=utf-8", "md": "text/markdown; charset=utf-8",
    "svg": "image/svg+xml", "png": "image/png", "ico": "image/x-icon", "woff2": "font/woff2",
]

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("EmbedFilesTool: \(message)\n".utf8))
    exit(1)
}

/// The files to embed as (path relative to `root`, bytes), sorted by path so that the output is
/// the same on every machine.
func filesToEmbed(root: URL) -> [(path: String, bytes: [UInt8])] {
    let manager = FileManager.default
    var paths = ["openapi.yaml"]
    if let entries = try? manager.subpathsOfDirectory(atPath: root.appending(path: "web").path) {
        for entry in entries.sorted() where !entry.split(separator: "/").contains(where: { $0.hasPrefix(".") }) {
            var isDirectory: ObjCBool = false
            if manager.fileExists(atPath: root.appending(path: "web/\(entry)").path, isDirectory: &isDirectory),
               !isDirectory.boolValue {
                paths.append("web/\(entry)")
            }
        }
    }
    return paths.map { path in
        guard let data = manager.contents(atPath: root.appending(path: path).path) else {
            fail("cannot read \(root.appending(path: path).path)")
        }
        return (path, Array(data))
    }
}

/// The literal for `bytes`: a raw multi-line string when the bytes are UTF-8 text that such a
/// literal reproduces exactly (no carriage returns, which Swift normalises, and no control
/// characters but tab and newline), else an array of bytes.
func literal(_ bytes: [UInt8]) -> String {
    let isPlainText = bytes.allSatisfy { $0 == 0x09 || $0 == 0x0A || ($0 >= 0x20 && $0 != 0x7F) }
    if isPlainText, let text = String(validating: bytes, as: UTF8.self) {
        // Enough `#`s that neither the closing delimiter nor an escape occurs in the text.
        var hashes = "#"
        while text.contains("\"" + hashes) || text.contains("\\" + hashes) { hashes += "#" }
        // The line break before the closing delimiter is not part of the literal.
        return "Array(\(hashes)\"\"\"\n\(text)\n\"\"\"\(hashes).utf8)"
    }
    var lines: [String] = []
    for start in stride(from: 0, to: bytes.count, by: 24) {
        let row = bytes[start..<min(start + 24, bytes.count)].map { "0x" + String($0, radix: 16) }
        lines.append("            " + row.joined(separator: ", ") + ",")
    }
    return "[\n" + lines.joined(separator: "\n") + "\n        ] as [UInt8]"
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count == 2 else { fail("usage: EmbedFilesTool OUTPUT REPOSITORY-ROOT") }
let output = arguments[0]
var source = """
    // Generated at build time by the EmbedFiles plugin (Plugins/EmbedFiles) — not committed.

    /// Files of the repository compiled into the binary: `openapi.yaml` and everything under `web/`.
    enum EmbeddedFiles {
        struct File: Sendable {
            let contentType: String
            let bytes: [UInt8]
        }

        /// Path relative to the repository root (`openapi.yaml`, `web/index.html`, …) → file.
        static let files: [String: File] = [

    """
for (path, bytes) in filesToEmbed(root: URL(fileURLWithPath: arguments[1])) {
    let type = contentTypes[path.split(separator: ".").last.map { $0.lowercased() } ?? ""] ?? "application/octet-stream"
    source += "        \(String(reflecting: path)): File(contentType: \(String(reflecting: type)), bytes: \(literal(bytes))),\n"
}
source += "    ]\n}\n"

let outputURL = URL(fileURLWithPath: output)
if FileManager.default.contents(atPath: output) != Data(source.utf8) {
    do { try Data(source.utf8).write(to: outputURL) } catch { fail("cannot write \(output): \(error)") }
}
// The command's input is the output's folder (Plugins/EmbedFiles says why): touching it (a file
// created and removed) makes the build run this again next time, so files added to, edited in
// or removed from web/ are never missed, while an unchanged output keeps its timestamp.
let stamp = outputURL.deletingLastPathComponent().appending(path: ".rerun-\(getpid())")
_ = FileManager.default.createFile(atPath: stamp.path, contents: nil)
try? FileManager.default.removeItem(at: stamp)
