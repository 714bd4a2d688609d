import CostwhModel
import Foundation

/// Figure 5: the canned queries on a database of `queryRows` rows (several scopes and months,
/// both metrics), on SQLite (and, as P5, on PostgreSQL).
package enum QueryFigures {
    /// The query database, built once and kept in the work folder; nil when `queryRows` is 0.
    package static func database(_ bench: Bench) throws(BenchError) -> (path: String, rows: Int)? {
        guard bench.options.queryRows > 0 else { return nil }
        let db = bench.path("query-\(bench.options.queryRows).sqlite")
        let perPartition = max(bench.options.rows, 1)
        let partitions = max(1, bench.options.queryRows / perPartition)
        if !FileManager.default.fileExists(atPath: db) {
            let start = Processes.now()
            let scopes: [Scope]
            do {
                scopes = [
                    bench.eaScope, try Scope(parsing: "/providers/Microsoft.Billing/billingAccounts/7000001"),
                    try Scope(parsing: "/providers/Microsoft.Billing/billingAccounts/7000002"),
                ]
            } catch {
                throw BenchError("the benchmark's own scopes do not parse: \(error)")
            }
            var loaded = 0
            var monthOffset = 0
            outer: while true {
                for scope in scopes {
                    for metric in [Metric.actualCost, .amortizedCost] {
                        if loaded >= partitions { break outer }
                        let month = bench.period.adding(months: -monthOffset)
                        let file = try bench.generate(
                            scope, rows: perPartition, name: "q-\(loaded).csv", period: month, metric: metric,
                            keep: false)
                        try Processes.run(
                            bench.loadArgs(db, file, scope, period: month, metric: metric), "loading the query database"
                        )
                        try? FileManager.default.removeItem(atPath: file)
                        loaded += 1
                    }
                }
                monthOffset += 1
            }
            bench.log(
                String(
                    format: "built the %d-row query database in %.0f s", partitions * perPartition,
                    Processes.now() - start))
        }
        return (db, partitions * perPartition)
    }

    /// Times each canned query for one scope and month on `db`, the median of the runs.
    package static func time(_ bench: Bench, db: String, label: String, rows: Int) throws(BenchError) {
        for query in ["totals", "daily", "by", "reservations", "savings-plans", "top-benefit", "month-over-month"] {
            var times: [Double] = []
            let extra = query == "by" ? ["--by", "meter-category"] : []
            for _ in 0..<bench.options.runs {
                let run = try Processes.spawn(
                    [
                        bench.costwh, "query", query, "--scope", bench.eaScope.id, "--period",
                        bench.period.description, "--db", db, "--format", "csv",
                    ] + extra)
                if run.status != 0 {
                    times = []
                    break
                }
                times.append(run.seconds)
            }
            if times.isEmpty {
                print("\(label) \(query): not available")
            } else {
                let median = Statistics.median(times)
                bench.report(
                    Figure(
                        name: "\(label) \(query) (\(rows) rows)", seconds: median, rows: bench.options.rows, bytes: 0,
                        rssMiB: 0, note: median < 0.5 ? "" : "over the 0.5 s target"))
            }
        }
    }
}
