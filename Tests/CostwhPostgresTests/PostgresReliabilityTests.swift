import CostwhLoad
import CostwhModel
import CostwhPostgres
import CostwhTestSupport
import Foundation
import Testing

/// What an adversarial probe broke on PostgreSQL (round three): a purge blocked by a reader,
/// a reader in another role, the job lock lost with its session, two warehouses in one
/// database, and a NUL character in JSON.
@Suite(.serialized, .enabled(if: TestPostgres.available, .init(rawValue: TestPostgres.skipMessage)))
struct PostgresReliabilityTests {
    static func env() -> [String: String] { PostgresProcessTests.env() }

    /// Runs SQL as the server's superuser (`COSTWH_TEST_POSTGRES_ADMIN`, set by
    /// scripts/postgres-throwaway), for what the costwh role may not do: roles and grants.
    static func admin(_ sql: String) throws -> String {
        let command = try #require(
            ProcessInfo.processInfo.environment["COSTWH_TEST_POSTGRES_ADMIN"],
            "COSTWH_TEST_POSTGRES_ADMIN is not set (eval \"$(scripts/postgres-throwaway start)\")")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command + " -v ON_ERROR_STOP=1 -qAt -f -"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(sql.utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(sql): \(text)")
        return text
    }

    func load(_ file: String, _ url: String) throws -> CommandResult {
        try runCostwh(
            ["load", file, "--scope", eaScope.id, "--period", "2023-09", "--metric", "actual", "--db", url],
            environment: Self.env())
    }

    /// A reader that holds a lock on `cost_fact` (an analyst's open transaction, a pg_dump)
    /// makes the purge's detach time out. The load that purges still succeeds, the ledger
    /// notes why the old rows are still there, the next load finishes the pending detach once
    /// the reader has gone, and nothing is left half-detached.
    @Test func aBlockedPurgeNeverFailsALoad() throws {
        let dir = TempDir()
        try TestPostgres.withSchema { url in
            let files = (1...5).map { dir.write("v\($0).csv", syntheticEA(rows: 200, costBase: Double($0))) }
            #expect(try load(files[0], url).status == 0)
            #expect(try load(files[1], url).status == 0)
            // Opened after load 2 replaced load 1: nothing protects load 1 from the purge but
            // the reader's lock on every partition.
            let reader = try TestPostgres.store(url)
            try reader.execute("BEGIN")
            _ = try reader.query("SELECT COUNT(*) FROM cost_fact")
            let third = try load(files[2], url)
            #expect(third.status == 0, "the purge blocked the load: \(third.stderr)")
            let fourth = try load(files[3], url)
            #expect(fourth.status == 0, "a pending detach blocked the load: \(fourth.stderr)")
            let store = try TestPostgres.store(url)
            // Transactions of other tests open when load 2 replaced load 1 hold its purge back
            // without a note until they end; then the purge meets the reader's lock and notes it.
            func note() throws -> String? {
                try store.query("SELECT PurgeNote FROM loads WHERE LoadId = 1").rows[0][0].string
            }
            var noted = try note()
            let horizonDeadline = Date().addingTimeInterval(60)
            while noted == nil && Date() < horizonDeadline {
                try store.purgeReplacedLoads()
                noted = try note()
                if noted == nil { Thread.sleep(forTimeInterval: 0.2) }
            }
            #expect(noted?.contains("a later run retries") == true, "\(String(describing: noted))")
            #expect(try Self.state(store) == (200, Self.cost(of: 4)))
            try reader.execute("COMMIT")
            #expect(try load(files[4], url).status == 0)
            // Load 4 was replaced by load 5 itself: its purge is a later run's. Transactions of
            // other sessions on this server (other tests) open at a replacement hold it back
            // too, so the purge is run again until they have ended (a minute at most).
            func left() throws -> [Int] {
                try store.query(
                    """
                    SELECT LoadId FROM loads WHERE PurgedAt IS NULL AND Status = 'succeeded'
                        AND LoadId NOT IN (SELECT LoadId FROM partitions) ORDER BY LoadId
                    """
                ).rows.compactMap { $0[0].int }
            }
            let deadline = Date().addingTimeInterval(60)
            while try !left().isEmpty && Date() < deadline {
                try store.purgeReplacedLoads()
                Thread.sleep(forTimeInterval: 0.2)
            }
            #expect(try left().isEmpty, "every load the reader blocked is purged once it has gone")
            let pending = try store.query(
                "SELECT COUNT(*) FROM pg_inherits WHERE inhparent = 'cost_fact'::regclass AND inhdetachpending"
            ).rows[0][0].int
            #expect(pending == 0)
            let tables = try store.query(
                "SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() WHERE c.relname LIKE 'cost_fact_l%'"
            ).rows[0][0].int
            #expect(tables == 1, "only the current load's table is left")
            #expect(try Self.state(store) == (200, Self.cost(of: 5)))
        }
    }

