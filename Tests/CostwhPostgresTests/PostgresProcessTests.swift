import CostwhLoad
import CostwhModel
import CostwhPostgres
import CostwhTestSupport
import Foundation
import Testing

/// `costwh` against the real server as separate processes: exit codes for connection
/// failures, `kill -9` at every phase of a load, a connection cut mid-load, readers during a
/// load, and secrets.
@Suite(.serialized, .enabled(if: TestPostgres.available, .init(rawValue: TestPostgres.skipMessage)))
struct PostgresProcessTests {
    static func env(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        env.merge(extra) { $1 }
        return env
    }

    static func state(_ url: String) throws -> (rows: Int, cost: Double) {
        let store = try TestPostgres.store(url)
        let row = try store.query(
            "SELECT COUNT(*), TOTAL(CostInBillingCurrency) FROM cost_details WHERE Metric = 'ActualCost'"
        ).rows[0]
        return (row[0].int ?? -1, row[1].double ?? -1)
    }

    static func same(_ a: (rows: Int, cost: Double), _ b: (rows: Int, cost: Double)) -> Bool {
        a.rows == b.rows && abs(a.cost - b.cost) < 1e-6 * max(1, abs(a.cost))
    }

    /// A refused connection, a wrong password and a wrong user each give their own exit
    /// code and a message that names the server but never the password.
    @Test func connectionFailuresHaveDistinctExitCodes() throws {
        let url = try #require(TestPostgres.url)
        let location = try PostgresLocation(parsing: url)
        let password = try #require(location.password)
        let closed = "postgres://costwh:\(password)@127.0.0.1:1/costwh"
        let refused = try runCostwh(["runs", "--db", closed], environment: Self.env())
        #expect(refused.status == 69, "\(refused.stderr)")
        #expect(refused.stderr.contains("127.0.0.1:1") && !refused.stderr.contains(password), "\(refused.stderr)")
        let wrong = url.replacingOccurrences(of: ":\(password)@", with: ":not-the-password@")
        let denied = try runCostwh(["runs", "--db", wrong], environment: Self.env())
        #expect(denied.status == 77, "\(denied.stderr)")
        #expect(denied.stderr.contains("refused user costwh"), "\(denied.stderr)")
        #expect(!denied.stderr.contains("not-the-password"))
        // TLS as libpq's sslmode says: this server has none, so require and verify-full fail at
        // connection time with an error that says so (and never fall back to plain text).
        for mode in ["require", "verify-full"] {
            let tls = try runCostwh(
                ["runs", "--db", url.replacingOccurrences(of: "sslmode=disable", with: "sslmode=\(mode)")],
                environment: Self.env())
            #expect(tls.status == 69, "\(mode): \(tls.stderr)")
            #expect(tls.stderr.contains("TLS") && tls.stderr.contains("sslmode=\(mode)"), "\(tls.stderr)")
            #expect(!tls.stderr.contains(password))
        }
        // The password from PGPASSWORD works as well as from the URL, and is not printed either.
        let bare = url.replacingOccurrences(of: ":\(password)@", with: "@")
        let fromEnv = try runCostwh(["migrate", "--db", bare], environment: Self.env(["PGPASSWORD": password]))
        #expect(fromEnv.status == 0, "\(fromEnv.stderr)")
        #expect(!(fromEnv.stdout + fromEnv.stderr).contains(password))
    }

