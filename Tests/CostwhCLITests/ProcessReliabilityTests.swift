import CostwhExtract
import CostwhLoad
import CostwhModel
import CostwhSQLite
import CostwhTestSupport
import CostwhTransform
import Foundation
import GRDB
import Testing

/// Starts `costwh` with arguments; the caller waits or kills.
func spawnCostwh(
    _ arguments: [String], environment: [String: String]? = nil, captureErrors: Bool = false
) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: costwhExecutable())
    process.arguments = arguments
    if let environment { process.environment = childEnvironment(environment) }
    process.standardError = captureErrors ? Pipe() : FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    return process
}

struct PartitionState: Equatable, CustomStringConvertible {
    let rows: Int
    let cost: Double
    var description: String { "\(rows) rows costing \(cost)" }

    func matches(_ other: PartitionState) -> Bool {
        rows == other.rows && abs(cost - other.cost) < 1e-6 * max(1, abs(cost))
    }
}

func state(_ path: String) throws -> PartitionState {
    let queue = try DatabaseQueue(path: path)
    return try queue.read { db in
        let row = try Row.fetchOne(
            db,
            sql: "SELECT COUNT(*) AS n, TOTAL(CostInBillingCurrency) AS c FROM cost_details WHERE Metric = 'ActualCost'"
        )!
        return PartitionState(rows: row["n"], cost: row["c"])
    }
}

/// The checks every kill is followed by.
func checkAfterKill(_ path: String, allowed: [PartitionState], context: String) throws {
    let queue = try DatabaseQueue(path: path)
    try queue.read { db in
        #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok", "\(context): integrity")
        let duplicates =
            try Int.fetchOne(
                db,
                sql:
                    "SELECT COUNT(*) - COUNT(DISTINCT Scope || BillingPeriod || Metric || SourcePart || ':' || SourceLine) FROM cost_details"
            ) ?? -1
        #expect(duplicates == 0, "\(context): duplicated rows")
    }
    let now = try state(path)
    #expect(allowed.contains { $0.matches(now) }, "\(context): the partition is \(now), expected one of \(allowed)")
}

@Suite(.serialized) struct CrashTests {
    /// Where a kill of `costwh load` landed, from the last phase its probe recorded.
    static func loadPhase(_ last: String?, exitedNormally: Bool) -> String {
        if exitedNormally { return "after completion" }
        switch last {
        case nil, "opened"?: return "before the ledger row"
        case let phase? where phase.hasPrefix("migration:"): return "before the ledger row"
        // The summaries, the history and the closing writes are in the load's transaction too.
        case "ledger"?, "transaction"?, "insert"?, "summaries"?, "history"?, "closing"?: return "parsing or inserting"
        case "commit"?: return "during commit"
        default: return "after completion"
        }
    }

