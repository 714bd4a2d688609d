import CostwhLoad
import CostwhModel
import CostwhPipeline
import CostwhQuery
import CostwhSynthetic
import CostwhTestSupport
import Foundation
import Testing

/// `costwh verify` against an EA balance summary: consistent data passes, a balance that
/// does not match the cost data fails with the difference and the tolerance.
@Suite struct ReconciliationTests {
    static let scope = try! Scope(parsing: eaAccount)
    static let period = try! BillingPeriod(parsing: "2023-09")

    func load(_ db: String, _ file: String, _ dataset: Dataset) throws {
        var options = LoadFilesOptions(
            databasePath: db, files: [file], scope: ReconciliationTests.scope, period: ReconciliationTests.period,
            metric: dataset == .costDetails ? .actualCost : nil)
        options.dataset = dataset
        let summary = try LoadFiles.run(options, logger: quietLogger)[0]
        #expect(summary.status == .succeeded && summary.rowsRejected == 0)
    }

    func balanceChecks(_ db: String) throws -> [VerificationCheck] {
        try Verify.run(databasePath: db, scope: nil, periods: PeriodRange(ReconciliationTests.period)).filter {
            $0.check.hasSuffix("= balance") || $0.check.hasPrefix("balance")
        }
    }

    @Test func theBalanceSummaryReconcilesWithTheActualCost() throws {
        let dir = TempDir()
        let db = dir.path("w.sqlite")
        let month = SyntheticMonth(
            estate: SyntheticEstate(scope: ReconciliationTests.scope), period: ReconciliationTests.period, rows: 800)
        let datasets = SyntheticDatasets(month: month)
        let costs = dir.path("actual.csv")
        _ = try CostCSVWriter(month: month).write(.actualCost, toFile: costs)
        var balance = datasets.balanceSummary()
        let balanceFile = dir.path("balance.json")
        try JSONSerialization.data(withJSONObject: balance).write(to: URL(fileURLWithPath: balanceFile))

        // The balance alone: nothing to reconcile it with, and verify says so.
        try load(db, balanceFile, .balanceSummary)
        let alone = try balanceChecks(db)
        #expect(alone.count == 1 && alone[0].passed == false, "\(alone.map(\.detail))")
        #expect(alone.first?.detail.contains("ActualCost partition is not") == true)

        try load(db, costs, .costDetails)
        let checks = try balanceChecks(db)
        #expect(checks.count == 2 && checks.allSatisfy(\.passed), "\(checks.map(\.detail))")
        #expect(checks.allSatisfy { $0.detail.contains("difference 0.00") && $0.detail.contains("tolerance") })

        // A balance 1 % higher than the usage the warehouse holds (twice the tolerance) does not reconcile.
        var properties = balance["properties"] as! [String: Any]
        let extra = ((properties["utilized"] as! Double) * 0.01).rounded()
        properties["utilized"] = (properties["utilized"] as! Double) + extra
        balance["properties"] = properties
        try JSONSerialization.data(withJSONObject: balance).write(to: URL(fileURLWithPath: balanceFile))
        try load(db, balanceFile, .balanceSummary)
        let broken = try balanceChecks(db)
        let azure = try #require(broken.first { $0.check == "Azure charges = balance" })
        #expect(!azure.passed)
        #expect(azure.detail.contains("difference -\(Int(extra)).00"), "\(azure.detail)")
        #expect(broken.first { $0.check == "marketplace charges = balance" }?.passed == true)
    }
}
