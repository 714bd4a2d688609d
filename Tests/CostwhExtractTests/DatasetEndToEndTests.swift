import CostwhEmulator
import CostwhLoad
import CostwhModel
import CostwhPipeline
import CostwhSynthetic
import CostwhTestSupport
import CostwhTransform
import Foundation
import GRDB
import Testing

/// Each dataset besides cost details, end to end over HTTP against the emulator: the
/// asynchronous downloads with slow polls, the paged lists a record per page, a 429 first,
/// and what was stored checked against the emulator's own synthetic data.
@Suite struct DatasetEndToEndTests {
    static let period = lastMonth.adding(months: -1)

    /// What the emulator serves for a dataset of the EA test scope: rows, and a sum to compare.
    static func truth(_ dataset: Dataset, rows perMonth: Int) -> (rows: Int, sum: Double) {
        let month = SyntheticMonth(
            estate: SyntheticEstate(scope: try! Scope(parsing: eaAccount)), period: period, rows: perMonth)
        let datasets = SyntheticDatasets(month: month)
        func csv(_ bytes: [UInt8]) -> (Int, Double) {
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
            return (lines.count - 1, 0)
        }
        switch dataset {
        case .priceSheet: return csv(datasets.priceSheetCSV())
        case .reservationDetails: return csv(datasets.reservationDetailsCSV())
        case .reservationTransactions:
            let records = datasets.reservationTransactions()
            return (
                records.count, records.reduce(0) { $0 + (($1["properties"] as! [String: Any])["amount"] as! Double) }
            )
        case .marketplace:
            let records = datasets.marketplaceCharges()
            return (
                records.count,
                records.reduce(0) { $0 + (($1["properties"] as! [String: Any])["pretaxCost"] as! Double) }
            )
        case .balanceSummary:
            let properties = datasets.balanceSummary()["properties"] as! [String: Any]
            return (1, properties["utilized"] as! Double)
        case .billingPeriods: return (13, 0)
        case .costDetails: return (0, 0)
        }
    }

    /// The column summed to compare with the truth, per dataset.
    static let summed: [Dataset: String] = [
        .reservationTransactions: "Amount", .marketplace: "PretaxCost", .balanceSummary: "Utilized",
    ]

    @Test(arguments: Dataset.others)
    func eachDatasetArrivesWhole(dataset: Dataset) async throws {
        var faults = EmulatorFaults()
        faults.throttle = 1
        faults.slowPolls = 2
        faults.pageSize = 1
        try await withEmulator(faults: faults, rows: 300) { fixture in
            let report = try await Backfill.run(
                BackfillOptions(
                    scope: try Scope(parsing: eaAccount),
                    from: DatasetEndToEndTests.period, to: DatasetEndToEndTests.period, metrics: [.actualCost],
                    datasets: [dataset], settings: fixture.settings),
                store: try DatabaseLocation.open(fixture.databasePath),
                logger: quiet)
            #expect(!report.anyFailed, "\(report.lines())")
            let loaded = try #require(summary(report), "\(report.lines())")
            let truth = DatasetEndToEndTests.truth(dataset, rows: 300)
            #expect(loaded.rowsLoaded == truth.rows && loaded.rowsRejected == 0, "\(dataset): \(loaded.rowsLoaded)")
            let view = DatasetSchema.of(dataset).table.replacingOccurrences(of: "ds_", with: "")
            let stored = try rows(
                fixture.databasePath,
                sql: "SELECT COUNT(*) AS n, TOTAL(\(DatasetEndToEndTests.summed[dataset] ?? "0")) AS s FROM \(view)")[0]
            #expect(stored["n"] as Int == truth.rows)
            #expect(abs((stored["s"] as Double) - truth.sum) < 1e-6 * max(1, truth.sum), "\(dataset)")
            let ledger = try rows(
                fixture.databasePath, sql: "SELECT Dataset, Metric, Status, Source FROM loads WHERE LoadId = ?",
                [loaded.loadId])[0]
            #expect(ledger["Dataset"] as String == dataset.rawValue)
            #expect((ledger["Metric"] as String?) == nil)
            #expect(ledger["Status"] as String == "succeeded")
            #expect((fixture.emulator.statistics["throttled"] ?? 0) == 1, "the 429 was retried")
        }
    }

    /// A reload replaces the rows atomically: a failed report keeps them, an empty period
    /// (no data) empties the partition, an identical answer is recorded as unchanged.
    @Test func datasetPartitionsAreReplacedAtomically() async throws {
        let dir = TempDir()
        let db = dir.path("w.sqlite")
        let scope = try Scope(parsing: eaAccount)
        func reload(_ faults: EmulatorFaults) async throws -> RunReport {
            try await withEmulator(faults: faults, rows: 300) { fixture in
                try await Backfill.run(
                    BackfillOptions(
                        scope: scope, from: DatasetEndToEndTests.period,
                        to: DatasetEndToEndTests.period, metrics: [.actualCost],
                        datasets: [.priceSheet, .marketplace], settings: fixture.settings, force: true),
                    store: try DatabaseLocation.open(db),
                    logger: quiet)
            }
        }
        func counts() throws -> [Int] {
            try ["price_sheet", "marketplace_charges"].map {
                try rows(db, sql: "SELECT COUNT(*) AS n FROM \($0)")[0]["n"]
            }
        }
        let first = try await reload(EmulatorFaults())
        #expect(!first.anyFailed, "\(first.lines())")
        let full = [DatasetEndToEndTests.truth(.priceSheet, rows: 300).rows, 2]
        #expect(try counts() == full)
        var failing = EmulatorFaults()
        failing.failReports = true
        failing.pageSize = 1
        let failed = try await reload(failing)
        #expect(failed.results.allSatisfy { $0.outcome.failed }, "\(failed.lines())")
        #expect(try counts() == full, "a failed reload keeps the rows")
        let same = try await reload(EmulatorFaults())
        #expect(
            same.results.allSatisfy { if case .unchanged = $0.outcome { true } else { false } }, "\(same.lines())")
        var empty = EmulatorFaults()
        empty.noData = true
        let emptied = try await reload(empty)
        #expect(!emptied.anyFailed, "\(emptied.lines())")
        #expect(try counts() == [0, 0], "an empty period empties the partition")
        let statuses = try rows(db, sql: "SELECT Status, COUNT(*) AS n FROM loads GROUP BY Status ORDER BY Status")
        #expect(
            statuses.map { "\($0["Status"] as String)=\($0["n"] as Int)" } == [
                "failed=2", "succeeded=4", "unchanged=2",
            ])
    }
}
