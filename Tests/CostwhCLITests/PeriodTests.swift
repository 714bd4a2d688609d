import CostwhTestSupport
import Foundation
import Testing

/// Rows belong to the billing period they name: a file spanning two months is split into
/// both without `--period`, refused with it, and never counted twice; a cost-details file
/// given the wrong `--period` is refused; a late charge goes to the period it is billed in.
struct PeriodTests {
    static let scope = "/providers/Microsoft.Billing/billingAccounts/8611537"

    /// A FOCUS file with one row billed in June and two in July.
    static let twoMonths = """
        BilledCost,EffectiveCost,ListCost,ContractedCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,BillingPeriodStart,BillingPeriodEnd,ChargeCategory,ProviderName,ServiceName,BillingAccountId,SubAccountId
        1.5,1.5,2,1.5,USD,2026-06-30T00:00:00Z,2026-07-01T00:00:00Z,2026-06-01T00:00:00Z,2026-07-01T00:00:00Z,Usage,Microsoft,Virtual Machines,8611537,s1
        2.25,2.25,3,2.25,USD,2026-07-01T00:00:00Z,2026-07-02T00:00:00Z,2026-07-01T00:00:00Z,2026-08-01T00:00:00Z,Usage,Microsoft,Virtual Machines,8611537,s1
        4,4,5,4,USD,2026-07-02T00:00:00Z,2026-07-03T00:00:00Z,2026-07-01T00:00:00Z,2026-08-01T00:00:00Z,Usage,Microsoft,Storage,8611537,s1

        """

    static func partitions(_ db: String) throws -> [String] {
        try rows(db, sql: "SELECT BillingPeriod, Metric, RowCount, ROUND(CostTotal, 6) AS c FROM partitions ORDER BY 1, 2")
            .map { "\($0["BillingPeriod"] as String) \($0["Metric"] as String) \($0["RowCount"] as Int) \($0["c"] as Double)" }
    }

