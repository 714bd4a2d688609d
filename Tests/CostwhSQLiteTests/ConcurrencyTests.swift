import CostwhLoad
import CostwhModel
import CostwhSQLite
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
}
