import CostwhLoad
import CostwhPipeline
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
