import CostwhLoad
import CostwhPipeline
import CostwhPostgres
import CostwhTestSupport
import Foundation
import Testing

/// Untrusted SQL on PostgreSQL (the MCP server's `run_sql`) on its own, as a SELECT-only
/// role: the server refuses every write, the limits hold, and the role's password is never
/// in an answer.
@Suite(.serialized, .enabled(if: TestPostgres.available, .init(rawValue: TestPostgres.skipMessage)))
struct PostgresAdHocTests {
    /// Drops a role `PostgresReliabilityTests.analystRole` made, with its grants.
    static func drop(_ role: String, of url: String) {
        let schema = (try? PostgresLocation(parsing: url))?.schema ?? "x"
        _ = try? PostgresReliabilityTests.admin(
            "DROP OWNED BY \(role); REVOKE ALL ON SCHEMA \(schema) FROM \(role); DROP ROLE \(role);")
    }

    static func run(_ store: PostgresStore, _ sql: String, _ limits: AdHocLimits = .init(maxRows: 100, timeout: 1))
        -> Result<AdHocAnswer, AdHocError>
    {
        Result { () throws(AdHocError) in try store.runAdHoc(sql, limits: limits) }
    }

    /// A warehouse of one 600-row month and a SELECT-only role on it; `body` gets the role's
    /// read-only store and the owner's store.
    static func withAnalyst(_ body: (PostgresStore, PostgresStore, String) throws -> Void) throws {
        let dir = TempDir()
        try TestPostgres.withSchema { url in
            let file = dir.write("a.csv", syntheticEA(rows: 600))
            let loaded = try runCostwh(
                ["load", file, "--scope", eaScope.id, "--period", "2023-09", "--metric", "actual", "--db", url],
                environment: PostgresProcessTests.env())
            #expect(loaded.status == 0, "\(loaded.stderr)")
            let (analyst, role) = try PostgresReliabilityTests.analystRole(url)
            defer { PostgresAdHocTests.drop(role, of: url) }
            let reader = try PostgresStore(readingAt: try PostgresLocation(parsing: analyst))
            let owner = try TestPostgres.store(url)
            try body(reader, owner, analyst)
        }
    }

    @Test func everyAttackIsRefusedOrStopped() throws {
        try Self.withAnalyst { reader, owner, _ in
            let before = try owner.query("SELECT COUNT(*), SUM(RowCount) FROM partitions JOIN loads USING (LoadId)")
            for (sql, expected) in AdHocAttack.list(postgres: true, scratch: "/tmp/stolen") {
                let outcome = Self.run(reader, sql)
                #expect(AdHocAttack.matches(expected, outcome), "\(sql): expected \(expected), got \(outcome)")
            }
            // A setting changed by one call does not carry over into the next: each runs in a
            // READ ONLY transaction of its own, rolled back.
            _ = Self.run(reader, "SELECT set_config('default_transaction_read_only', 'off', false)")
            _ = Self.run(reader, "SELECT set_config('statement_timeout', '0', false)")
            #expect(AdHocAttack.matches(.refused, Self.run(reader, "DELETE FROM loads")))
            #expect(AdHocAttack.matches(.timedOut, Self.run(reader, "SELECT pg_sleep(5)", .init(timeout: 0.5))))
            let after = try owner.query("SELECT COUNT(*), SUM(RowCount) FROM partitions JOIN loads USING (LoadId)")
            #expect(after.rows == before.rows)
            #expect(try Self.run(reader, "SELECT COUNT(*) AS n FROM cost_details").get().rows == [[.integer(600)]])
        }
    }

    @Test func limitsHoldAndTheServerStaysUp() throws {
        try Self.withAnalyst { reader, _, _ in
            let started = Date()
            #expect(Self.run(reader, "SELECT pg_sleep(60)", .init(timeout: 0.5)).failureValue == .timedOut(seconds: 0.5))
            #expect(Date().timeIntervalSince(started) < 5)
            let rows = try Self.run(reader, "SELECT Date, CostInBillingCurrency FROM cost_details", .init(maxRows: 10)).get()
            #expect(rows.rows.count == 10 && rows.cut == .rows(limit: 10))
            let exact = try Self.run(reader, "SELECT Date FROM cost_details LIMIT 10", .init(maxRows: 10)).get()
            #expect(exact.rows.count == 10 && exact.cut == nil)
            let bytes = try Self.run(reader, "SELECT * FROM cost_details", .init(maxRows: 1000, maxBytes: 20_000)).get()
            let size = bytes.rows.joined().reduce(0) { $0 + AdHocAnswer.size(of: $1) }
            #expect(bytes.cut == .bytes(limit: 20_000) && size <= 20_000 && !bytes.rows.isEmpty)
            let typed = try Self.run(reader, "SELECT 1 AS i, 1.5::float8 AS r, 'x' AS t, NULL::text AS n").get()
            #expect(typed.columns.map(\.type) == ["integer", "number", "text", "null"])
            let empty = try Self.run(reader, "SELECT Scope, CostInBillingCurrency FROM cost_details WHERE 1 = 0").get()
            #expect(empty.rows.isEmpty && empty.columns.map(\.name).map { $0.lowercased() } == ["scope", "costinbillingcurrency"])
            let wrong = Self.run(reader, "SELECT nope FROM cost_details").failureValue.map { "\($0)" } ?? ""
            #expect(wrong.contains("nope"), "\(wrong)")
        }
    }

