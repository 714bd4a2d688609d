import CostwhModel
import Foundation

/// L1–L4 and D1–D4: the Parquet lake (`costwh export`) of one scope × `lakeMonths` months ×
/// both metrics × `rows` rows, beside the load of the same partitions: the export against the
/// load's time, a second export with nothing changed, the lake's size against the CSV files',
/// and the analysts' four shapes through DuckDB over the lake against the same SQL through
/// SQLite's `cost_details` (`scripts/bench-duckdb-lake.py`).
package enum LakeFigures {
    /// The analysts' shapes in DuckDB's SQL over the lake's files (`%@`: the files).
    package static let shapes = [
        ("ResourceGroup", "SELECT ResourceGroup, SUM(CostInBillingCurrency) FROM %@ GROUP BY 1"),
        ("MeterCategory, Date", "SELECT MeterCategory, Date, SUM(CostInBillingCurrency) FROM %@ GROUP BY 1, 2"),
        ("a tag", "SELECT json_extract_string(Tags, '$.env'), SUM(CostInBillingCurrency) FROM %@ GROUP BY 1"),
        (
            "actual vs amortized by subscription",
            "SELECT SubscriptionId, SUM(CASE WHEN Metric = 'ActualCost' THEN CostInBillingCurrency END), SUM(CASE WHEN Metric = 'AmortizedCost' THEN CostInBillingCurrency END), SUM(CASE WHEN Metric = 'AmortizedCost' THEN CostInBillingCurrency ELSE -CostInBillingCurrency END) FROM %@ GROUP BY 1"
        ),
    ]

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/bench-duckdb-lake.py").path
    }

    package static func run(_ bench: Bench) throws(BenchError) {
        let months = bench.options.lakeMonths
        let rows = bench.options.rows
        let db = bench.path("lake-\(months)x\(rows).sqlite")
        let lake = bench.path("lake-\(months)x\(rows)")
        Processes.removeDatabase(db)
        try? FileManager.default.removeItem(atPath: lake)
        let last = bench.period
        let first = last.adding(months: -(months - 1))
        var loadSeconds = 0.0
        var csvBytes = 0
        // Each month is also exported as soon as it is loaded, into a lake of its own: the
        // export and the load it is compared with then run minutes apart, not a quarter of an
        // hour, on a machine whose speed drifts by a fifth within minutes (L2i). L2 exports
        // the whole warehouse at the end, as a user's first `costwh export` would.
        var interleavedLoad = 0.0
        var interleavedExport = 0.0
        var interleavedRSS = 0.0
        let monthLakes = bench.path("lake-\(months)x\(rows)-by-month")
        try? FileManager.default.removeItem(atPath: monthLakes)
        defer { try? FileManager.default.removeItem(atPath: monthLakes) }
        for m in 0..<months {
            let month = first.adding(months: m)
            var monthLoad = 0.0
            for metric in [Metric.actualCost, .amortizedCost] {
                let file = try bench.generate(
                    bench.eaScope, rows: rows, name: "l.csv", period: month, metric: metric, keep: false)
                csvBytes += Processes.fileSize(file)
                monthLoad += try Processes.run(
                    bench.loadArgs(db, file, bench.eaScope, period: month, metric: metric), "loading the lake's warehouse"
                ).seconds
                try? FileManager.default.removeItem(atPath: file)
            }
            loadSeconds += monthLoad
            let monthExport = try Processes.run(
                [
                    bench.costwh, "export", (monthLakes as NSString).appendingPathComponent(month.description), "--db", db,
                    "--from", month.description, "--to", month.description,
                ], "costwh export of a month")
            interleavedLoad += monthLoad
            interleavedExport += monthExport.seconds
            interleavedRSS = max(interleavedRSS, monthExport.rssMiB)
        }
        let partitions = months * 2
        bench.report(
            Figure(
                name: "L1. load of \(partitions) partitions", seconds: loadSeconds, rows: partitions * rows,
                bytes: csvBytes, rssMiB: 0))
        let export = [bench.costwh, "export", lake, "--db", db]
        let written = try Processes.run(export, "costwh export")
        bench.report(
            Figure(
                name: "L2. export to a new lake", seconds: written.seconds, rows: partitions * rows, bytes: 0,
                rssMiB: written.rssMiB,
                note: String(
                    format: "export / load = %.2f (target ≤ 0.5); peak RSS target ≤ 128 MiB", written.seconds / loadSeconds)
            ))
        bench.report(
            Figure(
                name: "L2i. export of each month after its loads", seconds: interleavedExport, rows: partitions * rows,
                bytes: 0, rssMiB: interleavedRSS,
                note: String(
                    format: "export / load = %.2f (%.1f s of loads; target ≤ 0.5)", interleavedExport / interleavedLoad,
                    interleavedLoad)))
        let again = try Processes.run(export, "costwh export, nothing changed")
        bench.report(
            Figure(name: "L3. export again, nothing changed", seconds: again.seconds, rows: 0, bytes: 0, rssMiB: again.rssMiB))
        let lakeBytes = directorySize(lake)
        print(
            String(
                format: "L4. lake %.1f MB, CSV files %.1f MB: lake / CSV = %.3f (target ≤ 0.1)", Double(lakeBytes) / 1e6,
                Double(csvBytes) / 1e6, Double(lakeBytes) / Double(max(1, csvBytes))))

        guard let sqlite3 = bench.sqlite3 else { return print("D1–D4 skipped: no sqlite3 shell") }
        guard let python = try DuckDBFigure.python(bench) else { return }
        let files = "read_parquet('\(lake)/cost_details/**/*.parquet', hive_partitioning = true)"
        for (n, (name, template)) in shapes.enumerated() {
            let duckdbSQL = template.replacingOccurrences(of: "%@", with: files)
            let sqliteSQL = sqlite(template)
            var duck: [Double] = []
            var lite: [Double] = []
            for _ in 0..<bench.options.runs {
                let text = Processes.output([python, script, duckdbSQL])
                guard let seconds = Double(text.split(separator: "\n").last ?? "") else {
                    return print("D\(n + 1) skipped: DuckDB did not answer: \(text.prefix(200))")
                }
                duck.append(seconds)
                lite.append(try Processes.run([sqlite3, db, sqliteSQL], "sqlite3: \(name)").seconds)
            }
            let d = Statistics.median(duck)
            let s = Statistics.median(lite)
            bench.report(
                Figure(
                    name: "D\(n + 1). DuckDB over the lake: \(name)", seconds: d, rows: partitions * rows, bytes: 0,
                    rssMiB: 0,
                    note: String(format: "SQLite cost_details %.2f s: ratio %.3f (targets ≤ 1 s, ≤ 0.1)", s, d / s)))
        }
    }

    /// A shape's SQL through SQLite's `cost_details` (where the JSON function is json_extract).
    package static func sqlite(_ template: String) -> String {
        template.replacingOccurrences(of: "%@", with: "cost_details")
            .replacingOccurrences(of: "json_extract_string", with: "json_extract") + ";"
    }

    /// The bytes of every file under `path` (folders' own sizes left out).
    package static func directorySize(_ path: String) -> Int {
        var total = 0
        let walker = FileManager.default.enumerator(atPath: path)
        while let name = walker?.nextObject() as? String {
            guard walker?.fileAttributes?[.type] as? FileAttributeType == .typeRegular else { continue }
            total += Processes.fileSize((path as NSString).appendingPathComponent(name))
        }
        return total
    }
}
