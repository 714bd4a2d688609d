import Foundation

/// DuckDB's typed `read_csv` of the same file with 2 threads (`scripts/bench-duckdb-load.py`),
/// from PyPI in a virtual environment of the work folder, beside costwh's load.
package enum DuckDBFigure {
    /// The script, from the source tree the benchmark was built from.
    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/bench-duckdb-load.py").path
    }

    package static func run(_ bench: Bench, file: String, loadMedian: Double) throws(BenchError) {
        guard let times = try loadSeconds(bench, file: file) else { return }
        bench.report(
            Figure(
                name: "   DuckDB read_csv, typed table, 2 threads", seconds: Statistics.median(times),
                rows: bench.options.rows, bytes: Processes.fileSize(file), rssMiB: 0))
        print(String(format: "load / DuckDB read_csv = %.2f (target ≤ 0.55)", loadMedian / Statistics.median(times)))
    }

    /// A Python with DuckDB, in a virtual environment of the work folder made on first use;
    /// nil, with a message, when it cannot be had.
    static func python(_ bench: Bench, module: String = "duckdb") throws(BenchError) -> String? {
        let venv = bench.path("duckdb-venv")
        let python = venv + "/bin/python"
        if !FileManager.default.isExecutableFile(atPath: python) {
            let made = try Processes.spawn(["/usr/bin/env", "python3", "-m", "venv", venv])
            guard made.status == 0 else {
                print("\(module) figures skipped: `python3 -m venv` failed (status \(made.status))")
                return nil
            }
        }
        // A module installed on first use (DuckDB for its figures, pyarrow for the Parquet file).
        let find = "import importlib.util, sys; sys.exit(importlib.util.find_spec('\(module)') is None)"
        if try Processes.spawn([python, "-c", find]).status != 0 {
            let pip = try Processes.spawn([venv + "/bin/pip", "install", "--quiet", module])
            guard pip.status == 0 else {
                print("\(module) figures skipped: `pip install \(module)` failed (status \(pip.status))")
                return nil
            }
        }
        return python
    }

    /// The runs' seconds; nil, with a message, when DuckDB cannot be had.
    static func loadSeconds(_ bench: Bench, file: String) throws(BenchError) -> [Double]? {
        guard FileManager.default.fileExists(atPath: script) else {
            print("DuckDB comparison skipped: \(script) is not there (run the benchmark from its source tree)")
            return nil
        }
        guard let python = try python(bench) else { return nil }
        var times: [Double] = []
        for _ in 0..<bench.options.runs {
            let text = Processes.output([python, script, bench.path("duckdb"), file])
            guard let seconds = Double(text.split(separator: "\n").last ?? "") else {
                let reason = text.split(separator: "\n").first { $0.contains("Error") } ?? "no time printed"
                print("DuckDB comparison skipped: the load failed: \(reason)")
                return nil
            }
            times.append(seconds)
        }
        return times
    }
}