    /// A refused password is reported without the password, and a URL in any message is
    /// printed without it.
    @Test func thePasswordIsNeverInAnAnswer() throws {
        try Self.withAnalyst { _, _, analyst in
            let location = try PostgresLocation(parsing: analyst)
            let password = try #require(location.password)
            let wrong = analyst.replacingOccurrences(of: ":\(password)@", with: ":\(password)x@")
            do {
                _ = try DatabaseLocation.openForServing(wrong)
                Issue.record("a wrong password was accepted")
            } catch {
                #expect(!String(describing: error).contains(password), "\(error)")
            }
        }
    }
}

extension Result {
    var failureValue: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

/// `costwh mcp` on PostgreSQL, connected as a SELECT-only role and driven by the official MCP
/// Python SDK: the same host checks as on SQLite, and the owner's data unchanged afterwards.
@Suite(
    .serialized, .enabled(if: TestPostgres.available, .init(rawValue: TestPostgres.skipMessage)),
    .enabled(if: TestPython.available, .init(rawValue: TestPython.skipMessage)))
struct PostgresMCPServerTests {
    @Test func aHostReadsTheDemoWarehouseAsASelectOnlyRole() throws {
        let scratch = TempDir()
        try TestPostgres.withSchema { url in
            let env = PostgresProcessTests.env()
            let demo = try runCostwh(["demo", "--db", url, "--rows-per-month", "300"], environment: env)
            #expect(demo.status == 0, "\(demo.stderr)")
            let (analyst, role) = try PostgresReliabilityTests.analystRole(url)
            defer { PostgresAdHocTests.drop(role, of: url) }
            let owner = try TestPostgres.store(url)
            let ledger = "SELECT COUNT(*), MAX(LoadId), SUM(RowCount) FROM loads LEFT JOIN partitions USING (LoadId)"
            let before = try owner.query(ledger).rows
            let problems = try MCPHost.problems(
                db: analyst, owner: url, period: lastMonth.description, postgres: true, scratch: scratch,
                environment: env)
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
            #expect(try owner.query(ledger).rows == before)
        }
    }
}

/// `costwh export` from PostgreSQL, as the SELECT-only role: every value of the lake is the
/// warehouse's, read by pyarrow and DuckDB.
@Suite(
    .serialized, .enabled(if: TestPostgres.available, .init(rawValue: TestPostgres.skipMessage)),
    .enabled(if: TestPython.available, .init(rawValue: TestPython.skipMessage)))
struct PostgresLakeTests {
    @Test func aLakeFromPostgresHoldsEveryValue() throws {
        let scratch = TempDir()
        try TestPostgres.withSchema { url in
            let env = PostgresProcessTests.env()
            let demo = try runCostwh(["demo", "--db", url, "--rows-per-month", "200"], environment: env)
            #expect(demo.status == 0, "\(demo.stderr)")
            let (analyst, role) = try PostgresReliabilityTests.analystRole(url)
            defer { PostgresAdHocTests.drop(role, of: url) }
            let lake = scratch.path("lake")
            let export = try runCostwh(["export", lake, "--db", analyst], environment: env)
            #expect(export.status == 0 && export.stderr.contains("12 partition(s) written"), "\(export.stderr)")
            let checked = try LakeCheck.check(
                lake: lake, dataset: "cost_details", location: url, keys: LakeCheck.costKeys, scratch: scratch)
            #expect(checked.status == 0, "\(checked.output.suffix(4000))")
            let focus = try runCostwh(["export", lake, "--db", analyst, "--focus"], environment: env)
            #expect(focus.status == 0, "\(focus.stderr)")
            let focused = try LakeCheck.check(lake: lake, dataset: "focus_costs", location: url, keys: ["*"], scratch: scratch)
            #expect(focused.status == 0, "\(focused.output.suffix(4000))")
            #expect(LakeCheck.manifestProblems(lake).isEmpty)
            // PostgreSQL's focus_costs passes the FinOps Foundation's validator as SQLite's does.
            let known = TestPython.repository.appendingPathComponent("Tests/Fixtures/focus/validator-known-wrong.txt").path
            let validated = try TestPython.run(script: "focus-validate.py", ["--known", known, lake + "/focus_costs"])
            #expect(validated.status == 0, "\(validated.output.suffix(4000))")
            #expect(validated.output.contains("\"unexplained\": []"), "\(validated.output.suffix(2000))")
        }
    }
}
