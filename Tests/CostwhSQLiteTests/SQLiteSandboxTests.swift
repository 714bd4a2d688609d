import CostwhLoad
import CostwhSQLite
import CostwhTestSupport
import Foundation
import Testing

/// The SQLite sandbox for untrusted SQL (the MCP server's `run_sql`) on its own: the engine
/// refuses every write, the limits hold, and nothing beside the warehouse changes.
@Suite struct SQLiteSandboxTests {
    /// A warehouse of one 600-row month, written by costwh (which keeps its WAL files).
    static func warehouse(_ dir: TempDir) throws -> String {
        let path = dir.path("w.sqlite")
        do {
            let db = try CostDatabase(path: path)
            _ = try load(db, [dir.write("a.csv", syntheticEA(rows: 600))])
        }
        return path
    }

    /// What must not change: the names in the folder, and the bytes of the database and its WAL.
    static func footprint(_ dir: TempDir) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.url.path) {
            // The -shm is shared memory for WAL readers: readers mark what they read there.
            out[name] = name.hasSuffix("-shm") ? Data() : try Data(contentsOf: dir.url.appendingPathComponent(name))
        }
        return out
    }

    static func run(_ sandbox: SQLiteSandbox, _ sql: String, _ limits: AdHocLimits = .init(maxRows: 100, timeout: 1))
        -> Result<AdHocAnswer, AdHocError>
    {
        Result { () throws(AdHocError) in try sandbox.runAdHoc(sql, limits: limits) }
    }

    @Test func everyAttackIsRefusedOrStopped() throws {
        let dir = TempDir()
        let path = try Self.warehouse(dir)
        let before = try Self.footprint(dir)
        let sandbox = try SQLiteSandbox(path: path)
        for (sql, expected) in AdHocAttack.list(postgres: false, scratch: dir.path("stolen.sqlite")) {
            let outcome = Self.run(sandbox, sql)
            #expect(AdHocAttack.matches(expected, outcome), "\(sql): expected \(expected), got \(outcome)")
            if case .failure(.refused(let message)) = outcome {
                #expect(message.contains("describe_schema"), "\(sql): \(message)")
            }
        }
        // Still serving, and nothing changed on disk: no file made, none written.
        let count = try Self.run(sandbox, "SELECT COUNT(*) AS n FROM cost_details").get()
        #expect(count.rows.first?.first == .integer(600))
        #expect(try Self.footprint(dir) == before)
        #expect(!FileManager.default.fileExists(atPath: dir.path("stolen.sqlite")))
    }

    /// A statement that never ends is stopped at the limit, and the next one answers.
    @Test func aRunawayQueryStopsWithinItsLimit() throws {
        let dir = TempDir()
        let sandbox = try SQLiteSandbox(path: try Self.warehouse(dir))
        let started = Date()
        let outcome = Self.run(
            sandbox, "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT MAX(n) FROM r",
            .init(timeout: 0.5))
        let elapsed = Date().timeIntervalSince(started)
        #expect(outcome.failureValue == .timedOut(seconds: 0.5), "\(outcome)")
        #expect(elapsed >= 0.5 && elapsed < 3, "stopped after \(elapsed) s")
        #expect(try Self.run(sandbox, "SELECT 42").get().rows == [[.integer(42)]])
    }

    @Test func answersAreCutAtTheRowAndByteLimits() throws {
        let dir = TempDir()
        let sandbox = try SQLiteSandbox(path: try Self.warehouse(dir))
        let rows = try Self.run(sandbox, "SELECT Date, CostInBillingCurrency FROM cost_details", .init(maxRows: 10)).get()
        #expect(rows.rows.count == 10 && rows.cut == .rows(limit: 10))
        // Exactly the limit is not a cut.
        let exact = try Self.run(sandbox, "SELECT Date FROM cost_details LIMIT 10", .init(maxRows: 10)).get()
        #expect(exact.rows.count == 10 && exact.cut == nil)
        let bytes = try Self.run(sandbox, "SELECT * FROM cost_details", .init(maxRows: 1000, maxBytes: 20_000)).get()
        let size = bytes.rows.joined().reduce(0) { $0 + AdHocAnswer.size(of: $1) }
        #expect(bytes.cut == .bytes(limit: 20_000) && size <= 20_000 && !bytes.rows.isEmpty, "\(size) bytes")
    }

    @Test func valuesKeepTheirTypes() throws {
        let dir = TempDir()
        let sandbox = try SQLiteSandbox(path: try Self.warehouse(dir))
        let answer = try Self.run(sandbox, "SELECT 1 AS i, 1.5 AS r, 'x' || char(0) || 'y' AS t, NULL AS n, x'00ff' AS b")
            .get()
        #expect(answer.columns.map(\.type) == ["integer", "number", "text", "null", "blob"])
        #expect(answer.rows == [[.integer(1), .real(1.5), .text("x\u{0}y"), .null, .blob([0, 255])]])
        // Comments and semicolons after the one statement are not a second statement.
        #expect(try Self.run(sandbox, "SELECT 7; -- the answer\n ;  /* done */").get().rows == [[.integer(7)]])
        #expect(Self.run(sandbox, "  -- nothing\n").failureValue.map { "\($0)" }?.contains("no statement") == true)
        #expect(Self.run(sandbox, "SELECT nope FROM cost_details").failureValue.map { "\($0)" }?.contains("nope") == true)
    }

    /// A warehouse whose WAL files are gone (last closed by another tool) is refused, not
    /// given new files; a missing warehouse is refused without creating it.
    @Test func nothingIsCreatedBesideTheWarehouse() throws {
        let dir = TempDir()
        let path = try Self.warehouse(dir)
        #expect(FileManager.default.fileExists(atPath: path + "-wal"), "costwh's writer keeps the WAL files")
        for suffix in ["-wal", "-shm"] { try FileManager.default.removeItem(atPath: path + suffix) }
        let before = try Self.footprint(dir)
        #expect(throws: AdHocError.self) { try SQLiteSandbox(path: path) }
        #expect(throws: AdHocError.self) { try SQLiteSandbox(path: dir.path("typo.sqlite")) }
        #expect(try Self.footprint(dir) == before)
    }
}

extension Result {
    var failureValue: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