    /// SIGKILL of `costwh load` at 60 moments: half aimed at a phase through the probe (before
    /// the ledger row, mid-insert, inside SQLite's commit hook, after the commit), half at
    /// random. Each kill's phase decides which partition must be there: the old one before
    /// and during the commit, the new one after it.
    @Test func killedLoadsLeaveTheOldOrTheNewPartition() throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        let dir = TempDir()
        let path = dir.path("w.sqlite")
        let files = [
            dir.write("a.csv", syntheticEA(rows: 30_000, costBase: 1)),
            dir.write("b.csv", syntheticEA(rows: 25_000, costBase: 2)),
        ]
        let arguments = { (file: String) in
            ["load", file, "--scope", eaScope.id, "--period", "2023-09", "--metric", "actual", "--db", path]
        }
        // Reference states, and how long a load takes here.
        var reference: [PartitionState] = []
        var duration = 0.0
        for file in files {
            let start = Date()
            let p = try spawnCostwh(arguments(file))
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
            duration = max(duration, Date().timeIntervalSince(start))
            reference.append(try state(path))
        }
        // Pauses widen the windows that are otherwise too short to hit: between opening the
        // database and the ledger row, inside the commit hook, and just after the commit.
        let pauses = ["opened": 0.05, "commit": 0.1, "committed": 0.1]
        let aims = ["opened", "insert", "commit", "committed"]
        var rng = SystemRandomNumberGenerator()
        var previous = reference[1]
        var tally = PhaseTally()
        for kill in 0..<60 {
            let target = kill % 2
            let probe = ProbeLog(path: dir.path("probe-\(kill)"))
            let process = try spawnCostwh(arguments(files[target]), environment: probe.environment(pauses: pauses))
            let aimed = kill < 40
            var how: String
            if aimed {
                let aim = aims[(kill / 2) % aims.count]
                CostwhTestSupport.kill(process, when: probe, reaches: aim)
                how = "aimed at \(aim)"
            } else {
                let delay = Double.random(in: 0...(duration * 1.1), using: &rng)
                Thread.sleep(forTimeInterval: delay)
                Foundation.kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                how = "after \(String(format: "%.3f", delay)) s"
            }
            let exited = process.terminationReason == .exit && process.terminationStatus == 0
            let phase = CrashTests.loadPhase(probe.last, exitedNormally: exited)
            tally.add(phase)
            let context = "kill \(kill) (\(how)) landed \(phase) [\(probe.last ?? "-")]"
            let expected = phase == "after completion" ? reference[target] : previous
            try checkAfterKill(path, allowed: [expected], context: context)
            // The history of loads is written with them or not at all.
            #expect(try historyProblems(CostDatabase(path: path)) == [], "\(context)")
            previous = try state(path)
        }
        print("killedLoadsLeaveTheOldOrTheNewPartition: \(tally)")
        #expect(tally["before the ledger row"] >= 5, "\(tally)")
        #expect(tally["parsing or inserting"] >= 5, "\(tally)")
        #expect(tally["during commit"] >= 5, "\(tally)")
        #expect(tally["after completion"] >= 5, "\(tally)")
        // The next run starts cleanly: dead loads are closed as abandoned.
        let last = try spawnCostwh(arguments(files[0]))
        last.waitUntilExit()
        #expect(last.terminationStatus == 0)
        #expect(try state(path).matches(reference[0]))
        let queue = try DatabaseQueue(path: path)
        let statuses = try queue.read {
            try Dictionary(
                uniqueKeysWithValues: Row.fetchAll($0, sql: "SELECT Status, COUNT(*) AS n FROM loads GROUP BY 1").map {
                    ($0["Status"] as String, $0["n"] as Int)
                })
        }
        #expect(statuses["running"] == nil)
        // Every kill after the ledger row and before the commit left a load to close.
        #expect(
            (statuses["abandoned"] ?? 0) >= tally["parsing or inserting"] + tally["during commit"], "\(statuses)")
        let leftovers = try queue.read {
            try Int.fetchOne(
                $0, sql: "SELECT (SELECT COUNT(*) FROM cost_fact) - (SELECT SUM(RowCount) FROM partitions)")
        }
        #expect(leftovers == 0)
    }

    /// SIGKILL during the migrations of a new database, aimed inside each migration's
    /// transaction (held open by the probe) and at random: the next open migrates it fully.
    @Test func killedMigrationsRecover() throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        let dir = TempDir()
        var rng = SystemRandomNumberGenerator()
        let reference = try CostDatabase(path: dir.path("reference.sqlite")).pool.read(schemaObjects)
        let migrations = CostDatabase.migrations.map(\.identifier)
        var tally = PhaseTally()
        // Five kills aimed inside each migration, then 20 at random.
        let aimed = 5 * migrations.count
        for i in 0..<(aimed + 20) {
            let path = dir.path("m\(i).sqlite")
            let probe = ProbeLog(path: dir.path("probe-\(i)"))
            let process = try spawnCostwh(
                ["migrate", "--db", path], environment: probe.environment(pauses: ["migration": 0.03]))
            if i < aimed {
                CostwhTestSupport.kill(process, when: probe, reaches: "migration:\(migrations[i % migrations.count])")
            } else {
                Thread.sleep(forTimeInterval: Double.random(in: 0...0.12, using: &rng))
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            let landed =
                process.terminationReason == .exit ? "after completion" : (probe.last ?? "before any migration")
            tally.add(landed)
            let db = try CostDatabase(path: path)
            #expect(try db.pool.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
            #expect(
                try db.pool.read(schemaObjects) == reference,
                "kill \(i) (\(landed)): the schema is incomplete after recovery")
        }
        print("killedMigrationsRecover: \(tally)")
        for migration in migrations {
            #expect(tally["migration:\(migration)"] >= 5, "no kill landed inside \(migration): \(tally)")
        }
    }
}

