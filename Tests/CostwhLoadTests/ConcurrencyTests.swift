import CostwhLoad
import CostwhModel
import CostwhTestSupport
import Foundation
import GRDB
import Synchronization
import Testing

@Suite struct ConcurrencyTests {
    /// A reader polling during a load sees the whole old partition or the whole new one.
    @Test func readersSeeOldOrNewNeverAMix() throws {
        let dir = TempDir()
        let path = dir.path("w.sqlite")
        let db = try CostDatabase(path: path)
        let oldFile = dir.write("old.csv", syntheticEA(rows: 1_000, costBase: 1))
        let newFile = dir.write("new.csv", syntheticEA(rows: 120_000, costBase: 2))
        _ = try load(db, [oldFile])
        let old = try partitionState(db)
        #expect(old.rows == 1_000)

        let done = Atomic<Bool>(false)
        let observations = Mutex<[(Int, Double, Bool)]>([])
        let failures = Mutex<[String]>([])
        let reader = Thread {
            // A separate connection, as an analyst's sqlite3 would have.
            do {
                let other = try DatabaseQueue(
                    path: path,
                    configuration: {
                        var c = Configuration()
                        c.readonly = true
                        c.busyMode = .timeout(5)
                        return c
                    }())
                while !done.load(ordering: .relaxed) {
                    // One snapshot: the partition, and whether the new load's ledger row says
                    // `running` (it is committed before the write transaction and closed in it).
                    let state = try other.read { db in
                        try Row.fetchOne(
                            db,
                            sql: """
                                SELECT COUNT(*) AS n, TOTAL(CostInBillingCurrency) AS c,
                                       (SELECT COUNT(*) FROM loads WHERE Status = 'running') AS running
                                FROM cost_details WHERE Metric = 'ActualCost'
                                """
                        )!
                    }
                    observations.withLock { $0.append((state["n"], state["c"], (state["running"] as Int) > 0)) }
                }
            } catch {
                failures.withLock { $0.append(String(describing: error)) }
            }
        }
        reader.start()
        _ = try load(db, [newFile])
        Thread.sleep(forTimeInterval: 0.05)
        done.store(true, ordering: .relaxed)
        while !reader.isFinished { Thread.sleep(forTimeInterval: 0.01) }

        let new = try partitionState(db)
        #expect(new.rows == 120_000)
        #expect(failures.withLock { $0 }.isEmpty)
        let seen = observations.withLock { $0 }
        #expect(seen.count > 2)
        for (n, c, running) in seen {
            let isOld = n == old.rows && abs(c - old.cost) < 1e-6
            let isNew = n == new.rows && abs(c - new.cost) < 1e-6
            #expect(isOld || isNew, "saw \(n) rows costing \(c)")
            if running { #expect(isOld, "a read during the load saw \(n) rows") }
        }
        // Reads that ran while the load was under way, not only before or after it.
        let during = seen.filter { $0.2 }.count
        #expect(during >= 3, "only \(during) reads overlapped the load")
    }

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
