import CostwhLoad
import CostwhModel
import CostwhSQLite
import CostwhTestSupport
import Foundation
import GRDB
import Testing

@Suite struct FailureTests {
    @Test func rejectedRowsAreRecordedWithLineAndReason() throws {
        let dir = TempDir()
        let db = try CostDatabase(path: dir.path("w.sqlite"))
        // One bad row in 200: 0.5 %, under the default 1 % limit.
        let file = dir.write("some-bad.csv", syntheticEA(rows: 200, badEvery: 200))
        let summary = try load(db, [file])
        #expect(summary.status == .succeeded)
        #expect(summary.rowsRead == 200 && summary.rowsLoaded == 199 && summary.rowsRejected == 1)
        let rejected = try db.pool.read { try Row.fetchAll($0, sql: "SELECT * FROM rejected_rows") }
        #expect(rejected.count == 1)
        #expect(rejected[0]["LoadId"] == summary.loadId)
        #expect(rejected[0]["LineNumber"] == 201)
        #expect(rejected[0]["Source"] == file)
        #expect(
            (rejected[0]["Reason"] as String).hasPrefix(
                "CostInBillingCurrency (column 5, `Cost`): expected a number, found `not-a-number`"))
        #expect((rejected[0]["RawText"] as String).contains("not-a-number"))
        #expect(try partitionState(db).rows == 199)
        let ledger = try db.pool.read {
            try Row.fetchOne($0, sql: "SELECT * FROM loads WHERE LoadId = ?", arguments: [summary.loadId])!
        }
        #expect(ledger["RowsRejected"] == 1)
        #expect(ledger["Status"] == "succeeded")
    }

    @Test func tooManyRejectedRowsFailTheLoadAndKeepTheOldData() throws {
        let dir = TempDir()
        let db = try CostDatabase(path: dir.path("w.sqlite"))
        _ = try load(db, [fixture("finops-toolkit/EA_ActualCost_Small.csv")])
        let before = try dump(db)
        let file = dir.write("bad.csv", syntheticEA(rows: 100, badEvery: 10))
        #expect(throws: LoadError.self) { try load(db, [file]) }
        #expect(try dump(db) == before)
        let failed = try db.pool.read { try Row.fetchOne($0, sql: "SELECT * FROM loads ORDER BY LoadId DESC LIMIT 1")! }
        #expect(failed["Status"] == "failed")
        #expect((failed["Error"] as String).contains("10 of 100 rows were rejected"))
        #expect(failed["RowsRejected"] == 10)
        // The reasons survive the rollback, for diagnosis.
        let reasons = try db.pool.read {
            try Int.fetchOne(
                $0, sql: "SELECT COUNT(*) FROM rejected_rows WHERE LoadId = ?", arguments: [failed["LoadId"] as Int64])
        }
        #expect(reasons == 10)
        // No row of the failed load is left in the fact table.
        let factRows = try db.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM cost_fact") }
        #expect(factRows == 11)
    }

    @Test func theRejectLimitIsConfigurable() throws {
        let dir = TempDir()
        let db = try CostDatabase(path: dir.path("w.sqlite"))
        let file = dir.write("bad.csv", syntheticEA(rows: 100, badEvery: 10))
        let summary = try load(db, [file], maxRejected: 0.2)
        #expect(summary.rowsLoaded == 90 && summary.rowsRejected == 10)
    }

    @Test func aMissingOrBrokenPartFailsTheWholeLoad() throws {
        let dir = TempDir()
        let db = try CostDatabase(path: dir.path("w.sqlite"))
        _ = try load(db, [fixture("finops-toolkit/EA_ActualCost_Small.csv")])
        let before = try dump(db)
        let good = dir.write("good.csv", syntheticEA(rows: 50))
        do {
            _ = try load(db, [good, dir.path("missing.csv")])
            Issue.record("expected a failure")
        } catch {
            #expect(String(describing: error).contains("missing.csv"))
        }
        let unrecognised = dir.write("notcost.csv", "Name,Value\na,1\n")
        do {
            _ = try load(db, [good, unrecognised])
            Issue.record("expected a failure")
        } catch {
            #expect(String(describing: error).contains("notcost.csv:1"))
            #expect(String(describing: error).contains("missing Date"))
        }
        #expect(try dump(db) == before)
    }

    @Test func invalidTagsJSONIsKeptRawAndNeverStoredAsTags() throws {
        let dir = TempDir()
        let db = try CostDatabase(path: dir.path("w.sqlite"))
        var text = "Date,Cost,Tags\n"
        for i in 0..<300 { text += "2023-09-01,\(i),\"\"\"env\"\": \"\"x\"\"\"\n" }
        text += "2023-09-01,1,\"\"\"broken: \"\n"
        let file = dir.write("tags.csv", text)
        let summary = try load(db, [file])
        #expect(summary.rowsRejected == 0)
        #expect(summary.rowsLoaded == 301)
        #expect(summary.warnings.counts["repaired: not a JSON object"]?["Tags"] == 1)
        let kept = try db.pool.read {
            try Row.fetchOne(
                $0,
                sql: "SELECT Tags, json_extract(ExtraColumns, '$.Tags') AS raw FROM cost_details WHERE SourceLine = 302"
            )
        }
        #expect(kept?["Tags"] as String? == nil)
        #expect(kept?["raw"] as String? == "\"broken: ")
        let invalid = try db.pool.read {
            try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM dim_tags WHERE json_valid(Tags) = 0")
        }
        #expect(invalid == 0)
    }

    @Test func cancellationRollsBack() throws {
        let dir = TempDir()
        let db = try CostDatabase(path: dir.path("w.sqlite"))
        _ = try load(db, [fixture("finops-toolkit/EA_ActualCost_Small.csv")])
        let before = try dump(db)
        let file = dir.write("big.csv", syntheticEA(rows: 70_000))
        let request = LoadRequest(
            scope: eaScope, period: september, metric: .actualCost, parts: [.file(file)], isCancelled: { true })
        #expect(throws: LoadError.self) { try PartitionLoader(store: db, logger: quietLogger).load(request) }
        #expect(try dump(db) == before)
        let status = try db.pool.read {
            try String.fetchOne($0, sql: "SELECT Error FROM loads ORDER BY LoadId DESC LIMIT 1")
        }
        #expect(status?.contains("interrupted") == true)
    }

    @Test func loadsLeftRunningByADeadProcessAreMarkedAbandoned() throws {
        let dir = TempDir()
        let db = try CostDatabase(path: dir.path("w.sqlite"))
        // A process that has exited: its pid is free.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        let deadPid = process.processIdentifier
        try db.pool.write { db in
            try db.execute(
                sql:
                    "INSERT INTO loads (Scope, BillingPeriod, Metric, Source, Status, StartedAt, ProcessId, Host) VALUES (?, '2023-09', 'ActualCost', 'file', 'running', '2023-01-01', ?, ?)",
                arguments: [eaScope.id, deadPid, ProcessInfo.processInfo.hostName])
        }
        _ = try load(db, [fixture("finops-toolkit/EA_ActualCost_Small.csv")])
        let statuses = try db.pool.read { try String.fetchAll($0, sql: "SELECT Status FROM loads ORDER BY LoadId") }
        #expect(statuses == ["abandoned", "succeeded"])
        let error = try db.pool.read { try String.fetchOne($0, sql: "SELECT Error FROM loads WHERE LoadId = 1") }
        #expect(error?.contains("ended before it finished") == true)
    }

    /// A load of another host (a shared file system) left `running`: its pid means nothing
    /// here, but nobody holds the write lock, so it has ended and is marked abandoned. One
    /// that started a moment ago is left alone: it may be about to take the lock.
    @Test func loadsLeftRunningOnAnotherHostAreMarkedAbandoned() throws {
        let dir = TempDir()
        let db = try CostDatabase(path: dir.path("w.sqlite"))
        try db.pool.write { db in
            try db.execute(
                sql:
                    "INSERT INTO loads (Scope, BillingPeriod, Metric, Source, Status, StartedAt, ProcessId, Host) VALUES (?, '2023-09', 'ActualCost', 'file', 'running', '2023-01-01T00:00:00Z', 1, 'another-host'), (?, '2023-09', 'ActualCost', 'file', 'running', ?, 1, 'another-host')",
                arguments: [eaScope.id, eaScope.id, Ledger.now()])
        }
        _ = try load(db, [fixture("finops-toolkit/EA_ActualCost_Small.csv")])
        let statuses = try db.pool.read { try String.fetchAll($0, sql: "SELECT Status FROM loads ORDER BY LoadId") }
        #expect(statuses == ["abandoned", "running", "succeeded"])
        let error = try db.pool.read { try String.fetchOne($0, sql: "SELECT Error FROM loads WHERE LoadId = 1") }
        #expect(error?.contains("on host another-host ended before it finished") == true, "\(error ?? "")")
    }

    /// SQLite's text for every I/O error is "disk I/O error"; the extended code says which call
    /// failed, and the message must keep it (a CI run once failed with the bare text).
    @Test func anIOErrorSaysWhichCallFailed() {
        let shm = DatabaseFailure(DatabaseError(resultCode: .SQLITE_IOERR_SHMOPEN, message: "disk I/O error"))
        #expect(shm.message == "disk I/O error (SQLITE_IOERR_SHMOPEN, \(ResultCode.SQLITE_IOERR_SHMOPEN.rawValue))")
        #expect(shm.code == ResultCode.SQLITE_IOERR.rawValue)
        let timeout = DatabaseFailure(DatabaseError(resultCode: .SQLITE_BUSY_TIMEOUT, message: "database is locked"))
        #expect(timeout.message.hasSuffix("(SQLITE_BUSY_TIMEOUT, \(ResultCode.SQLITE_BUSY_TIMEOUT.rawValue))"))
        // A primary code says all SQLite knows: nothing is appended.
        let full = DatabaseFailure(DatabaseError(resultCode: .SQLITE_FULL, message: "database or disk is full"))
        #expect(full.message == "database or disk is full")
        // An extended code the table does not name still shows its number.
        let unknown = DatabaseFailure(DatabaseError(resultCode: ResultCode(rawValue: 10 | 99 << 8), message: "disk I/O error"))
        #expect(unknown.message == "disk I/O error (extended result code, \(10 | 99 << 8))")
    }
}
