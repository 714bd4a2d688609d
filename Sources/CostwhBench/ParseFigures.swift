import CostwhBytes
import CostwhTransform
import Foundation

/// Figures 1 and 2: reading a file in this process, fields only, then rows normalised.
package enum ParseFigures {
    package static func run(_ bench: Bench, files: [(label: String, path: String)]) throws(BenchError) {
        let runs = bench.options.runs
        for (label, path) in files {
            var times: [Double] = []
            for _ in 0..<runs {
                let start = Processes.now()
                _ = try parseOnly(path)
                times.append(Processes.now() - start)
            }
            bench.report(
                Figure(
                    name: "1. parse only (\(label))", seconds: Statistics.median(times), rows: bench.options.rows,
                    bytes: Processes.fileSize(path), rssMiB: Processes.selfPeakRSSMiB()))
            times = []
            var rows = 0
            for _ in 0..<runs {
                let start = Processes.now()
                rows = try parseAndNormalise(path)
                times.append(Processes.now() - start)
            }
            let mbPerSecond = Double(Processes.fileSize(path)) / 1e6 / Statistics.median(times)
            bench.report(
                Figure(
                    name: "2. parse + normalise (\(label))", seconds: Statistics.median(times), rows: rows,
                    bytes: Processes.fileSize(path), rssMiB: Processes.selfPeakRSSMiB(),
                    note: "target ≥ 400 MB/s: \(mbPerSecond >= 400 ? "met" : "NOT met")"))
        }
    }

    /// Every field of every record, counted.
    static func parseOnly(_ path: String) throws(BenchError) -> Int {
        do {
            let reader = CSVReader(source: try LocalFiles.open(path: path))
            var fields = 0
            while try reader.next() { fields &+= reader.fieldCount }
            return fields
        } catch {
            throw BenchError("cannot read \(path): \(error)")
        }
    }

    /// Every row normalised, counted.
    static func parseAndNormalise(_ path: String) throws(BenchError) -> Int {
        do {
            let file = try CostFileReader(source: try CostInput.open(path: path))
            var rows = 0
            while let outcome = try file.next() {
                if case .row = outcome { rows += 1 }
            }
            return rows
        } catch {
            throw BenchError("cannot read \(path): \(error)")
        }
    }
}
