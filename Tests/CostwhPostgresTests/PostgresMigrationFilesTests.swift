import CostwhPostgres
import Foundation
import Testing

/// The migrations the store applies are the files of `migrations/postgres/`, each as it is on
/// disk, in name order: a file added or removed is embedded by the next build (the plugin
/// lists the folder when it runs), so no test runs against a stale list.
@Suite struct PostgresMigrationFilesTests {
    @Test func everyMigrationFileIsEmbeddedAsItIs() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("migrations/postgres")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }
            .sorted()
        #expect(files.count >= 12)
        #expect(PostgresStore.migrations.map { $0.identifier + ".sql" } == files)
        for (migration, file) in zip(PostgresStore.migrations, files) {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            #expect(migration.sql == text, "\(file)")
            #expect(file.range(of: #"^[0-9]{4}_[a-z0-9_]+\.sql$"#, options: .regularExpression) != nil)
        }
    }
}
