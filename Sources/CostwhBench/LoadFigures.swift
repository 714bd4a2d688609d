import Foundation

/// Figures 3 and 4: `costwh load` into a fresh database and a reload of the same partition,
/// each beside `sqlite3 .import` of the same file; H1, the history a load keeps; the size of
/// the database against the file's.
package enum LoadFigures {
    /// The median fresh load, for the ratios of the figures after it.
    package static func run(_ bench: Bench, file: String) throws(BenchError) -> Double {
        var loadTimes: [Double] = [], reloadTimes: [Double] = [], importTimes: [Double] = []
        var loadRSS = 0.0, reloadRSS = 0.0, dbSize = 0
        let bytes = Processes.fileSize(file)
        let db = bench.path("load.sqlite")
        for run in 0..<bench.options.runs {
            Processes.removeDatabase(db)
            let load = try Processes.run(bench.loadArgs(db, file, bench.eaScope), "costwh load")
            loadTimes.append(load.seconds)
            loadRSS = max(loadRSS, load.rssMiB)
            // The size after a fresh load; a reload leaves free pages that the next load reuses.
            if let sqlite3 = bench.sqlite3 { try Processes.spawn([sqlite3, db, "PRAGMA wal_checkpoint(TRUNCATE);"]) }
            dbSize = Processes.fileSize(db) + Processes.fileSize(db + "-wal")
            let reload = try Processes.run(bench.loadArgs(db, file, bench.eaScope), "costwh reload")
            reloadTimes.append(reload.seconds)
            reloadRSS = max(reloadRSS, reload.rssMiB)
            if run == 0 { historySize(bench, db: db) }
            if let imported = try bench.sqliteImport(file) { importTimes.append(imported) }
            bench.log(
                String(format: "run %d: load %.2f s, reload %.2f s", run + 1, load.seconds, reload.seconds)
                    + (importTimes.last.map { String(format: ", sqlite3 .import %.2f s", $0) } ?? ""))
        }
        let loadMedian = Statistics.median(loadTimes)
        bench.report(
            Figure(
                name: "3. costwh load, fresh database (EA)", seconds: loadMedian, rows: bench.options.rows,
                bytes: bytes,
                rssMiB: loadRSS))
        bench.report(
            Figure(
                name: "4. costwh reload, same partition (EA)", seconds: Statistics.median(reloadTimes),
                rows: bench.options.rows, bytes: bytes, rssMiB: reloadRSS,
                note: String(format: "%.2f × fresh load (target ≤ 1.1)", Statistics.median(reloadTimes) / loadMedian)))
        if !importTimes.isEmpty {
            let importMedian = Statistics.median(importTimes)
            bench.report(
                Figure(
                    name: "   sqlite3 .import, all-TEXT table", seconds: importMedian, rows: bench.options.rows,
                    bytes: bytes, rssMiB: 0))
            print(String(format: "load / sqlite3 .import = %.2f (target ≤ 0.25)", loadMedian / importMedian))
        }
        print(
            String(
                format: "database size / CSV size = %.2f (target ≤ 0.5): %.0f MB for %.0f MB",
                Double(dbSize) / Double(bytes), Double(dbSize) / 1e6, Double(bytes) / 1e6))
        return loadMedian
    }

    /// H1: two loads of the partition, one of whose facts were purged: the history stays.
    static func historySize(_ bench: Bench, db: String) {
        guard let sqlite3 = bench.sqlite3 else { return }
        let answer = Processes.output([
            sqlite3, db,
            "SELECT (SELECT SUM(pgsize) FROM dbstat WHERE name IN ('load_totals', 'load_totals_by_load')),"
                + " (SELECT COUNT(DISTINCT LoadId) FROM load_totals), (SELECT COUNT(*) FROM load_totals),"
                + " (SELECT SUM(pgsize) FROM dbstat WHERE name IN ('cost_fact', 'cost_fact_by_date', 'cost_fact_by_account'));",
        ]).split(separator: "|").map { Double($0) ?? 0 }
        guard answer.count == 4 else { return }
        print(
            historyLine(
                label: "H1. history kept per load (SQLite)", historyBytes: answer[0], loads: answer[1],
                historyRows: answer[2], factBytes: answer[3]))
    }

    /// The history a load keeps against its fact data: bytes of load_totals per load (with
    /// its index) over the bytes of one load's fact rows (cost_fact with its indexes).
    package static func historyLine(
        label: String, historyBytes: Double, loads: Double, historyRows: Double, factBytes: Double
    ) -> String {
        guard loads > 0, factBytes > 0 else { return "\(label): not measured" }
        let perLoad = historyBytes / loads
        return String(
            format: "%@: %.0f rows, %.1f KB per load = %.2f %% of the load's fact data (%.1f MB) (target ≤ 2 %%)",
            label, historyRows / loads, perLoad / 1e3, 100 * perLoad / factBytes, factBytes / 1e6)
    }

    /// 3b: peak memory on a file `memoryFactor` times larger.
    package static func memory(_ bench: Bench) throws(BenchError) {
        let rows = bench.options.rows * bench.options.memoryFactor
        let big = try bench.generate(bench.eaScope, rows: rows, name: "ea-\(rows).csv")
        let db = bench.path("big.sqlite")
        Processes.removeDatabase(db)
        defer { Processes.removeDatabase(db) }
        let load = try Processes.run(bench.loadArgs(db, big, bench.eaScope), "costwh load of the large file")
        bench.report(
            Figure(
                name: "3b. costwh load, \(bench.options.memoryFactor)× file (EA)", seconds: load.seconds, rows: rows,
                bytes: Processes.fileSize(big), rssMiB: load.rssMiB))
    }
}
