import PackagePlugin

/// Embeds the repository's `openapi.yaml` and every file under its top-level `web/` folder into
/// the target it is applied to, as one generated `EmbeddedFiles` enum (path → content type,
/// bytes) written to the build directory only (Plugins/EmbedFilesTool decides what is embedded
/// and how).
///
/// Build plans are cached and list a command's inputs as they were when the plan was made, so a
/// file added under `web/` later would be missed and a removed one would fail the build as a
/// missing input. Instead the command's one input is its own output folder, which the tool
/// touches on every run: the command runs on every build (milliseconds: it reads the files and
/// compares), and rewrites the generated source only when an embedded file changed, so an
/// unchanged build recompiles nothing and a changed `openapi.yaml` can never be served stale.
@main
struct EmbedFiles: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedFiles.swift")
        return [
            .buildCommand(
                displayName: "Embedding openapi.yaml and web/ into \(target.name)",
                executable: try context.tool(named: "EmbedFilesTool").url,
                arguments: [output.path, context.package.directoryURL.path],
                inputFiles: [context.pluginWorkDirectoryURL],
                outputFiles: [output])
        ]
    }
}
