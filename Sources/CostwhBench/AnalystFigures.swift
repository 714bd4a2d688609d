import CostwhModel
import Foundation

/// A1–A4: analysts' plain SQL through `cost_details`, with the sqlite3 shell as their client,
/// on one scope of `analystMonths` months × both metrics × `rows` rows; S1–S4: the same
/// questions through the per-load summaries.
package enum AnalystFigures {
    package static let queries = [
        (
            "A1. group by ResourceGroup",
            "SELECT ResourceGroup, SUM(CostInBillingCurrency) FROM cost_details WHERE %@ GROUP BY 1;"
        ),
        (
            "A2. group by MeterCategory, Date",
            "SELECT MeterCategory, Date, SUM(CostInBillingCurrency) FROM cost_details WHERE %@ GROUP BY 1, 2;"
        ),
        (
            "A3. group by a tag",
            "SELECT json_extract(Tags, '$.env'), SUM(CostInBillingCurrency) FROM cost_details WHERE %@ GROUP BY 1;"
        ),
        (
            "A4. actual vs amortized by subscription",
            "SELECT SubscriptionId, SUM(CASE WHEN Metric = 'ActualCost' THEN CostInBillingCurrency END) AS actual, SUM(CASE WHEN Metric = 'AmortizedCost' THEN CostInBillingCurrency END) AS amortized, SUM(CASE WHEN Metric = 'AmortizedCost' THEN CostInBillingCurrency ELSE -CostInBillingCurrency END) AS difference FROM cost_details WHERE %@ GROUP BY 1;"
        ),
    ]

    /// The same questions through `cost_daily_summary` (per day and product) for the daily
    /// one, `cost_summary` (no Date) for the others.
    package static var summaryQueries: [(String, String)] {
        queries.map { name, sql in
            let view = name.hasPrefix("A2") ? "cost_daily_summary" : "cost_summary"
            return (
                "S" + name.dropFirst() + " (\(view))",
                sql.replacingOccurrences(of: "FROM cost_details", with: "FROM \(view)")
            )
        }
    }

    package static func run(_ bench: Bench) throws(BenchError) {
        guard let sqlite3 = bench.sqlite3 else { return print("A1–A4 skipped: no sqlite3 shell") }
        let months = bench.options.analystMonths
        let rows = bench.options.rows
        let db = bench.path("analysts-\(months)x\(rows).sqlite")
        let last = bench.period
        let first = last.adding(months: -(months - 1))
        if !FileManager.default.fileExists(atPath: db) {
            let start = Processes.now()
            for m in 0..<months {
                let month = first.adding(months: m)
                for metric in [Metric.actualCost, .amortizedCost] {
                    let file = try bench.generate(
                        bench.eaScope, rows: rows, name: "a.csv", period: month, metric: metric, keep: false)
                    try Processes.run(
                        bench.loadArgs(db, file, bench.eaScope, period: month, metric: metric),
                        "loading the analysts' database")
                    try? FileManager.default.removeItem(atPath: file)
                }
            }
            bench.log(
                String(
                    format: "built the %d-row analysts' database in %.0f s", months * 2 * rows, Processes.now() - start)
            )
        }
        for (name, template) in queries + summaryQueries {
            for (range, filter, target) in [
                ("one month", "BillingPeriod = '\(last)'", 0.5),
                ("\(months) months", "BillingPeriod BETWEEN '\(first)' AND '\(last)'", 3.0),
            ] {
                let sql = template.replacingOccurrences(of: "%@", with: filter)
                var times: [Double] = []
                for _ in 0..<bench.options.runs { times.append(try Processes.spawn([sqlite3, db, sql]).seconds) }
                let median = Statistics.median(times)
                bench.report(
                    Figure(
                        name: "\(name), \(range)", seconds: median,
                        rows: range == "one month" ? 2 * rows : 2 * months * rows, bytes: 0, rssMiB: 0,
                        note: median <= target ? "target ≤ \(target) s: met" : "over the \(target) s target"))
            }
        }
    }
}