@Suite(.serialized) struct ConcurrentProcessTests {
    /// Runs a reader process; returns its output and the wall-clock interval it ran in.
    static func read(
        _ executable: String, _ arguments: [String]
    ) throws -> (
        status: Int32, out: String, err: String, start: Double, end: Double
    ) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let start = Date().timeIntervalSince1970
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text, errors, start, Date().timeIntervalSince1970)
    }

    /// The sqlite3 CLI, `costwh query totals` and `costwh runs` in a loop while a 150 k-row
    /// load holds its write transaction open. Every output is parsed and compared with the old
    /// or the new partition; the loader's probe gives the moments its transaction began and
    /// started to commit, and enough reads of each kind must fall wholly between the two.
    @Test func readersNeverFailOrSeeAMix() throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        let sqlite3 = try #require(
            ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3"].first { FileManager.default.isExecutableFile(atPath: $0) })
        let dir = TempDir()
        let path = dir.path("w.sqlite")
        let old = dir.write("old.csv", syntheticEA(rows: 2_000, costBase: 1))
        let new = dir.write("new.csv", syntheticEA(rows: 150_000, costBase: 3))
        let db = try CostDatabase(path: path)
        _ = try load(db, [old])
        // An amortized partition too, so `query totals` has months to compare.
        _ = try load(db, [dir.write("amortized.csv", syntheticEA(rows: 1_000, costBase: 7))], metric: .amortizedCost)
        let oldState = try state(path)
        let probe = ProbeLog(path: dir.path("probe"))
        // A short pause after each batch of 1,024 rows keeps the transaction open for seconds.
        let loader = try spawnCostwh(
            ["load", new, "--scope", eaScope.id, "--period", "2023-09", "--metric", "actual", "--db", path],
            environment: probe.environment(pauses: ["insert": 0.01]))
        struct Reading {
            let kind: String
            let start: Double
            let end: Double
            let seen: PartitionState?
            let runStatus: String?
        }
        var readings: [Reading] = []
        while loader.isRunning {
            let cli = try Self.read(
                sqlite3,
                [
                    path,
                    "SELECT COUNT(*) || '|' || printf('%.6f', TOTAL(CostInBillingCurrency)) FROM cost_details WHERE Metric = 'ActualCost'",
                ])
            #expect(cli.status == 0, "sqlite3 failed during the load: \(cli.err)")
            let parts = cli.out.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|")
            let parsed = parts.count == 2 ? Int(parts[0]).flatMap { n in Double(parts[1]).map { (n, $0) } } : nil
            #expect(parsed != nil, "sqlite3 printed `\(cli.out)`")
            readings.append(
                Reading(
                    kind: "sqlite3", start: cli.start, end: cli.end,
                    seen: parsed.map { PartitionState(rows: $0.0, cost: $0.1) }, runStatus: nil))

            let totals = try Self.read(
                costwhExecutable(),
                ["query", "totals", "--from", "2023-09", "--to", "2023-09", "--format", "csv", "--db", path])
            #expect(totals.status == 0, "costwh query failed during the load: \(totals.err)")
            let table = totals.out.split(separator: "\n").map {
                $0.split(separator: ",", omittingEmptySubsequences: false)
            }
            let column = table.first?.firstIndex(of: "ActualCost")
            let actual = column.flatMap { c in table.count == 2 ? Double(table[1][c]) : nil }
            #expect(actual != nil, "query totals printed `\(totals.out)`")
            readings.append(
                Reading(
                    kind: "query totals", start: totals.start, end: totals.end,
                    seen: actual.map { PartitionState(rows: -1, cost: $0) }, runStatus: nil))

            let runs = try Self.read(costwhExecutable(), ["runs", "--format", "csv", "--db", path])
            #expect(runs.status == 0, "costwh runs failed during the load: \(runs.err)")
            let runTable = runs.out.split(separator: "\n").map {
                $0.split(separator: ",", omittingEmptySubsequences: false)
            }
            let statusColumn = runTable.first?.firstIndex(of: "Status")
            let newest = statusColumn.flatMap { c in runTable.count > 1 ? String(runTable[1][c]) : nil }
            readings.append(
                Reading(kind: "runs", start: runs.start, end: runs.end, seen: nil, runStatus: newest))
        }
        #expect(loader.terminationStatus == 0)
        let newState = try state(path)
        let began = try #require(probe.entries.first { $0.phase == "transaction" }?.time)
        let committing = try #require(probe.entries.first { $0.phase == "commit" }?.time)
        var inside: [String: Int] = [:]
        for r in readings {
            let during = r.start > began && r.end < committing
            if during { inside[r.kind, default: 0] += 1 }
            if let seen = r.seen {
                let matches =
                    seen.rows < 0
                    ? [oldState, newState].contains { abs($0.cost - seen.cost) < 1e-4 * max(1, abs(seen.cost)) }
                    : seen.matches(oldState) || seen.matches(newState)
                #expect(matches, "\(r.kind) saw \(seen): neither \(oldState) nor \(newState)")
                // While the write transaction was open, only the old partition is visible.
                if during {
                    #expect(abs(seen.cost - oldState.cost) < 1e-4 * max(1, oldState.cost), "\(r.kind) saw \(seen)")
                }
            }
            if let status = r.runStatus {
                // The running load is listed with its ledger row (written before the transaction).
                #expect(["running", "succeeded"].contains(status), "runs listed the newest load as \(status)")
                if during { #expect(status == "running") }
            }
        }
        print("readersNeverFailOrSeeAMix: reads inside the write transaction: \(inside)")
        #expect(inside["sqlite3", default: 0] >= 3, "\(inside)")
        #expect(inside["query totals", default: 0] >= 3, "\(inside)")
        #expect(inside["runs", default: 0] >= 3, "\(inside)")
        #expect(!oldState.matches(newState))
    }

    /// A disk that fills during a load: a clear error, and the old data intact.
    @Test func aFullDiskFailsCleanly() throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        let dir = TempDir()
        let path = dir.path("w.sqlite")
        let db = try CostDatabase(path: path)
        _ = try load(db, [dir.write("old.csv", syntheticEA(rows: 500))])
        let before = try state(path)
        let big = dir.write("big.csv", syntheticEA(rows: 120_000, costBase: 5))
        // ulimit -f caps every file the process writes (in 1 KiB blocks): the WAL hits it.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [
            "-c", "ulimit -f 4096; exec \"$0\" \"$@\"", costwhExecutable(), "load", big, "--scope", eaScope.id,
            "--period", "2023-09", "--metric", "actual", "--db", path,
        ]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1, "\(message)")
        #expect(
            message.lowercased().contains("full") || message.lowercased().contains("disk")
                || message.lowercased().contains("i/o"), "\(message)")
        try checkAfterKill(path, allowed: [before], context: "after the disk filled")
        let failed = try DatabaseQueue(path: path).read {
            try String.fetchOne($0, sql: "SELECT Status FROM loads ORDER BY LoadId DESC LIMIT 1")
        }
        #expect(failed == "failed" || failed == "running", "the ledger keeps the attempt")
    }

    /// A real full disk: the database lives on a 4 MiB tmpfs (mounting needs root, which CI
    /// has), the load runs out of space (ENOSPC, not a file-size limit), and SQLite's "database
    /// or disk is full" reaches the operator while the old data stays and nothing else is left.
    @Test(.enabled(if: getuid() == 0, "mounting a tmpfs needs root; CI runs as root"))
    func aRealFullDiskFailsCleanly() throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        let dir = TempDir()
        let mountPoint = dir.path("small-disk")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", mountPoint]
        try mount.run()
        mount.waitUntilExit()
        try #require(mount.terminationStatus == 0, "mount -t tmpfs failed")
        defer {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = [mountPoint]
            try? umount.run()
            umount.waitUntilExit()
        }
        let path = mountPoint + "/w.sqlite"
        let db = try CostDatabase(path: path)
        _ = try load(db, [dir.write("old.csv", syntheticEA(rows: 500))])
        let before = try state(path)
        let big = dir.write("big.csv", syntheticEA(rows: 120_000, costBase: 5))
        let process = try spawnCostwh(
            ["load", big, "--scope", eaScope.id, "--period", "2023-09", "--metric", "actual", "--db", path],
            captureErrors: true)
        let message = String(
            decoding: (process.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1, "\(message)")
        #expect(message.contains("database or disk is full"), "\(message)")
        try checkAfterKill(path, allowed: [before], context: "after the disk filled")
        let left = try FileManager.default.contentsOfDirectory(atPath: mountPoint).sorted()
        #expect(left.allSatisfy { $0.hasPrefix("w.sqlite") }, "left behind: \(left)")
    }

    /// SIGTERM and SIGINT roll the load back and exit with 130.
    @Test(arguments: [SIGTERM, SIGINT])
    func signalsRollBack(signal: Int32) throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        let dir = TempDir()
        let path = dir.path("w.sqlite")
        let db = try CostDatabase(path: path)
        _ = try load(db, [dir.write("old.csv", syntheticEA(rows: 500))])
        let before = try state(path)
        let big = dir.write("big.csv", syntheticEA(rows: 300_000, costBase: 5))
        let process = try spawnCostwh([
            "load", big, "--scope", eaScope.id, "--period", "2023-09", "--metric", "actual", "--db", path,
        ])
        Thread.sleep(forTimeInterval: 0.6)
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        try checkAfterKill(path, allowed: [before], context: "after signal \(signal)")
        let last = try DatabaseQueue(path: path).read {
            try Row.fetchOne($0, sql: "SELECT Status, Error FROM loads ORDER BY LoadId DESC LIMIT 1")!
        }
        #expect(last["Status"] == "failed")
        #expect((last["Error"] as String).contains("interrupted"))
    }
}

