import Foundation

/// The regression guard: this costwh against another binary (the previous release), on the
/// same file in the same run, alternating which goes first, beside `sqlite3 .import`.
package enum PairedComparison {
    struct Measured {
        var load: [Double] = [], reload: [Double] = [], query: [Double] = [], rss: [Double] = []
    }

    package static func run(_ bench: Bench, baseline: String, file: String) throws(BenchError) {
        guard FileManager.default.isExecutableFile(atPath: baseline) else {
            throw BenchError("--baseline \(baseline) is not an executable")
        }
        var measured = ["new": Measured(), "old": Measured()]
        var imports: [Double] = []
        let binaries = ["new": bench.costwh, "old": baseline]
        let period = bench.period.description
        for run in 0..<bench.options.runs {
            for label in run % 2 == 0 ? ["new", "old"] : ["old", "new"] {
                let binary = binaries[label] ?? bench.costwh
                let db = bench.path("paired-\(label).sqlite")
                Processes.removeDatabase(db)
                let load = [
                    binary, "load", file, "--scope", bench.eaScope.id, "--period", period, "--metric", "actual", "--db",
                    db,
                ]
                let loaded = try Processes.run(load, "\(label) load")
                let reloaded = try Processes.run(load, "\(label) reload")
                let queried = try Processes.run(
                    [binary, "query", "totals", "--period", period, "--db", db, "--format", "csv"], "\(label) query")
                measured[label, default: Measured()].load.append(loaded.seconds)
                measured[label, default: Measured()].reload.append(reloaded.seconds)
                measured[label, default: Measured()].query.append(queried.seconds)
                measured[label, default: Measured()].rss.append(max(loaded.rssMiB, reloaded.rssMiB))
                bench.log(
                    String(
                        format: "run %d %@: load %.2f s, reload %.2f s, query %.3f s", run + 1, label, loaded.seconds,
                        reloaded.seconds, queried.seconds))
            }
            if let imported = try bench.sqliteImport(file) { imports.append(imported) }
        }
        print(
            "paired against \(baseline), \(bench.options.runs) runs each, \(bench.options.rows) rows (\(Processes.fileSize(file) / 1_000_000) MB), alternating"
        )
        print("| figure | this costwh (s) | baseline (s) | new / old |")
        print("|---|---|---|---|")
        let new = measured["new"] ?? Measured(), old = measured["old"] ?? Measured()
        for (name, key) in [
            ("load, fresh database", \Measured.load), ("reload of the partition", \Measured.reload),
            ("query totals", \Measured.query), ("peak RSS (MiB)", \Measured.rss),
        ] {
            let ratio = Statistics.median(new[keyPath: key]) / Statistics.median(old[keyPath: key])
            print(
                "| \(name) | \(Statistics.spread(new[keyPath: key])) | \(Statistics.spread(old[keyPath: key])) | \(String(format: "%.2f", ratio)) |"
            )
        }
        if !imports.isEmpty {
            let imported = Statistics.median(imports)
            print(
                String(
                    format: "sqlite3 .import median %.2f s; load / import: this %.2f, baseline %.2f", imported,
                    Statistics.median(new.load) / imported, Statistics.median(old.load) / imported))
        }
    }
}
