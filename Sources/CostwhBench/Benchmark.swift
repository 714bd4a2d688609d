import Foundation

/// The whole benchmark: the figures in order, each printed as it is measured.
package enum Benchmark {
    package static func run(_ options: BenchOptions, costwh: String) throws(BenchError) {
        let bench = try Bench(options: options, costwh: costwh)
        if let file = options.parseOnly {
            for _ in 0..<options.runs {
                let start = Processes.now()
                let rows = try ParseFigures.parseAndNormalise(file)
                print(String(format: "2. parse + normalise (%@): %d rows in %.3f s", file, rows, Processes.now() - start))
            }
            return
        }
        let cpu =
            (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":").last?
            .trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        print(
            "costwh-bench: \(options.rows) rows, median of \(options.runs) runs, \(ProcessInfo.processInfo.activeProcessorCount) cores, \(cpu)"
        )
        let ea = try bench.generate(bench.eaScope, rows: options.rows, name: "ea-\(options.rows).csv")
        // The regression guard runs alone: nothing else shares the machine with its pairs.
        if let baseline = options.baseline {
            return try PairedComparison.run(bench, baseline: baseline, file: ea)
        }
        let mca = try bench.generate(bench.mcaScope, rows: options.rows, name: "mca-\(options.rows).csv")
        let eaBytes = Processes.fileSize(ea)
        print(
            String(
                format: "EA file %.0f MB (%.0f bytes/row), MCA file %.0f MB", Double(eaBytes) / 1e6,
                Double(eaBytes) / Double(options.rows), Double(Processes.fileSize(mca)) / 1e6))
        try ParseFigures.run(bench, files: [("EA", ea), ("MCA", mca)])
        let loadMedian = try LoadFigures.run(bench, file: ea)
        if !options.skipParquet { try ParquetInFigures.run(bench, csv: ea) }
        if !options.skipDuckDB { try DuckDBFigure.run(bench, file: ea, loadMedian: loadMedian) }
        if !options.skipExtract { try ExtractFigure.run(bench) }
        if !options.skipMemory && options.memoryFactor > 1 { try LoadFigures.memory(bench) }
        let queryDatabase = try QueryFigures.database(bench)
        if let queryDatabase {
            try QueryFigures.time(bench, db: queryDatabase.path, label: "5. query", rows: queryDatabase.rows)
        }
        if options.analystMonths > 0 { try AnalystFigures.run(bench) }
        if options.lakeMonths > 0 { try LakeFigures.run(bench) }
        if let url = options.postgres {
            try PostgresFigures.run(bench, url: url, file: ea, queryDatabase: queryDatabase)
            if options.analystMonths > 0 { try AnalystFigures.runPostgres(bench, url: url) }
        }
    }
}