/// The loader killed as a process: the executable, a real signal, the database reopened.
@Suite struct KilledLoadTests {
    /// `kill -9` of a loading process leaves the old partition and a database that opens.
    @Test func killingALoadLeavesTheOldData() throws {
        let dir = TempDir()
        let path = dir.path("w.sqlite")
        let executable = costwhExecutable()
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build costwh first: \(executable)")
        let db = try CostDatabase(path: path)
        _ = try load(db, [fixture("finops-toolkit/EA_ActualCost_Small.csv")])
        let before = try dump(db)
        let big = dir.write("big.csv", syntheticEA(rows: 150_000, costBase: 3))
        for delay in [0.0, 0.05, 0.15, 0.3, 0.6] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = [
                "load", big, "--scope", eaScope.id, "--period", "2023-09", "--metric", "actual", "--db", path,
            ]
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let integrity = try db.pool.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") }
            #expect(integrity == "ok")
            let now = try dump(db)
            let rows = try partitionState(db).rows
            #expect(now == before || rows == 150_000, "after a kill at \(delay) s the partition is neither old nor new")
        }
        // The next load starts cleanly and marks the dead ones abandoned.
        _ = try load(db, [fixture("finops-toolkit/EA_ActualCost_Small.csv")])
        #expect(try dump(db).count == 11)
        let running = try db.pool.read {
            try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM loads WHERE Status = 'running'")
        }
        #expect(running == 0)
        let orphanRows = try db.pool.read {
            try Int.fetchOne(
                $0, sql: "SELECT (SELECT COUNT(*) FROM cost_fact) - (SELECT SUM(RowCount) FROM partitions)")
        }
        #expect(orphanRows == 0)
    }
}
