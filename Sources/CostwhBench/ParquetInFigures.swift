import CostwhTransform
import Foundation

/// Figures 2p and 3p (#28): the EA file as Parquet (`scripts/bench-parquet.py`: SNAPPY,
/// dictionary strings, DECIMAL(38, 18) money, DATE dates, one row group), read and normalised in
/// this process and loaded with `costwh load`, each alternated with the CSV in the same run.
package enum ParquetInFigures {
    /// The script, from the source tree the benchmark was built from.
    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/bench-parquet.py").path
    }

    package static func run(_ bench: Bench, csv: String) throws(BenchError) {
        guard let parquet = try file(bench, csv: csv) else { return }
        let runs = bench.options.runs
        var csvParse: [Double] = [], parquetParse: [Double] = [], rows = (csv: 0, parquet: 0)
        for _ in 0..<runs {
            var start = Processes.now()
            rows.csv = try ParseFigures.parseAndNormalise(csv)
            csvParse.append(Processes.now() - start)
            start = Processes.now()
            rows.parquet = try ParseFigures.parseAndNormalise(parquet)
            parquetParse.append(Processes.now() - start)
        }
        guard rows.csv == rows.parquet else {
            throw BenchError("the Parquet file normalised to \(rows.parquet) rows, the CSV to \(rows.csv)")
        }
        let parseRatio = Statistics.median(csvParse) / Statistics.median(parquetParse)
        bench.report(
            Figure(
                name: "2p. parse + normalise (EA Parquet)", seconds: Statistics.median(parquetParse), rows: rows.parquet,
                bytes: Processes.fileSize(parquet), rssMiB: Processes.selfPeakRSSMiB(),
                note: String(
                    format: "%.2f × the CSV's rows/s (%.2f s; target ≥ 2: %@)", parseRatio,
                    Statistics.median(csvParse), parseRatio >= 2 ? "met" : "NOT met")))
        var csvLoad: [Double] = [], parquetLoad: [Double] = [], rss = (csv: 0.0, parquet: 0.0)
        let db = bench.path("parquet-in.sqlite")
        for run in 0..<runs {
            Processes.removeDatabase(db)
            let fromCSV = try Processes.run(bench.loadArgs(db, csv, bench.eaScope), "costwh load (CSV)")
            Processes.removeDatabase(db)
            let fromParquet = try Processes.run(bench.loadArgs(db, parquet, bench.eaScope), "costwh load (Parquet)")
            csvLoad.append(fromCSV.seconds)
            parquetLoad.append(fromParquet.seconds)
            rss = (max(rss.csv, fromCSV.rssMiB), max(rss.parquet, fromParquet.rssMiB))
            bench.log(
                String(format: "run %d: load CSV %.2f s, Parquet %.2f s", run + 1, fromCSV.seconds, fromParquet.seconds))
        }
        Processes.removeDatabase(db)
        let loadRatio = Statistics.median(parquetLoad) / Statistics.median(csvLoad)
        bench.report(
            Figure(
                name: "3p. costwh load, fresh database (EA Parquet)", seconds: Statistics.median(parquetLoad),
                rows: rows.parquet, bytes: Processes.fileSize(parquet), rssMiB: rss.parquet,
                note: String(
                    format: "%.2f × the CSV's load (%.2f s, %.1f MiB; targets ≤ 0.9 ×, ≤ 128 MB: %@)", loadRatio,
                    Statistics.median(csvLoad), rss.csv,
                    loadRatio <= 0.9 && rss.parquet * 1.048576 <= 128 ? "met" : "NOT met")))
    }

    /// The Parquet copy of `csv`, made on first use and kept while the CSV is the same; nil,
    /// with a message, when pyarrow cannot be had.
    static func file(_ bench: Bench, csv: String) throws(BenchError) -> String? {
        let parquet = csv.replacingOccurrences(of: ".csv", with: ".parquet")
        let stamp = parquet + ".source"
        let source = "\(Processes.fileSize(csv)) \(Processes.modified(csv))"
        if Processes.fileSize(parquet) > 0 && (try? String(contentsOfFile: stamp, encoding: .utf8)) == source {
            return parquet
        }
        guard FileManager.default.fileExists(atPath: script) else {
            print("Parquet figures skipped: \(script) is not there (run the benchmark from its source tree)")
            return nil
        }
        guard let python = try DuckDBFigure.python(bench, module: "pyarrow") else { return nil }
        let start = Processes.now()
        guard try Processes.spawn([python, script, csv, parquet]).status == 0 else {
            print("Parquet figures skipped: \(script) failed")
            return nil
        }
        do {
            try source.write(toFile: stamp, atomically: true, encoding: .utf8)
        } catch {
            throw BenchError("cannot write \(stamp): \(error)")
        }
        bench.log(String(format: "Parquet copy of the EA file written in %.1f s", Processes.now() - start))
        return parquet
    }
}
