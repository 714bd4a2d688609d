import CostwhLoad
import CostwhModel
import CostwhPipeline
import CostwhSynthetic
import Foundation

/// What is wrong with a warehouse's summary views, whatever the store: a group of
/// `cost_summary` or `cost_daily_summary` whose cost or record count is not what
/// `cost_details` gives for the same group. Empty when they agree.
package func summaryViewProblems(_ db: String, tags: Bool = false) throws -> [String] {
    var checks = [
        ("cost_summary", "ResourceGroup"), ("cost_summary", "SubscriptionId"), ("cost_summary", "MeterCategory"),
        ("cost_summary", "BillingPeriod, Metric, ChargeType, PricingModel"),
        ("cost_daily_summary", "MeterCategory, Date"), ("cost_daily_summary", "Date, Metric"),
        ("cost_daily_summary", "ServiceFamily, BillingPeriod, ChargeType"),
    ]
    if tags { checks.append(("cost_summary", "json_extract(Tags, '$.env')")) }
    let store = try DatabaseLocation.open(db)
    func text(_ value: StoreValue) -> String {
        switch value {
        case .null: "(null)"
        case .integer(let v): String(v)
        case .real(let v): String(v)
        case .text(let v): v
        case .blob(let v): v.map { String($0) }.joined(separator: ",")
        }
    }
    func sums(_ view: String, _ group: String) throws -> [String: (cost: Double, rows: Int)] {
        let count = view == "cost_details" ? "COUNT(*)" : "SUM(Rows)"
        let table = try store.reading { reader in
            try reader.read("SELECT \(group), SUM(CostInBillingCurrency), \(count) FROM \(view) GROUP BY \(group)", [:])
        }
        var out: [String: (cost: Double, rows: Int)] = [:]
        for row in table.rows {
            out[row.dropLast(2).map(text).joined(separator: "|")] = (
                row[row.count - 2].double ?? .nan, row[row.count - 1].int ?? -1
            )
        }
        return out
    }
    var problems: [String] = []
    for (view, group) in checks {
        let rows = try sums("cost_details", group)
        let summed = try sums(view, group)
        if rows.count < 2 { problems.append("\(group): \(rows.count) group in cost_details, too few to compare") }
        if Set(rows.keys) != Set(summed.keys) {
            problems.append("\(view) by \(group): groups \(summed.keys.sorted()) ≠ \(rows.keys.sorted())")
        }
        for (key, want) in rows {
            guard let got = summed[key] else { continue }
            if got.rows != want.rows || !(abs(got.cost - want.cost) <= 1e-6 * max(1, abs(want.cost))) {
                problems.append("\(view) by \(group) = \(key): \(got) ≠ cost_details \(want)")
            }
        }
    }
    return problems
}

/// The statements of a migration that rebuild the current loads' daily summaries: from its
/// `DELETE FROM summary_daily` to the end of the `INSERT INTO summary_daily` after it.
package func dailyBackfillStatements(_ migration: String) -> [String]? {
    guard let start = migration.range(of: "DELETE FROM summary_daily"),
        let insert = migration.range(of: "INSERT INTO summary_daily", range: start.upperBound..<migration.endIndex),
        let end = migration.range(of: ";\n", range: insert.upperBound..<migration.endIndex)
    else { return nil }
    return migration[start.lowerBound..<end.lowerBound].split(separator: ";\n").map {
        $0.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Two months of the synthetic estate (many resource groups, meters, charge types,
/// pricing models and tags), both metrics, and a reload.
package func loadSyntheticMonths(_ db: String) throws {
    let dir = TempDir()
    let estate = SyntheticEstate(scope: eaScope, resources: 300)
    for (month, rows) in [("2023-09", 3_000), ("2023-10", 2_000)] {
        let period = try BillingPeriod(parsing: month)
        for metric in [Metric.actualCost, .amortizedCost] {
            let file = dir.path("\(month)-\(metric.rawValue).csv")
            _ = try CostCSVWriter(month: SyntheticMonth(estate: estate, period: period, rows: rows))
                .write(metric, toFile: file)
            _ = try loadFile(
                db, file, scope: eaScope.id, period: month, metric: metric == .actualCost ? "actual" : "amortized")
        }
    }
    // A reload with other rows: the replaced load's summaries must not count.
    let file = dir.path("reload.csv")
    _ = try CostCSVWriter(
        month: SyntheticMonth(estate: estate, period: try BillingPeriod(parsing: "2023-10"), rows: 1_500)
    )
    .write(.amortizedCost, toFile: file)
    _ = try loadFile(db, file, scope: eaScope.id, period: "2023-10", metric: "amortized")
}
