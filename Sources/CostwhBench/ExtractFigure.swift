import CostwhSynthetic
import Foundation

/// X1: `costwh reload` of a month from the Azure emulator (a separate process on loopback, its
/// report generated before the timed runs) against `costwh load` of the same bytes from a
/// local file, both into a fresh database, pairs side by side.
package enum ExtractFigure {
    package static func run(_ bench: Bench) throws(BenchError) {
        let month = bench.period
        let local = bench.path("emulator-blob.csv")
        defer { try? FileManager.default.removeItem(atPath: local) }
        // Streamed to the file, never whole in memory: a child spawned later (posix_spawn shares
        // this process's memory until exec) would inherit this process's peak RSS as its own.
        // The bytes are those the emulator serves (one blob is the whole file); the content
        // hashes are compared below.
        let byteCount: Int
        do {
            byteCount = try CostCSVWriter(
                month: SyntheticMonth(
                    estate: SyntheticEstate(scope: bench.eaScope), period: month, rows: bench.options.rows)
            ).write(.actualCost, toFile: local)
        } catch {
            throw BenchError("cannot write \(local): \(error)")
        }
        let emulator = Process()
        emulator.executableURL = URL(fileURLWithPath: bench.costwh)
        emulator.arguments = [
            "emulate", "--port", "0", "--rows-per-month", String(bench.options.rows), "--poll-retry-after", "0",
            "--keep-reports",
        ]
        let pipe = Pipe()
        emulator.standardOutput = pipe
        emulator.standardError = FileHandle.nullDevice
        do { try emulator.run() } catch { throw BenchError("cannot start the emulator: \(error)") }
        // Whatever happens, the emulator does not outlive the figure.
        defer { emulator.terminate() }
        // The emulator prints its address and the sign-in variables as `export NAME=VALUE` lines.
        var printed = ""
        while !printed.contains("COSTWH_EA_ENDPOINT") {
            let chunk = pipe.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw BenchError("the emulator ended: \(printed)") }
            printed += String(decoding: chunk, as: UTF8.self)
        }
        for line in printed.split(separator: "\n") where line.contains("export ") {
            for pair in line.split(separator: " ").dropFirst() where pair.contains("=") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                setenv(String(parts[0]), String(parts[1]), 1)
            }
        }
        let db = bench.path("extract.sqlite")
        defer { Processes.removeDatabase(db) }
        let reloadArgs = [
            bench.costwh, "reload", "--scope", bench.eaScope.id, "--period", month.description, "--metric", "actual",
            "--db", db,
        ]
        let sqlite3 = bench.sqlite3 ?? "sqlite3"
        let hashQuery = "SELECT ContentHash FROM loads WHERE Status = 'succeeded'"
        // Not timed: the emulator generates and keeps the report.
        Processes.removeDatabase(db)
        try Processes.run(reloadArgs, "costwh reload from the emulator")
        let hashes = Processes.output([sqlite3, db, hashQuery])
        if hashes.isEmpty { throw BenchError("the first reload from the emulator recorded no content hash") }
        var reloads: [Double] = [], loads: [Double] = []
        var rss = 0.0
        for run in 0..<bench.options.runs {
            Processes.removeDatabase(db)
            let reloaded = try Processes.run(reloadArgs, "costwh reload from the emulator")
            reloads.append(reloaded.seconds)
            rss = max(rss, reloaded.rssMiB)
            Processes.removeDatabase(db)
            let loaded = try Processes.run(
                bench.loadArgs(db, local, bench.eaScope), "costwh load of the emulator's bytes")
            loads.append(loaded.seconds)
            let localHash = Processes.output([sqlite3, db, hashQuery])
            if run == 0 && localHash != hashes {
                throw BenchError("the local file is not the emulator's report: \(localHash) ≠ \(hashes)")
            }
            bench.log(
                String(
                    format: "extract run %d: reload from the emulator %.2f s, load of the same file %.2f s", run + 1,
                    reloaded.seconds, loaded.seconds))
        }
        bench.report(
            Figure(
                name: "X1. costwh reload from the emulator (EA)", seconds: Statistics.median(reloads),
                rows: bench.options.rows, bytes: byteCount, rssMiB: rss,
                note: String(
                    format: "%.2f × costwh load of the same bytes (target ≤ 1.15)",
                    Statistics.median(reloads) / Statistics.median(loads))))
    }
}