    /// SIGKILL of `costwh load` into PostgreSQL at 24 moments aimed through the probe (the
    /// ledger row, mid-COPY, inside the swap transaction, after it) and 12 at random: the
    /// partition is the old one or the new one as the phase says, and the next run closes
    /// the dead loads as abandoned and drops their tables.
    @Test func killedLoadsLeaveTheOldOrTheNewPartition() throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        let dir = TempDir()
        try TestPostgres.withSchema { url in
            let files = [
                dir.write("a.csv", syntheticEA(rows: 20_000, costBase: 1)),
                dir.write("b.csv", syntheticEA(rows: 15_000, costBase: 2)),
            ]
            // Its own application name, so that the COPY terminated below is this test's and
            // not one of another test running at the same time.
            let name = "costwh_copy_\(UInt32.random(in: 0...UInt32.max))"
            let arguments = { (file: String) in
                ["load", file, "--scope", eaScope.id, "--period", "2023-09", "--metric", "actual", "--db",
                 url + "&application_name=\(name)"]
            }
            var reference: [(rows: Int, cost: Double)] = []
            var duration = 0.0
            for file in files {
                let start = Date()
                let run = try runCostwh(arguments(file), environment: Self.env())
                #expect(run.status == 0, "\(run.stderr)")
                duration = max(duration, Date().timeIntervalSince(start))
                reference.append(try Self.state(url))
            }
            let aims = ["ledger", "insert", "commit", "committed"]
            var tally = PhaseTally()
            var previous = reference[1]
            for kill in 0..<36 {
                let target = kill % 2
                let probe = ProbeLog(path: dir.path("probe-\(kill)"))
                let process = Process()
                process.executableURL = URL(fileURLWithPath: costwhExecutable())
                process.arguments = arguments(files[target])
                process.environment = probe.environment(
                    pauses: ["ledger": 0.05, "commit": 0.1, "committed": 0.1], base: Self.env())
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                if kill < 24 {
                    CostwhTestSupport.kill(process, when: probe, reaches: aims[(kill / 2) % aims.count])
                } else {
                    Thread.sleep(forTimeInterval: Double.random(in: 0...(duration * 1.1)))
                    Foundation.kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                }
                let phase: String
                switch probe.last {
                case _ where process.terminationReason == .exit: phase = "after completion"
                case nil, "opened"?: phase = "before the ledger row"
                case let p? where p.hasPrefix("migration:"): phase = "before the ledger row"
                case "ledger"?, "transaction"?, "insert"?: phase = "copying"
                case "commit"?: phase = "during the swap"
                default: phase = "after completion"
                }
                tally.add(phase)
                let now = try Self.state(url)
                let expected = phase == "after completion" ? reference[target] : previous
                #expect(Self.same(now, expected), "kill \(kill) landed \(phase): \(now), expected \(expected)")
                // The history of loads is written with them or not at all.
                #expect(try historyProblems(TestPostgres.store(url)) == [], "kill \(kill) landed \(phase)")
                previous = now
            }
            print("PostgreSQL killedLoadsLeaveTheOldOrTheNewPartition: \(tally)")
            #expect(
                tally["copying"] >= 4 && tally["during the swap"] >= 4 && tally["after completion"] >= 4, "\(tally)")
            let last = try runCostwh(arguments(files[0]), environment: Self.env())
            #expect(last.status == 0, "\(last.stderr)")
            #expect(Self.same(try Self.state(url), reference[0]))
            let store = try TestPostgres.store(url)
            let running = try store.query("SELECT COUNT(*) FROM loads WHERE Status = 'running'").rows[0][0].int
            #expect(running == 0)
            let abandoned = try store.query("SELECT COUNT(*) FROM loads WHERE Status = 'abandoned'").rows[0][0].int ?? 0
            #expect(abandoned >= tally["copying"] + tally["during the swap"])
            let orphans = try store.query(
                "SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() WHERE relname LIKE 'cost\\_fact\\_l%' AND NOT relispartition"
            ).rows[0][0].int
            #expect(orphans == 0, "tables of dead loads are dropped")
        }
    }

    /// The server side of the connection is terminated mid-COPY (pg_terminate_backend): the
    /// load fails with the lost-connection exit code and the partition keeps its data.
    @Test func aLostConnectionKeepsThePreviousData() throws {
        let dir = TempDir()
        try TestPostgres.withSchema { url in
            let old = dir.write("old.csv", syntheticEA(rows: 1_000, costBase: 1))
            let new = dir.write("new.csv", syntheticEA(rows: 30_000, costBase: 4))
            // Its own application name, so that the COPY terminated below is this test's and
            // not one of another test running at the same time.
            let name = "costwh_copy_\(UInt32.random(in: 0...UInt32.max))"
            let arguments = { (file: String) in
                ["load", file, "--scope", eaScope.id, "--period", "2023-09", "--metric", "actual", "--db",
                 url + "&application_name=\(name)"]
            }
            #expect(try runCostwh(arguments(old), environment: Self.env()).status == 0)
            let before = try Self.state(url)
            let probe = ProbeLog(path: dir.path("probe"))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: costwhExecutable())
            process.arguments = arguments(new)
            process.environment = probe.environment(pauses: ["insert": 0.02], base: Self.env())
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(30)
            while probe.last != "insert" && process.isRunning && Date() < deadline { usleep(2_000) }
            let store = try TestPostgres.store(url)
            let killed = try store.query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '\(name)' AND pid <> pg_backend_pid() AND query ILIKE 'COPY%'"
            )
            #expect(killed.rows.count == 1, "one COPY session to terminate")
            let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 74, "\(message)")
            #expect(message.contains("lost") && message.contains("keeps its previous data"), "\(message)")
            #expect(Self.same(try Self.state(url), before))
        }
    }

    /// The password, given in the URL, never reaches stdout, stderr (log level trace), any
    /// table, or any file: every command runs against a schema of its own, in an empty
    /// working folder that must hold only the report afterwards.
    @Test func thePasswordNeverReachesOutputTablesOrFiles() throws {
        let url = try TestPostgres.freshURL()
        defer { try? TestPostgres.drop(url) }
        let password = try #require(try PostgresLocation(parsing: url).password)
        let dir = TempDir()
        let work = dir.path("work")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let file = dir.write("a.csv", syntheticEA(rows: 200, costBase: 1))
        let commands: [[String]] = [
            ["migrate"],
            ["load", file, "--scope", eaScope.id, "--period", "2023-09", "--metric", "actual"],
            ["load", file, "--scope", eaScope.id, "--period", "2023-09", "--metric", "amortized"],
            ["runs"], ["query", "totals", "--from", "2023-09", "--to", "2023-09"],
            ["verify", "--from", "2023-09", "--to", "2023-09"],
            ["report", "--html", work + "/report.html", "--from", "2023-09", "--to", "2023-09"],
        ]
        var everything = ""
        for command in commands {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: costwhExecutable())
            process.arguments = command + ["--db", url, "--log-level", "trace"]
            process.currentDirectoryURL = URL(fileURLWithPath: work)
            process.environment = Self.env(["TMPDIR": work])
            let out = Pipe()
            let err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0 || command[0] == "verify", "\(command[0]): \(stderr)")
            everything += stdout + stderr
        }
        let store = try TestPostgres.store(url)
        let tables = try store.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        ).rows.compactMap { $0[0].string }
        #expect(tables.count >= 20)
        for table in tables {
            everything += try store.query("SELECT t::text FROM \(table) t").rows.compactMap { $0[0].string }.joined()
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: work)
        #expect(left == ["report.html"], "files left: \(left)")
        everything += (try? String(contentsOfFile: work + "/report.html", encoding: .utf8)) ?? ""
        let leaked = everything.contains(password)
        #expect(!leaked, "the PostgreSQL password leaked")
        #expect(everything.contains("postgres://costwh@"), "the URL is shown, without its password")
    }

    /// `reload` from the emulator into PostgreSQL holds exactly the emulator's rows; while
    /// another session holds the job lock, a second job exits at once with 75 naming it.
    @Test func extractingJobsRunOnPostgresAndTakeTurns() async throws {
        try await withEmulator(rows: 400) { fixture in
            try TestPostgres.withSchema { url in
                let c = fixture.emulator.configuration
                let env = Self.env([
                    "COSTWH_ARM_ENDPOINT": fixture.emulator.baseURL, "AZURE_AUTHORITY_HOST": fixture.emulator.baseURL,
                    "AZURE_TENANT_ID": c.tenantId, "AZURE_CLIENT_ID": c.clientId, "AZURE_CLIENT_SECRET": c.clientSecret,
                ])
                let reload = ["reload", "--scope", eaAccount, "--period", lastMonth.description, "--db", url]
                let first = try runCostwh(reload, environment: env)
                #expect(first.status == 0, "\(first.stderr)")
                let store = try TestPostgres.store(url)
                for metric in [Metric.actualCost, .amortizedCost] {
                    let truth = emulatorTruth(fixture, metric: metric)
                    let row = try store.query(
                        "SELECT COUNT(*), TOTAL(CostInBillingCurrency) FROM cost_details WHERE Metric = $1",
                        [.text(metric.rawValue)]
                    ).rows[0]
                    #expect(row[0].int == truth.rows, "\(metric)")
                    #expect(abs((row[1].double ?? 0) - truth.cost) < 1e-6 * max(1, truth.cost), "\(metric)")
                }
                // The nightly job and a backfill run the same way; an unchanged month is recorded so.
                let config = fixture.directory.appendingPathComponent("costwh.json").path
                try #"{"window": {"months": 1}, "scopes": [{"scope": "\#(eaAccount)"}]}"#.write(
                    toFile: config, atomically: true, encoding: .utf8)
                let ingest = try runCostwh(["ingest", "--config", config, "--db", url, "--force"], environment: env)
                #expect(ingest.status == 0, "\(ingest.stderr)")
                let backfill = try runCostwh(
                    [
                        "backfill", "--scope", eaAccount, "--from", lastMonth.description, "--to",
                        lastMonth.description,
                        "--db", url, "--force",
                    ], environment: env)
                #expect(backfill.status == 0, "\(backfill.stderr)")
                #expect(backfill.stderr.contains("unchanged"), "\(backfill.stderr)")
                // Another session holds the job lock: the next job stops without doing anything.
                #expect(try store.takeJobLock() == nil)
                let loads = try store.query("SELECT COUNT(*) FROM loads").rows[0][0].int
                let blocked = try runCostwh(reload, environment: env)
                #expect(blocked.status == 75, "\(blocked.stderr)")
                #expect(blocked.stderr.contains("PostgreSQL session pid"), "\(blocked.stderr)")
                #expect(try store.query("SELECT COUNT(*) FROM loads").rows[0][0].int == loads)
            }
        }
    }

    /// `costwh query totals` and `costwh runs` in a loop, as other processes, while a load
    /// copies 60 k rows (held in the copy by the probe): none fails, none waits more than a
    /// second, each sees the old partition or the new one, and at least 3 of each read while
    /// the load's COPY was under way.
    @Test func readersNeverWaitOrSeeAMix() throws {
        let dir = TempDir()
        try TestPostgres.withSchema { url in
            let old = dir.write("old.csv", syntheticEA(rows: 2_000, costBase: 1))
            let new = dir.write("new.csv", syntheticEA(rows: 60_000, costBase: 3))
            let amortized = dir.write("amortized.csv", syntheticEA(rows: 500, costBase: 7))
            let common = ["--scope", eaScope.id, "--period", "2023-09", "--db", url]
            #expect(try runCostwh(["load", old, "--metric", "actual"] + common, environment: Self.env()).status == 0)
            #expect(
                try runCostwh(["load", amortized, "--metric", "amortized"] + common, environment: Self.env()).status
                    == 0)
            let oldState = try Self.state(url)
            let probe = ProbeLog(path: dir.path("probe"))
            let loader = Process()
            loader.executableURL = URL(fileURLWithPath: costwhExecutable())
            loader.arguments = ["load", new, "--metric", "actual"] + common
            loader.environment = probe.environment(pauses: ["insert": 0.05], base: Self.env())
            loader.standardOutput = FileHandle.nullDevice
            loader.standardError = FileHandle.nullDevice
            try loader.run()
            var readings: [(start: Double, end: Double, cost: Double?)] = []
            var slowest = 0.0
            while loader.isRunning {
                let start = Date().timeIntervalSince1970
                let totals = try runCostwh(
                    ["query", "totals", "--from", "2023-09", "--to", "2023-09", "--format", "csv", "--db", url],
                    environment: Self.env())
                let end = Date().timeIntervalSince1970
                slowest = max(slowest, end - start)
                #expect(totals.status == 0, "\(totals.stderr)")
                let lines = totals.stdout.split(separator: "\n").map { $0.split(separator: ",") }
                let column = lines.first?.firstIndex(of: "ActualCost")
                let cost = column.flatMap { c in lines.count == 2 ? Double(lines[1][c]) : nil }
                #expect(cost != nil, "\(totals.stdout)")
                readings.append((start, end, cost))
                let runs = try runCostwh(["runs", "--db", url], environment: Self.env())
                #expect(runs.status == 0, "\(runs.stderr)")
            }
            #expect(loader.terminationStatus == 0)
            let newState = try Self.state(url)
            let began = try #require(probe.entries.first { $0.phase == "transaction" }?.time)
            let swapping = try #require(probe.entries.first { $0.phase == "commit" }?.time)
            var during = 0
            for r in readings {
                guard let cost = r.cost else { continue }
                let isOld = abs(cost - oldState.cost) < 1e-4 * max(1, oldState.cost)
                let isNew = abs(cost - newState.cost) < 1e-4 * max(1, newState.cost)
                #expect(isOld || isNew, "a reader saw \(cost)")
                if r.start > began && r.end < swapping {
                    during += 1
                    #expect(isOld, "a reader saw the new partition before its swap")
                }
            }
            print("PostgreSQL readersNeverWaitOrSeeAMix: \(during) reads during the copy, slowest \(slowest) s")
            #expect(during >= 3)
            #expect(slowest < 1.5, "a reader took \(slowest) s (process start included)")
        }
    }

    /// The server restarts (immediate mode, as after a crash) while a load copies its rows:
    /// the load fails as a lost connection, the partition keeps its data, the load is closed
    /// (failed, or abandoned by the next run) and its table dropped. The test
    /// starts a server of its own, so no other test loses its connection.
    @Test func aServerRestartDuringALoadKeepsThePreviousData() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/postgres-throwaway").path
        // Its output goes to a file: the server it starts would inherit a pipe and hold it open.
        let dir = TempDir()
        let exports = dir.path("exports")
        let start = Process()
        start.executableURL = URL(fileURLWithPath: "/bin/bash")
        start.arguments = ["-c", "exec \"$0\" start > \"$1\" 2>/dev/null </dev/null", script, exports]
        start.standardOutput = FileHandle.nullDevice
        start.standardError = FileHandle.nullDevice
        try start.run()
        start.waitUntilExit()
        let text = (try? String(contentsOfFile: exports, encoding: .utf8)) ?? ""
        try #require(start.terminationStatus == 0, "scripts/postgres-throwaway start failed")
        func exported(_ name: String) -> String? {
            text.split(separator: "\n").first { $0.hasPrefix("export \(name)=") }.map {
                String($0.dropFirst("export \(name)=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
            }
        }
        let pgdir = try #require(exported("PGDIR"))
        let url = try #require(exported("COSTWH_TEST_POSTGRES_URL"))
        defer {
            let stop = Process()
            stop.executableURL = URL(fileURLWithPath: "/bin/bash")
            stop.arguments = [script, "stop", pgdir]
            stop.standardOutput = FileHandle.nullDevice
            stop.standardError = FileHandle.nullDevice
            try? stop.run()
            stop.waitUntilExit()
        }
        let old = dir.write("old.csv", syntheticEA(rows: 1_000, costBase: 1))
        let new = dir.write("new.csv", syntheticEA(rows: 30_000, costBase: 4))
        let arguments = { (file: String) in
            ["load", file, "--scope", eaScope.id, "--period", "2023-09", "--metric", "actual", "--db", url]
        }
        let first = try runCostwh(arguments(old), environment: Self.env())
        #expect(first.status == 0, "\(first.stderr)")
        let before = try Self.state(url)
        let probe = ProbeLog(path: dir.path("probe"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: costwhExecutable())
        process.arguments = arguments(new)
        process.environment = probe.environment(pauses: ["insert": 0.02], base: Self.env())
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while probe.last != "insert" && process.isRunning && Date() < deadline { usleep(2_000) }
        #expect(probe.last == "insert", "the load never reached its COPY")
        let restart = Process()
        restart.executableURL = URL(fileURLWithPath: "/bin/bash")
        restart.arguments = [script, "restart", pgdir]
        restart.standardOutput = FileHandle.nullDevice
        restart.standardError = FileHandle.nullDevice
        try restart.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        restart.waitUntilExit()
        #expect(restart.terminationStatus == 0)
        #expect(process.terminationStatus == 74, "\(message)")
        #expect(Self.same(try Self.state(url), before))
        // The next run recovers: the dead load is abandoned and its table dropped.
        let next = try runCostwh(arguments(old), environment: Self.env())
        #expect(next.status == 0, "\(next.stderr)")
        let store = try TestPostgres.store(url)
        let statuses = try store.query("SELECT Status FROM loads ORDER BY LoadId").rows.map { $0[0].string ?? "" }
        // The load closes its own ledger row as failed when the server is back before it gives
        // up; otherwise the next run finds it dead and marks it abandoned.
        #expect(
            statuses == ["succeeded", "failed", "succeeded"] || statuses == ["succeeded", "abandoned", "succeeded"],
            "\(statuses)")
        let orphans = try store.query(
            "SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() WHERE relname LIKE 'cost\\_fact\\_l%' AND NOT relispartition"
        ).rows[0][0].int
        #expect(orphans == 0)
    }

    /// Two loads of one partition at once: they take turns at the swap (the partition's
    /// pointer row is locked), both succeed, the later one replaced the earlier, and the
    /// partition is exactly one of them.
    @Test func twoWritersOfOnePartitionTakeTurns() throws {
        let dir = TempDir()
        try TestPostgres.withSchema { url in
            let files = [
                dir.write("a.csv", syntheticEA(rows: 8_000, costBase: 1)),
                dir.write("b.csv", syntheticEA(rows: 9_000, costBase: 2)),
            ]
            let processes = try files.map { file -> Process in
                let p = Process()
                p.executableURL = URL(fileURLWithPath: costwhExecutable())
                p.arguments = [
                    "load", file, "--scope", eaScope.id, "--period", "2023-09", "--metric", "actual", "--db", url,
                ]
                p.environment = Self.env()
                p.standardOutput = FileHandle.nullDevice
                p.standardError = FileHandle.nullDevice
                try p.run()
                return p
            }
            for p in processes {
                p.waitUntilExit()
                #expect(p.terminationStatus == 0)
            }
            let store = try TestPostgres.store(url)
            let loads = try store.query("SELECT LoadId, Status, RowsLoaded FROM loads ORDER BY FinishedAt").rows
            #expect(loads.map { $0[1].string ?? "" } == ["succeeded", "succeeded"])
            let current = try store.query("SELECT LoadId, RowCount FROM partitions").rows
            #expect(current.count == 1)
            // The one that finished last is current, whole.
            #expect(current.first?[0] == loads.last?[0])
            let rows = try store.query("SELECT COUNT(*) FROM cost_details").rows[0][0].int
            #expect(rows == loads.last?[2].int && (rows == 8_000 || rows == 9_000))
        }
    }

    /// `costwh demo` fills a PostgreSQL warehouse and prints the URL without its password.
    @Test func theDemoRunsOnPostgres() throws {
        let url = try TestPostgres.freshURL()
        defer { try? TestPostgres.drop(url) }
        let password = try #require(try PostgresLocation(parsing: url).password)
        let demo = try runCostwh(["demo", "--db", url, "--rows-per-month", "150"], environment: Self.env())
        #expect(demo.status == 0, "\(demo.stderr)")
        #expect(demo.stdout.contains("Actual versus amortized"), "\(demo.stdout)")
        #expect(!(demo.stdout + demo.stderr).contains(password))
        let store = try TestPostgres.store(url)
        // Two scopes, three months, two metrics.
        #expect(try store.query("SELECT COUNT(*) FROM partitions").rows[0][0].int == 12)
    }
}
