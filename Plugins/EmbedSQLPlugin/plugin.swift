import Foundation
import PackagePlugin

/// Compiles SQL files into the module as string constants.
///
/// `CostwhSQLite` embeds the top-level `migrations/` folder (the one source of truth for
/// the SQLite schema), `CostwhPostgres` `migrations/postgres/` (the same for PostgreSQL); `CostwhQuery` embeds its own `SQL/` folder of canned queries. Embedding
/// instead of `Bundle.module` keeps a copied `costwh` binary self-contained.
@main
struct EmbedSQLPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let folder: URL
        switch target.name {
        case "CostwhSQLite": folder = context.package.directoryURL.appending(path: "migrations")
        case "CostwhPostgres": folder = context.package.directoryURL.appending(path: "migrations/postgres")
        case "CostwhQuery": folder = target.directoryURL.appending(path: "SQL")
        default: return []
        }
        let files = try FileManager.default
            .contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedSQL.swift")
        return [
            .buildCommand(
                displayName: "Embedding the SQL files of \(folder.lastPathComponent) into \(target.name)",
                executable: try context.tool(named: "costwh-embed-sql").url,
                // The folder itself is an input too: adding or removing a file changes it, so
                // the command runs again and the tool lists the folder anew. (The plan, with
                // `files`, is only made again when Package.swift changes.)
                arguments: [output.path, folder.path],
                inputFiles: files + [folder],
                outputFiles: [output])
        ]
    }
}
