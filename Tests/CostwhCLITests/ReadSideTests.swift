import CostwhLoad
import CostwhSQLite
import CostwhTestSupport
import Foundation
import Testing

/// The read commands open the warehouse for reading: a missing one is an error that
/// creates nothing, one behind on its migrations asks for `costwh migrate`, and the engine
/// refuses writes.
struct ReadSideTests {
    @Test func aMissingWarehouseIsExit66AndNothingIsCreated() throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        let dir = TempDir()
        let typo = dir.path("typo.sqlite")
        for command in [["query", "totals"], ["runs"], ["verify"], ["changes"], ["report", "--html", dir.path("r.html")]]
        {
            let run = try runCostwh(command + ["--db", typo], environment: [:])
            #expect(run.status == 66, "\(command): \(run.stderr)")
            #expect(
                run.stderr.contains("no warehouse at \(typo) (run costwh ingest, load or demo first)"),
                "\(command): \(run.stderr)")
            #expect(!FileManager.default.fileExists(atPath: typo), "\(command) created the database")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path("")).isEmpty)
    }

    @Test func aWarehouseBehindOnItsMigrationsAsksForMigrate() throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        let dir = TempDir()
        let path = dir.path("old.sqlite")
        let old = try CostDatabase(path: path, migrate: false)
        let all = CostDatabase.migrations.map(\.identifier)
        try old.migrate(upTo: all[all.count - 2])
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let run = try runCostwh(["query", "totals", "--db", path], environment: [:])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("needs 1 migration(s) (\(all.last!)): run costwh migrate"), "\(run.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "a read command changed the file")
        let migrate = try runCostwh(["migrate", "--db", path], environment: [:])
        #expect(migrate.status == 0, "\(migrate.stderr)")
        #expect(try runCostwh(["query", "totals", "--db", path], environment: [:]).status == 0)
    }

    /// Opened for reading, SQLite itself refuses a write.
    @Test func theReadSideRefusesWritesInTheEngine() throws {
        let dir = TempDir()
        let path = dir.path("w.sqlite")
        _ = try CostDatabase(path: path)
        let reader = try CostDatabase(readingAt: path)
        #expect(throws: (any Error).self) {
            try reader.pool.write { try $0.execute(sql: "DELETE FROM loads") }
        }
        let rows = try reader.reading { try $0.read("SELECT COUNT(*) AS n FROM loads", [:]) }
        #expect(rows.rows.count == 1)
    }
}
