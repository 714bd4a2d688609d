/// The benchmark's options, typed. `swift run -c release costwh-bench --help` lists them.
package struct BenchOptions: Sendable, Equatable {
    package var rows = 1_000_000
    package var runs = 3
    package var queryRows = 10_000_000
    /// Months of the analysts' database (1 scope × months × both metrics × `rows`); 0 skips.
    package var analystMonths = 0
    /// Months of the lake figures (1 scope × months × both metrics × `rows`, exported); 0 skips.
    package var lakeMonths = 0
    package var skipDuckDB = false
    /// Skips figures 2p and 3p (the EA file as Parquet, made with pyarrow).
    package var skipParquet = false
    package var skipExtract = false
    package var work = "bench-data"
    package var memoryFactor = 5
    package var skipMemory = false
    /// A PostgreSQL server to measure the PostgreSQL store on (figures P3–P5); skipped without.
    package var postgres: String?
    /// Only figure 2 (parse + normalise) of this file, `runs` times: for a profiler.
    package var parseOnly: String?
    /// Another costwh binary (the previous release) to compare with, paired in one run.
    package var baseline: String?
    /// `--help` was asked for: print `usage` and measure nothing.
    package var help = false

    package static let usage =
        "usage: costwh-bench [--rows N] [--runs N] [--query-rows N (0 skips)] [--memory-factor N] [--skip-memory] [--work DIR] [--postgres URL] [--analyst-months N] [--lake-months N] [--skip-duckdb] [--skip-parquet] [--skip-extract] [--baseline OTHER-COSTWH] [--parse-only FILE]"

    package init() {}

    package init(parsing args: [String]) throws(BenchError) {
        var i = 0
        func value() throws(BenchError) -> String {
            i += 1
            guard i < args.count else { throw BenchError("\(args[i - 1]) needs a value") }
            return args[i]
        }
        func count(_ minimum: Int) throws(BenchError) -> Int {
            let text = try value()
            guard let n = Int(text), n >= minimum else {
                throw BenchError("\(args[i - 1]) takes a whole number of at least \(minimum), not \(text)")
            }
            return n
        }
        while i < args.count {
            switch args[i] {
            case "--rows": rows = try count(1)
            case "--runs": runs = try count(1)
            case "--query-rows": queryRows = try count(0)
            case "--analyst-months": analystMonths = try count(0)
            case "--lake-months": lakeMonths = try count(0)
            case "--skip-duckdb": skipDuckDB = true
            case "--skip-extract": skipExtract = true
            case "--skip-parquet": skipParquet = true
            case "--work": work = try value()
            case "--memory-factor": memoryFactor = try count(1)
            case "--skip-memory": skipMemory = true
            case "--postgres": postgres = try value()
            case "--baseline": baseline = try value()
            case "--parse-only": parseOnly = try value()
            case "-h", "--help": help = true
            default: throw BenchError("unknown option \(args[i])\n\(BenchOptions.usage)")
            }
            i += 1
        }
    }
}
