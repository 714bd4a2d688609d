import CostwhBench
import Foundation

// costwh-bench: the performance benchmark. Release mode:
//   swift build -c release --product costwh && swift build -c release --product costwh-bench
//   .build/release/costwh-bench [--rows 1000000] [--runs 3] [--query-rows 10000000] [--work DIR]
//                               [--baseline OTHER-COSTWH]
// The figures are named in the CostwhBench library (docs/PERFORMANCE.md lists them); this
// executable parses the options and measures the costwh binary beside it.
do {
    let options = try BenchOptions(parsing: Array(CommandLine.arguments.dropFirst()))
    if options.help {
        print(BenchOptions.usage)
    } else {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        try Benchmark.run(options, costwh: folder + "/costwh")
    }
} catch {
    FileHandle.standardError.write(Data("costwh-bench: \(error)\n".utf8))
    exit(1)
}