    @Test func aFileSpanningTwoMonthsIsSplitWithoutPeriodAndRefusedWithIt() throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        let dir = TempDir()
        let file = dir.write("focus.csv", Self.twoMonths)
        let db = dir.path("w.sqlite")
        let split = try runCostwh(["load", file, "--scope", Self.scope, "--db", db], environment: [:])
        #expect(split.status == 0, "\(split.stderr)")
        let want = [
            "2026-06 ActualCost 1 1.5", "2026-06 AmortizedCost 1 1.5", "2026-07 ActualCost 2 6.25",
            "2026-07 AmortizedCost 2 6.25",
        ]
        #expect(try Self.partitions(db) == want)
        // Loaded again, each period is replaced, not added to: the money is counted once.
        #expect(try runCostwh(["load", file, "--scope", Self.scope, "--db", db], environment: [:]).status == 0)
        #expect(try Self.partitions(db) == want)
        let total = try rows(db, sql: "SELECT ROUND(TOTAL(CostInBillingCurrency), 6) AS c FROM cost_details WHERE Metric = 'ActualCost'")
        #expect(total[0]["c"] == 7.75)
        // The ledger says which periods the file held.
        let detail = try rows(db, sql: "SELECT SourceDetail FROM loads ORDER BY LoadId DESC LIMIT 1")[0]["SourceDetail"] as String
        #expect(detail.contains("\"periodsInFiles\":[\"2026-06\",\"2026-07\"]"), "\(detail)")
        // With --period, rows of the other period are an error naming both, and nothing changes.
        let before = try Self.partitions(db)
        let refused = try runCostwh(
            ["load", file, "--scope", Self.scope, "--period", "2026-07", "--db", db], environment: [:])
        #expect(refused.status == 65, "\(refused.stderr)")
        #expect(refused.stderr.contains("rows of other billing periods than 2026-07: 2026-06 (1 rows); nothing was loaded"))
        #expect(refused.stderr.contains("Load it without --period"))
        #expect(try Self.partitions(db) == before)
    }

    /// A June cost-details file loaded as July is refused, by its BillingPeriodStartDate.
    @Test func aCostDetailsFileWithTheWrongPeriodIsRefused() throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        let dir = TempDir()
        let file = dir.write(
            "june.csv",
            """
            BillingAccountId,SubscriptionId,Date,MeterCategory,Cost,BillingCurrency,BillingPeriodStartDate,BillingPeriodEndDate
            1,s,06/03/2026,Compute,1.5,USD,06/01/2026,06/30/2026
            1,s,06/04/2026,Compute,2.5,USD,06/01/2026,06/30/2026

            """)
        let db = dir.path("w.sqlite")
        let wrong = try runCostwh(
            ["load", file, "--scope", Self.scope, "--period", "2026-07", "--metric", "actual", "--db", db],
            environment: [:])
        #expect(wrong.status == 65, "\(wrong.stderr)")
        #expect(wrong.stderr.contains("2026-06 (2 rows)"), "\(wrong.stderr)")
        let right = try runCostwh(
            ["load", file, "--scope", Self.scope, "--period", "2026-06", "--metric", "actual", "--db", db],
            environment: [:])
        #expect(right.status == 0, "\(right.stderr)")
        #expect(try Self.partitions(db) == ["2026-06 ActualCost 2 4.0"])
    }

    /// A file without a billing-period column whose dates lie mostly outside `--period` was
    /// given the wrong period: refused. One mostly inside loads whole, its stray rows too.
    @Test func aFileWithoutBillingPeriodsIsJudgedByItsDates() throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        let dir = TempDir()
        let header = "BillingAccountId,SubscriptionId,Date,MeterCategory,Cost,BillingCurrency\n"
        let file = dir.write(
            "c.csv", header + "1,s,06/03/2026,Compute,1,USD\n1,s,06/04/2026,Compute,1,USD\n1,s,07/01/2026,Compute,1,USD\n")
        let db = dir.path("w.sqlite")
        let common = ["--scope", Self.scope, "--metric", "actual", "--db", db]
        let wrong = try runCostwh(["load", file, "--period", "2026-07"] + common, environment: [:])
        #expect(wrong.status == 65 && wrong.stderr.contains("2 of 3 rows are dated outside 2026-07"), "\(wrong.stderr)")
        let right = try runCostwh(["load", file, "--period", "2026-06"] + common, environment: [:])
        #expect(right.status == 0, "\(right.stderr)")
        #expect(try Self.partitions(db) == ["2026-06 ActualCost 3 3.0"])
        // Without --period and without billing periods, the period must be given.
        let none = try runCostwh(["load", file] + common, environment: [:])
        #expect(none.status == 64 && none.stderr.contains("the billing period is required"), "\(none.stderr)")
    }

    /// An MCA late charge: its Date lies in July, its billing period is June. It belongs to
    /// June, with or without `--period`, and July never sees it.
    @Test func aLateChargeBelongsToItsBillingPeriod() throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        let dir = TempDir()
        let file = dir.write(
            "mca.csv",
            """
            billingAccountId,subscriptionId,date,meterCategory,costInBillingCurrency,billingCurrency,billingPeriodStartDate,billingPeriodEndDate
            a,s,06/20/2026,Compute,10,USD,06/01/2026,06/30/2026
            a,s,07/02/2026,Compute,0.5,USD,06/01/2026,06/30/2026
            a,s,07/03/2026,Compute,7,USD,07/01/2026,07/31/2026

            """)
        let db = dir.path("w.sqlite")
        let split = try runCostwh(["load", file, "--scope", Self.scope, "--metric", "actual", "--db", db], environment: [:])
        #expect(split.status == 0, "\(split.stderr)")
        #expect(try Self.partitions(db) == ["2026-06 ActualCost 2 10.5", "2026-07 ActualCost 1 7.0"])
    }
}
