import CostwhExtract
import CostwhLoad
import CostwhModel
import CostwhSQLite
import Foundation
import GRDB
import Logging

/// A private folder removed when the test ends.
package final class TempDir {
    package let url: URL

    package init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("costwh-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    package func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    package func write(_ name: String, _ text: String) -> String {
        let p = path(name)
        try! Data(text.utf8).write(to: URL(fileURLWithPath: p))
        return p
    }

    package func write(_ name: String, bytes: [UInt8]) -> String {
        let p = path(name)
        try! Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }
}

package let quietLogger = Logger(label: "costwh-test", factory: { _ in SwiftLogNoOpLogHandler() })

package func fixture(_ relative: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent(relative).path
}

package let eaScope = try! Scope(parsing: "/providers/Microsoft.Billing/billingAccounts/8611537")
package let september = try! BillingPeriod(parsing: "2023-09")

package func load(
    _ db: CostDatabase, _ files: [String], scope: Scope = eaScope, period: BillingPeriod = september,
    metric: Metric = .actualCost, maxRejected: Double = 0.01
) throws -> LoadSummary {
    try PartitionLoader(store: db, logger: quietLogger).load(
        LoadRequest(
            scope: scope, period: period, metric: metric, parts: files.map(LoadPart.file),
            maxRejectedFraction: maxRejected))
}

/// Count and cost of a partition as analysts see it.
package func partitionState(
    _ db: CostDatabase, scope: Scope = eaScope, period: BillingPeriod = september, metric: Metric = .actualCost
) throws -> (rows: Int, cost: Double) {
    try db.pool.read { db in
        let row = try Row.fetchOne(
            db,
            sql:
                "SELECT COUNT(*) AS n, TOTAL(CostInBillingCurrency) AS cost FROM cost_details WHERE Scope = ? AND BillingPeriod = ? AND Metric = ?",
            arguments: [scope.id, period.description, metric.rawValue])!
        return (row["n"], row["cost"])
    }
}

/// A small EA v2 file with `rows` rows; every row's cost is `costBase + i/100`.
package func syntheticEA(rows: Int, costBase: Double = 1, badEvery: Int? = nil) -> String {
    var text =
        "BillingAccountId,SubscriptionId,Date,MeterCategory,Cost,BillingCurrency,ResourceId,ResourceGroup,Tags,ChargeType,PricingModel\n"
    for i in 0..<rows {
        let day = i % 30 + 1
        let cost: String
        if let badEvery, i % badEvery == badEvery - 1 {
            cost = "not-a-number"
        } else {
            cost = String(costBase + Double(i) / 100)
        }
        text +=
            "8611537,00000000-0000-0000-0000-00000000000\(i % 3),09/\(day < 10 ? "0" : "")\(day)/2023,Compute,\(cost),USD,"
            + "/subscriptions/x/resourceGroups/rg\(i % 7)/providers/p/vm\(i % 50),rg\(i % 7),\"\"\"env\"\": \"\"e\(i % 4)\"\"\",Usage,OnDemand\n"
    }
    return text
}

/// Every visible row of a partition, in a stable order, for comparing two loads.
package func dump(_ db: CostDatabase) throws -> [String] {
    try db.pool.read { db in
        try String.fetchAll(
            db,
            sql: """
                SELECT Scope || '|' || BillingPeriod || '|' || Metric || '|' || Date || '|' || IFNULL(ChargeType,'') || '|' ||
                       IFNULL(PricingModel,'') || '|' || CostInBillingCurrency || '|' || IFNULL(SubscriptionId,'') || '|' ||
                       IFNULL(ResourceId,'') || '|' || IFNULL(Tags,'') || '|' || IFNULL(AdditionalInfo,'') || '|' ||
                       SourcePart || ':' || SourceLine
                FROM cost_details ORDER BY Scope, BillingPeriod, Metric, SourcePart, SourceLine
                """)
    }
}