    static func state(_ store: PostgresStore) throws -> (Int, Double) {
        let row = try store.query("SELECT COUNT(*), ROUND(TOTAL(CostInBillingCurrency), 6) FROM cost_details").rows[0]
        return (row[0].int ?? -1, row[1].double ?? -1)
    }

    /// The total `syntheticEA(rows: 200, costBase: base)` holds, read from a SQLite load of it.
    static func cost(of base: Int) throws -> Double {
        let dir = TempDir()
        let file = dir.write("f.csv", syntheticEA(rows: 200, costBase: Double(base)))
        let db = dir.path("w.sqlite")
        let run = try runCostwh(
            ["load", file, "--scope", eaScope.id, "--period", "2023-09", "--metric", "actual", "--db", db],
            environment: env())
        #expect(run.status == 0, "\(run.stderr)")
        let total = try rows(db, sql: "SELECT ROUND(TOTAL(CostInBillingCurrency), 6) AS c FROM cost_details")[0]
        return total["c"]
    }

    /// An analyst in a SELECT-only role of their own, reading in REPEATABLE READ, took a
    /// snapshot before a month was reloaded. The purge that follows must not drop the rows
    /// that snapshot shows, although this role's transactions are invisible in
    /// pg_stat_activity to the costwh role: they read the old month whole, never an empty one.
    @Test func aReaderInAnotherRoleKeepsSeeingItsSnapshot() throws {
        let dir = TempDir()
        try TestPostgres.withSchema { url in
            let first = dir.write("a.csv", syntheticEA(rows: 300, costBase: 1))
            let second = dir.write("b.csv", syntheticEA(rows: 300, costBase: 2))
            let third = dir.write("c.csv", syntheticEA(rows: 300, costBase: 3))
            #expect(try load(first, url).status == 0)
            let location = try PostgresLocation(parsing: url)
            let role = "analyst_" + location.schema.suffix(8)
            let password = "pw-" + UUID().uuidString.prefix(8)
            _ = try Self.admin(
                """
                CREATE ROLE \(role) LOGIN PASSWORD '\(password)';
                GRANT USAGE ON SCHEMA \(location.schema) TO \(role);
                GRANT SELECT ON ALL TABLES IN SCHEMA \(location.schema) TO \(role);
                """)
            defer { _ = try? Self.admin("DROP OWNED BY \(role); DROP ROLE \(role);") }
            let analystURL = url.replacingOccurrences(
                of: "://\(location.user):\(location.password ?? "")@", with: "://\(role):\(password)@")
            let analyst = try PostgresStore(location: try PostgresLocation(parsing: analystURL), migrate: false)
            try analyst.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            _ = try analyst.query("SELECT 1")  // the snapshot is taken here, before any lock on cost_fact
            let before = try Self.state(analyst)
            // New tables need their grant too, as docs/POSTGRES.md says (default privileges).
            #expect(try load(second, url).status == 0)
            #expect(try load(third, url).status == 0)  // purges what no open transaction can see
            let during = try Self.state(analyst)
            #expect(during == before, "the reader's snapshot lost the month: \(during) instead of \(before)")
            try analyst.execute("COMMIT")
        }
    }

    /// Creates a login role with the grants docs/POSTGRES.md gives an analyst (USAGE on the
    /// schema, SELECT on its tables and views, now and for tables made later); returns its URL.
    static func analystRole(_ url: String, extra: String = "") throws -> (url: String, role: String) {
        let location = try PostgresLocation(parsing: url)
        let role = "analyst_" + UUID().uuidString.lowercased().prefix(8)
        let password = "pw-" + UUID().uuidString.prefix(8)
        _ = try admin(
            """
            CREATE ROLE \(role) LOGIN PASSWORD '\(password)';
            GRANT USAGE ON SCHEMA \(location.schema) TO \(role);
            GRANT SELECT ON ALL TABLES IN SCHEMA \(location.schema) TO \(role);
            ALTER DEFAULT PRIVILEGES FOR ROLE \(location.user) IN SCHEMA \(location.schema) GRANT SELECT ON TABLES TO \(role);
            \(extra)
            """)
        let analyst = url.replacingOccurrences(
            of: "://\(location.user):\(location.password ?? "")@", with: "://\(role):\(password)@")
        return (analyst, role)
    }

