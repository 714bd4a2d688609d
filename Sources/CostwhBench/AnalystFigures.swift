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
            try loadMonths(bench, from: first, into: db, "loading the analysts' database")
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

    /// The same questions on PostgreSQL through `psql` (A1–A4 only: the summary views answer
    /// alike on both stores), on a schema of the same months loaded afresh by this costwh, so
    /// two binaries' layouts can be compared.
    package static func runPostgres(_ bench: Bench, url: String) throws(BenchError) {
        guard let psql = Processes.find(["/usr/bin/psql", "/usr/local/bin/psql"]) else {
            return print("A1–A4 on PostgreSQL skipped: no psql")
        }
        let months = bench.options.analystMonths
        let rows = bench.options.rows
        let schema = "bench_analysts_\(months)x\(rows)"
        let plain = url.split(separator: "?").first.map(String.init) ?? url
        let target = url + (url.contains("?") ? "&" : "?") + "schema=\(schema)"
        setenv("PGOPTIONS", "-c client_min_messages=warning", 1)
        try Processes.run([psql, plain, "-q", "-c", "DROP SCHEMA IF EXISTS \(schema) CASCADE"], "dropping \(schema)")
        let last = bench.period
        let first = last.adding(months: -(months - 1))
        let start = Processes.now()
        try loadMonths(bench, from: first, into: target, "loading the analysts' PostgreSQL schema")
        try Processes.run([psql, plain, "-q", "-c", "VACUUM ANALYZE"], "analysing \(schema)")
        let size = Processes.output([
            psql, plain, "-At", "-c",
            "SELECT SUM(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '\(schema)' AND c.relkind IN ('r', 'i', 't', 'm')",
        ])
        bench.log(
            String(
                format: "loaded the %d-row analysts' PostgreSQL schema in %.0f s", months * 2 * rows,
                Processes.now() - start))
        if let bytes = Double(size) {
            print(
                String(
                    format: "PostgreSQL analysts' schema: %.0f MB for %d rows (%.0f MB per million rows)", bytes / 1e6,
                    months * 2 * rows, bytes / 1e6 / (Double(months * 2 * rows) / 1e6)))
        }
        for (name, template) in queries {
            for (range, filter, target) in [
                ("one month", "BillingPeriod = '\(last)'", 0.5),
                ("\(months) months", "BillingPeriod BETWEEN '\(first)' AND '\(last)'", 3.0),
            ] {
                let sql = "SET search_path TO \(schema); " + template.replacingOccurrences(of: "%@", with: filter)
                var times: [Double] = []
                for _ in 0..<bench.options.runs {
                    times.append(try Processes.run([psql, plain, "-q", "-c", sql], "psql: \(name)").seconds)
                }
                let median = Statistics.median(times)
                bench.report(
                    Figure(
                        name: "P\(name), \(range)", seconds: median,
                        rows: range == "one month" ? 2 * rows : 2 * months * rows, bytes: 0, rssMiB: 0,
                        note: median <= target ? "target ≤ \(target) s: met" : "over the \(target) s target"))
            }
        }
    }

    /// Loads `analystMonths` months from `first`, both metrics, into the warehouse at `db`.
    static func loadMonths(
        _ bench: Bench, from first: BillingPeriod, into db: String, _ what: String
    ) throws(BenchError) {
        for m in 0..<bench.options.analystMonths {
            let month = first.adding(months: m)
            for metric in [Metric.actualCost, .amortizedCost] {
                let file = try bench.generate(
                    bench.eaScope, rows: bench.options.rows, name: "a.csv", period: month, metric: metric, keep: false)
                try Processes.run(bench.loadArgs(db, file, bench.eaScope, period: month, metric: metric), what)
                try? FileManager.default.removeItem(atPath: file)
            }
        }
    }
}
