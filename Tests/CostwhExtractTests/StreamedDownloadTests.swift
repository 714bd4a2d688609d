import CostwhEmulator
import CostwhExtract
import CostwhLoad
import CostwhModel
import CostwhPipeline
import CostwhTestSupport
import Foundation
import GRDB
import Synchronization
import Testing

/// The loader reads Cost Details blobs while they download (`Spool`), and runs of several
/// partitions overlap one partition's download with another's load.
@Suite(.serialized) struct StreamedDownloadTests {
    func backfill(
        _ fixture: EmulatorFixture, database: String? = nil, settings: ExtractSettings? = nil,
        metrics: [Metric] = [.actualCost], isCancelled: @escaping @Sendable () -> Bool = { false }
    ) async throws -> RunReport {
        try await Backfill.run(
            BackfillOptions(
                scope: try Scope(parsing: eaAccount), from: lastMonth,
                to: lastMonth, metrics: metrics, settings: settings ?? fixture.settings, force: true,
                isCancelled: isCancelled), store: try DatabaseLocation.open(database ?? fixture.databasePath),
            logger: quiet)
    }

    /// Streamed and whole downloads load the same rows with the same content hash, gzip and
    /// several blobs included; a streamed report identical to the loaded one is recorded as
    /// unchanged and leaves the partition on its load.
    @Test(arguments: [false, true])
    func streamedAndWholeDownloadsAgree(gzip: Bool) async throws {
        var faults = EmulatorFaults()
        faults.gzip = gzip
        faults.blobsPerReport = 3
        try await withEmulator(faults: faults, rows: 2_000) { fixture in
            var whole = fixture.settings
            whole.streamDownloads = false
            let wholePath = fixture.directory.appendingPathComponent("whole.sqlite").path
            let wholeLoad = try #require(summary(try await backfill(fixture, database: wholePath, settings: whole)))
            let streamed = try #require(summary(try await backfill(fixture)))
            let truth = emulatorTruth(fixture)
            #expect(streamed.rowsLoaded == truth.rows)
            #expect(streamed.rowsLoaded == wholeLoad.rowsLoaded)
            #expect(streamed.contentHash == wholeLoad.contentHash)
            #expect(abs(streamed.costTotal - truth.cost) < 1e-6 * truth.cost)

            let again = try await backfill(fixture)
            guard case .unchanged(let id) = try #require(again.results.first).outcome else {
                Issue.record("a streamed identical report is unchanged: \(again.lines())")
                return
            }
            let ledger = try rows(
                fixture.databasePath,
                sql: "SELECT Status, RowsLoaded, CostTotal, ContentHash FROM loads WHERE LoadId = ?",
                [id])
            #expect(ledger.first?["Status"] == "unchanged")
            #expect(ledger.first?["RowsLoaded"] == 0)
            #expect(ledger.first?["ContentHash"] == streamed.contentHash)
            let partition = try rows(fixture.databasePath, sql: "SELECT LoadId, RowCount FROM partitions")
            #expect(partition.map { $0["LoadId"] as Int64 } == [streamed.loadId])
            #expect(try rows(fixture.databasePath, sql: "SELECT COUNT(*) AS n FROM cost_details")[0]["n"] == truth.rows)
        }
    }

    /// The proof that parsing overlaps the download: while the blob hangs half-way (the
    /// emulator sends half and then nothing), the load has already begun. Cancelled there,
    /// the run ends promptly, and the partition keeps the rows it had.
    @Test func theLoadBeginsWhileTheBlobIsStillArriving() async throws {
        try await withEmulator(rows: 3_000) { healthy in
            // The partition as an earlier run left it.
            let before = try #require(summary(try await backfill(healthy)))
            var faults = EmulatorFaults()
            faults.stallDownloads = true
            try await withEmulator(faults: faults, rows: 3_000) { fixture in
                let path = healthy.databasePath
                let run = Task { try await backfill(fixture, database: path) }
                var begun = false
                let deadline = Date().addingTimeInterval(30)
                while !begun && Date() < deadline {
                    try await Task.sleep(nanoseconds: 20_000_000)
                    begun = try rows(path, sql: "SELECT COUNT(*) AS n FROM loads WHERE Status = 'running'")[0]["n"] == 1
                }
                #expect(begun, "no load began while the blob was arriving")
                #expect(fixture.emulator.statistics["blob"] == 1)
                let stopping = Date()
                run.cancel()
                let report = try await run.value
                #expect(Date().timeIntervalSince(stopping) < 10)
                #expect(report.anyFailed, "\(report.lines())")
                let last = try rows(path, sql: "SELECT Status FROM loads ORDER BY LoadId DESC LIMIT 1")
                #expect(last.first?["Status"] == "failed")
                let kept = try rows(path, sql: "SELECT LoadId, RowCount FROM partitions")
                #expect(kept.map { $0["LoadId"] as Int64 } == [before.loadId])
                #expect(try rows(path, sql: "SELECT COUNT(*) AS n FROM cost_details")[0]["n"] == before.rowsLoaded)
            }
        }
    }

    /// Several partitions at once: while one waits for its report, another loads. The loads
    /// themselves take turns (no two ledger rows' load times overlap), every partition holds
    /// the emulator's rows, and the run reports its wall time against the sum of its parts.
    @Test func aRunOverlapsPartitionsButNotLoads() async throws {
        var faults = EmulatorFaults()
        faults.slowPolls = 1
        try await withEmulator(faults: faults, rows: 1_500, configure: { $0.pollRetryAfter = 1 }) { fixture in
            let months = BillingPeriod.range(from: lastMonth.adding(months: -1), to: lastMonth)
            let started = Date()
            let report = try await Backfill.run(
                BackfillOptions(
                    scope: try Scope(parsing: eaAccount), from: months.first!,
                    to: months.last!, metrics: [.actualCost, .amortizedCost], settings: fixture.settings, force: true),
                store: try DatabaseLocation.open(fixture.databasePath),
                logger: quiet)
            let wall = Date().timeIntervalSince(started)
            #expect(!report.anyFailed, "\(report.lines())")
            #expect(report.results.map(\.key.period) == months.flatMap { [$0, $0] }, "results in the plan's order")
            // Four partitions of at least 1 s each (the report's Retry-After), two at a time.
            #expect(report.partitionSeconds >= 4)
            #expect(wall < report.partitionSeconds * 0.75, "wall \(wall) s against \(report.partitionSeconds) s")
            #expect(report.summaryLine(title: "backfill", seconds: wall).contains("overlapped"))
            #expect(report.summaryJSON(title: "backfill", seconds: wall).contains("\"partitionSeconds\": "))
            for period in months {
                for metric in [Metric.actualCost, .amortizedCost] {
                    let truth = emulatorTruth(fixture, period: period, metric: metric)
                    let loaded = try rows(
                        fixture.databasePath,
                        sql: "SELECT COUNT(*) AS n FROM cost_details WHERE BillingPeriod = ? AND Metric = ?",
                        [period.description, metric.rawValue])
                    #expect(loaded[0]["n"] == truth.rows, "\(period) \(metric)")
                }
            }
            let loads = try rows(
                fixture.databasePath,
                sql: "SELECT StartedAt, FinishedAt FROM loads WHERE Status = 'succeeded' ORDER BY StartedAt")
            #expect(loads.count == 4)
            for (a, b) in zip(loads, loads.dropFirst()) {
                #expect((a["FinishedAt"] as String) <= (b["StartedAt"] as String), "two loads overlapped")
            }
        }
    }
}