    /// A SELECT-only role, and the same role with every transaction read-only (as on a
    /// standby), run every read command; a write command is refused by the server.
    @Test func readCommandsRunAsASelectOnlyRoleAndOnAReadOnlyServer() throws {
        let dir = TempDir()
        try TestPostgres.withSchema { url in
            let file = dir.write("a.csv", syntheticEA(rows: 300, costBase: 1))
            #expect(try load(file, url).status == 0)
            let owner = try runCostwh(
                ["query", "totals", "--format", "csv", "--db", url, "--from", "2023-09", "--to", "2023-09"],
                environment: Self.env())
            #expect(owner.status == 0, "\(owner.stderr)")
            for readOnly in [false, true] {
                let (analyst, role) = try Self.analystRole(url)
                defer {
                    let location = try? PostgresLocation(parsing: url)
                    _ = try? Self.admin(
                        "DROP OWNED BY \(role); REVOKE ALL ON SCHEMA \(location?.schema ?? "x") FROM \(role); DROP ROLE \(role);")
                }
                if readOnly { _ = try Self.admin("ALTER ROLE \(role) SET default_transaction_read_only = on;") }
                let commands: [[String]] = [
                    ["query", "totals", "--format", "csv", "--from", "2023-09", "--to", "2023-09"],
                    ["runs"], ["verify", "--from", "2023-09", "--to", "2023-09"], ["changes"],
                    ["report", "--html", dir.path("r\(readOnly).html"), "--from", "2023-09", "--to", "2023-09"],
                ]
                for command in commands {
                    let run = try runCostwh(command + ["--db", analyst], environment: Self.env())
                    #expect(run.status == 0, "\(command) as \(readOnly ? "a read-only" : "a SELECT-only") role: \(run.stderr)")
                    if command[0] == "query" { #expect(run.stdout == owner.stdout) }
                }
                let write = try load(file, analyst)
                #expect(write.status != 0, "a SELECT-only role loaded data")
            }
        }
    }

    /// A session ended by the server (pg_terminate_backend, a shutdown) may get SQLSTATE
    /// 57P01 as an error before the socket closes, or only the close: both are a lost
    /// connection, said the same way (CI once saw the first mid-COPY, with a message that did
    /// not say "lost"). A session that ends itself gets the error every time.
    @Test func aSessionEndedByTheServerIsALostConnection() throws {
        try TestPostgres.withSchema { url in
            let store = try TestPostgres.store(url)
            do {
                _ = try store.query("SELECT pg_terminate_backend(pg_backend_pid())")
                Issue.record("the query outlived its own session")
            } catch let error as LoadError {
                guard case .connection(.lost, _, _) = error else {
                    Issue.record("not a lost connection: \(error)")
                    return
                }
                #expect("\(error)".contains("the connection was lost while"), "\(error)")
                #expect("\(error)".contains("keeps its previous data"), "\(error)")
            }
            #expect(try store.query("SELECT 1").rows[0][0].int == 1, "the next call reconnects")
        }
    }

    /// The job's session is ended (idle_session_timeout, pg_terminate_backend, a failover)
    /// and another job takes the lock: the first job's next call stops with a lost
    /// connection instead of writing beside the second. Once the lock is free again, a
    /// reconnect takes it back.
    @Test func aJobLockLostWithItsSessionIsTakenAgainOrTheJobStops() throws {
        try TestPostgres.withSchema { url in
            let first = try TestPostgres.store(url)
            #expect(try first.takeJobLock() == nil)
            let pid = try #require(try first.query("SELECT pg_backend_pid()").rows[0][0].int)
            _ = try Self.admin("SELECT pg_terminate_backend(\(pid));")
            var second: PostgresStore? = try TestPostgres.store(url)
            #expect(try second?.takeJobLock() == nil, "the lock went with the first job's session")
            // Every call while the other job holds the lock stops; none goes on without it.
            var errors: [String] = []
            for _ in 0..<2 {
                do {
                    let row = try first.query("SELECT pg_backend_pid()").rows[0][0].int
                    Issue.record("the first job went on without its lock, as pid \(row ?? -1) after \(errors)")
                } catch {
                    errors.append("\(error)")
                }
            }
            #expect(errors.count == 2)
            #expect(errors.last?.contains("another costwh job holds the lock now") == true, "\(errors)")
            second = nil
            _ = try first.query("SELECT 1")  // the lock is free: taken again on reconnect
            let third = try TestPostgres.store(url)
            #expect(try third.takeJobLock() != nil, "the first job holds the lock again")
        }
    }

    /// A load that fails before its ledger row is written (here: closing a dead load's row
    /// fails, as a trigger makes it) still leaves a failed row, so `costwh runs` and the
    /// summary line show the failure and its reason.
    @Test func aFailureBeforeTheLedgerRowIsStillInRuns() throws {
        let dir = TempDir()
        try TestPostgres.withSchema { url in
            let store = try TestPostgres.store(url)
            // A load left running by a session that has ended: its lock is free.
            try store.execute(
                """
                INSERT INTO loads (Scope, BillingPeriod, Metric, Source, Status, StartedAt, ProcessId, Host, Dataset)
                VALUES ('\(eaScope.id)', '2023-08', 'ActualCost', 'file', 'running', '2023-09-01T00:00:00Z', 1, 'h', 'cost-details')
                """)
            try store.execute(
                """
                CREATE FUNCTION refuse_abandon() RETURNS trigger LANGUAGE plpgsql AS
                $$ BEGIN RAISE EXCEPTION 'closing dead loads is refused by a test trigger'; END $$
                """)
            try store.execute(
                """
                CREATE TRIGGER refuse_abandon BEFORE UPDATE ON loads FOR EACH ROW
                WHEN (NEW.Status = 'abandoned') EXECUTE FUNCTION refuse_abandon()
                """)
            let file = dir.write("a.csv", syntheticEA(rows: 20, costBase: 1))
            let run = try load(file, url)
            #expect(run.status != 0, "\(run.stderr)")
            #expect(run.stderr.contains("refused by a test trigger"), "\(run.stderr)")
            let runs = try runCostwh(["runs", "--db", url, "--format", "csv"], environment: Self.env())
            #expect(runs.status == 0, "\(runs.stderr)")
            let failed = runs.stdout.split(separator: "\n").filter { $0.contains(",failed,") }
            #expect(failed.count == 1, "\(runs.stdout)")
            #expect(failed.first?.contains("refused by a test trigger") == true, "\(runs.stdout)")
        }
    }

    /// Two warehouses (schemas) in one database: each has its own job lock.
    @Test func twoWarehousesInOneDatabaseHaveTheirOwnJobLocks() throws {
        try TestPostgres.withSchema { one in
            try TestPostgres.withSchema { two in
                let a = try TestPostgres.store(one)
                let b = try TestPostgres.store(two)
                #expect(try a.takeJobLock() == nil)
                #expect(try b.takeJobLock() == nil, "the other warehouse's job does not hold this one")
                let c = try TestPostgres.store(one)
                #expect(try c.takeJobLock() != nil, "a second job of the same warehouse is refused")
            }
        }
    }

    /// A CSV field holding a NUL byte: the unknown column's JSON gets U+FFFD instead of
    /// `\u0000`, which jsonb refuses, the repair is counted, and JSON queries of the month
    /// keep working on PostgreSQL. A Tags object spelling `\u0000` is kept raw and counted.
    @Test func aNULCharacterNeverBreaksJSONQueries() throws {
        let dir = TempDir()
        try TestPostgres.withSchema { url in
            var text = "BillingAccountId,SubscriptionId,Date,MeterCategory,Cost,BillingCurrency,Tags,Note\n"
            text += "1,s,09/01/2023,Compute,1.5,USD,\"{\"\"env\"\":\"\"prod\"\"}\",a\u{0}b\n"
            text += "1,s,09/02/2023,Compute,2.5,USD,\"{\"\"env\"\":\"\"x\\u0000\"\"}\",ok\n"
            let file = dir.write("nul.csv", text)
            let run = try load(file, url)
            #expect(run.status == 0, "\(run.stderr)")
            let store = try TestPostgres.store(url)
            let table = try store.query(
                """
                SELECT json_extract(ExtraColumns, '$.Note'), json_extract(Tags, '$.env')
                FROM cost_details ORDER BY Date
                """)
            #expect(table.rows.count == 2)
            #expect(table.rows[0][0].string == "a\u{FFFD}b")
            #expect(table.rows[0][1].string == "prod")
            #expect(table.rows[1][1].string == nil, "a Tags object spelling \\u0000 is not kept as JSON")
            let warnings = try store.query("SELECT Warnings FROM loads").rows[0][0].string ?? ""
            #expect(warnings.contains("NUL character replaced"), "\(warnings)")
            #expect(warnings.contains("not a JSON object"), "\(warnings)")
        }
    }
}
