import CostwhBytes
import CostwhModel
import CostwhSynthetic
import CostwhTransform
import Foundation

#if canImport(Glibc)
import Glibc
#endif

// costwh-bench: the performance benchmark of the performance issue. Release mode:
//   swift run -c release costwh-bench [--rows 1000000] [--runs 3] [--query-rows 10000000] [--work DIR]
// It prints each figure as rows/s, MB/s and peak RSS, and costwh's load time as a ratio
// to `sqlite3 .import` of the same file, measured side by side.

struct Options {
    var rows = 1_000_000
    var runs = 3
    var queryRows = 10_000_000
    /// Months of the analysts' database (1 scope × months × both metrics × `rows`); 0 skips.
    var analystMonths = 0
    var skipDuckDB = false
    var skipExtract = false
    var work = "bench-data"
    var memoryFactor = 5
    var skipMemory = false
    /// A PostgreSQL server to measure the PostgreSQL store on (figures P3–P5); skipped without.
    var postgres: String?
    /// Another costwh binary (the previous release) to compare with, paired in one run.
    var baseline: String?

    init(_ args: [String]) {
        var i = 0
        func value() -> String {
            i += 1
            guard i < args.count else { fail("\(args[i - 1]) needs a value") }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--rows": rows = Int(value()) ?? rows
            case "--runs": runs = max(1, Int(value()) ?? runs)
            case "--query-rows": queryRows = Int(value()) ?? queryRows
            case "--analyst-months": analystMonths = Int(value()) ?? analystMonths
            case "--skip-duckdb": skipDuckDB = true
            case "--skip-extract": skipExtract = true
            case "--work": work = value()
            case "--memory-factor": memoryFactor = Int(value()) ?? memoryFactor
            case "--skip-memory": skipMemory = true
            case "--postgres": postgres = value()
            case "--baseline": baseline = value()
            case "-h", "--help":
                print(
                    "usage: costwh-bench [--rows N] [--runs N] [--query-rows N (0 skips)] [--memory-factor N] [--skip-memory] [--work DIR] [--postgres URL] [--analyst-months N] [--skip-duckdb] [--skip-extract] [--baseline OTHER-COSTWH]"
                )
                exit(0)
            default: fail("unknown option \(args[i])")
            }
            i += 1
        }
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("costwh-bench: \(message)\n".utf8))
    exit(1)
}

func log(_ message: String) {
    FileHandle.standardError.write(Data("· \(message)\n".utf8))
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func fileSize(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
}

func selfPeakRSSMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// Runs a command; returns its wall time and its own peak RSS (from wait4).
@discardableResult
func spawn(
    _ argv: [String], stdin: String? = nil, quiet: Bool = true
) -> (seconds: Double, rssMiB: Double, status: Int32) {
    var pid: pid_t = 0
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    if let stdin { posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0) }
    if quiet { posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0) }
    let cArgs = argv.map { strdup($0) } + [nil]
    defer { cArgs.forEach { free($0) } }
    let start = now()
    guard posix_spawn(&pid, argv[0], &actions, nil, cArgs, environ) == 0 else { fail("cannot run \(argv[0])") }
    var status: Int32 = 0
    var usage = rusage()
    wait4(pid, &status, 0, &usage)
    let seconds = now() - start
    return (seconds, Double(usage.ru_maxrss) / 1024, status)
}

/// Runs a command and returns what it printed (for sqlite3 and psql answers).
func output(_ argv: [String]) -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: argv[0])
    process.arguments = Array(argv.dropFirst())
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return "" }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

/// The history a load keeps against its fact data: bytes of load_totals per load (with its
/// index) over the bytes of one load's fact rows (cost_fact with its indexes).
func printHistorySize(label: String, historyBytes: Double, loads: Double, historyRows: Double, factBytes: Double) {
    guard loads > 0, factBytes > 0 else { return print("\(label): not measured") }
    let perLoad = historyBytes / loads
    print(
        String(
            format: "%@: %.0f rows, %.1f KB per load = %.2f %% of the load's fact data (%.1f MB) (target ≤ 2 %%)",
            label, historyRows / loads, perLoad / 1e3, 100 * perLoad / factBytes, factBytes / 1e6))
}

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

struct Figure {
    let name: String
    let seconds: Double
    let rows: Int
    let bytes: Int
    let rssMiB: Double
    var note = ""
}

@MainActor
func report(_ f: Figure) {
    let rowsPerSecond = Double(f.rows) / f.seconds
    let mbPerSecond = Double(f.bytes) / 1e6 / f.seconds
    let name = f.name.count < 44 ? f.name + String(repeating: " ", count: 44 - f.name.count) : f.name
    print(
        name
            + String(
                format: " %8.2f s %12.0f rows/s %9.1f MB/s %8.1f MiB  ", f.seconds, rowsPerSecond, mbPerSecond, f.rssMiB
            ) + f.note)
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
let binDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
let costwh = binDir + "/costwh"
guard FileManager.default.isExecutableFile(atPath: costwh) else { fail("build costwh first (swift build -c release)") }
let sqlite3 = ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3"].first { FileManager.default.isExecutableFile(atPath: $0) }
try? FileManager.default.createDirectory(atPath: options.work, withIntermediateDirectories: true)

let cpu =
    (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
    .split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":").last?.trimmingCharacters(
        in: .whitespaces) ?? "unknown CPU"
print(
    "costwh-bench: \(options.rows) rows, median of \(options.runs) runs, \(ProcessInfo.processInfo.activeProcessorCount) cores, \(cpu)"
)

// 1. Generate the files.
let eaScope = try! Scope(parsing: "/providers/Microsoft.Billing/billingAccounts/8611537")
let mcaScope = try! Scope(
    parsing: "/providers/Microsoft.Billing/billingAccounts/1234:5678_2019-05-31/billingProfiles/AB12-CD34-BG7-TGB")
let period = try! BillingPeriod(parsing: "2026-10")

func generate(_ scope: Scope, rows: Int, name: String, resources: Int = 20_000) -> String {
    let path = options.work + "/" + name
    if fileSize(path) > 0 && (try? String(contentsOfFile: path + ".rows", encoding: .utf8)) == String(rows) {
        return path
    }
    let start = now()
    let month = SyntheticMonth(estate: SyntheticEstate(scope: scope, resources: resources), period: period, rows: rows)
    let size = try! CostCSVWriter(month: month).write(.actualCost, toFile: path)
    try! String(rows).write(toFile: path + ".rows", atomically: true, encoding: .utf8)
    log(String(format: "generated %@: %.0f MB in %.1f s", name, Double(size) / 1e6, now() - start))
    return path
}

let eaFile = generate(eaScope, rows: options.rows, name: "ea-\(options.rows).csv")

// The regression guard: this costwh against another binary (the previous release), on the same
// file in the same run, alternating which goes first; then nothing else.
if let baseline = options.baseline {
    guard FileManager.default.isExecutableFile(atPath: baseline) else { fail("--baseline \(baseline) is not an executable") }
    struct Measured {
        var load: [Double] = [], reload: [Double] = [], query: [Double] = [], rss: [Double] = []
    }
    var measured = ["new": Measured(), "old": Measured()]
    var imports: [Double] = []
    let binaries = ["new": costwh, "old": baseline]
    for run in 0..<options.runs {
        for label in run % 2 == 0 ? ["new", "old"] : ["old", "new"] {
            let db = options.work + "/paired-\(label).sqlite"
            for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: db + suffix) }
            var args = [binaries[label]!, "load", eaFile, "--scope", eaScope.id, "--period", period.description,
                "--metric", "actual", "--db", db]
            let load = spawn(args)
            guard load.status == 0 else { fail("\(label) load failed (status \(load.status))") }
            let reload = spawn(args)
            guard reload.status == 0 else { fail("\(label) reload failed (status \(reload.status))") }
            args = [binaries[label]!, "query", "totals", "--period", period.description, "--db", db, "--format", "csv"]
            let query = spawn(args)
            guard query.status == 0 else { fail("\(label) query failed (status \(query.status))") }
            measured[label]!.load.append(load.seconds)
            measured[label]!.reload.append(reload.seconds)
            measured[label]!.query.append(query.seconds)
            measured[label]!.rss.append(max(load.rssMiB, reload.rssMiB))
            log("run \(run + 1) \(label): load \(String(format: "%.2f", load.seconds)) s, reload \(String(format: "%.2f", reload.seconds)) s, query \(String(format: "%.3f", query.seconds)) s")
        }
        if let sqlite3 {
            let importDb = options.work + "/import.sqlite"
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: importDb + suffix) }
            let script = options.work + "/import.sql"
            try! ".mode csv\n.import \(eaFile) cost\n".write(toFile: script, atomically: true, encoding: .utf8)
            imports.append(spawn([sqlite3, importDb], stdin: script).seconds)
        }
    }
    func spread(_ values: [Double]) -> String {
        String(format: "%.3f (%.3f–%.3f)", median(values), values.min() ?? 0, values.max() ?? 0)
    }
    print("paired against \(baseline), \(options.runs) runs each, \(options.rows) rows (\(fileSize(eaFile) / 1_000_000) MB), alternating")
    print("| figure | this costwh (s) | baseline (s) | new / old |")
    print("|---|---|---|---|")
    for (name, key) in [("load, fresh database", \Measured.load), ("reload of the partition", \Measured.reload), ("query totals", \Measured.query), ("peak RSS (MiB)", \Measured.rss)] {
        let new = measured["new"]![keyPath: key], old = measured["old"]![keyPath: key]
        print("| \(name) | \(spread(new)) | \(spread(old)) | \(String(format: "%.2f", median(new) / median(old))) |")
    }
    if !imports.isEmpty {
        let imported = median(imports)
        print(String(
            format: "sqlite3 .import median %.2f s; load / import: this %.2f, baseline %.2f", imported,
            median(measured["new"]!.load) / imported, median(measured["old"]!.load) / imported))
    }
    exit(0)
}

let mcaFile = generate(mcaScope, rows: options.rows, name: "mca-\(options.rows).csv")
let eaBytes = fileSize(eaFile)
print(
    String(
        format: "EA file %.0f MB (%.0f bytes/row), MCA file %.0f MB", Double(eaBytes) / 1e6,
        Double(eaBytes) / Double(options.rows), Double(fileSize(mcaFile)) / 1e6))

// 2. Parse only and parse + normalise, in this process.
func parseOnly(_ path: String) -> Int {
    let reader = CSVReader(source: try! LocalFiles.open(path: path))
    var fields = 0
    while try! reader.next() { fields &+= reader.fieldCount }
    return fields
}

func parseAndNormalise(_ path: String) -> Int {
    let file = try! CostFileReader(source: try! LocalFiles.open(path: path))
    var rows = 0
    while let outcome = try! file.next() {
        if case .row = outcome { rows += 1 }
    }
    return rows
}

for (label, path) in [("EA", eaFile), ("MCA", mcaFile)] {
    var times: [Double] = []
    for _ in 0..<options.runs {
        let start = now()
        _ = parseOnly(path)
        times.append(now() - start)
    }
    report(
        Figure(
            name: "1. parse only (\(label))", seconds: median(times), rows: options.rows, bytes: fileSize(path),
            rssMiB: selfPeakRSSMiB()))
    times = []
    var rows = 0
    for _ in 0..<options.runs {
        let start = now()
        rows = parseAndNormalise(path)
        times.append(now() - start)
    }
    report(
        Figure(
            name: "2. parse + normalise (\(label))", seconds: median(times), rows: rows, bytes: fileSize(path),
            rssMiB: selfPeakRSSMiB(),
            note: String(
                format: "target ≥ 400 MB/s: %@", Double(fileSize(path)) / 1e6 / median(times) >= 400 ? "met" : "NOT met"
            )))
}

// 3 and 4. The full load into a fresh database, then a reload of the same partition,
// each beside sqlite3 .import of the same file.
func loadArgs(_ db: String, _ file: String, _ scope: Scope) -> [String] {
    [costwh, "load", file, "--scope", scope.id, "--period", period.description, "--metric", "actual", "--db", db]
}

func removeDatabase(_ path: String) {
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
}

var loadTimes: [Double] = [], reloadTimes: [Double] = [], importTimes: [Double] = []
var loadRSS = 0.0, reloadRSS = 0.0, dbSize = 0
for run in 0..<options.runs {
    let db = options.work + "/load.sqlite"
    removeDatabase(db)
    let load = spawn(loadArgs(db, eaFile, eaScope))
    guard load.status == 0 else { fail("costwh load failed (status \(load.status))") }
    loadTimes.append(load.seconds)
    loadRSS = max(loadRSS, load.rssMiB)
    // The size after a fresh load; a reload leaves free pages that the next load reuses.
    if let sqlite3 { spawn([sqlite3, db, "PRAGMA wal_checkpoint(TRUNCATE);"]) }
    dbSize = fileSize(db) + fileSize(db + "-wal")
    let reload = spawn(loadArgs(db, eaFile, eaScope))
    guard reload.status == 0 else { fail("costwh reload failed") }
    reloadTimes.append(reload.seconds)
    reloadRSS = max(reloadRSS, reload.rssMiB)
    if run == 0, let sqlite3 {
        // Two loads of the partition, one of whose facts were purged: the history stays.
        let answer = output([
            sqlite3, db,
            "SELECT (SELECT SUM(pgsize) FROM dbstat WHERE name IN ('load_totals', 'load_totals_by_load')),"
                + " (SELECT COUNT(DISTINCT LoadId) FROM load_totals), (SELECT COUNT(*) FROM load_totals),"
                + " (SELECT SUM(pgsize) FROM dbstat WHERE name IN ('cost_fact', 'cost_fact_by_date', 'cost_fact_by_account'));",
        ]).split(separator: "|").map { Double($0) ?? 0 }
        if answer.count == 4 {
            printHistorySize(
                label: "H1. history kept per load (SQLite)", historyBytes: answer[0], loads: answer[1],
                historyRows: answer[2], factBytes: answer[3])
        }
    }
    if let sqlite3 {
        let importDb = options.work + "/import.sqlite"
        removeDatabase(importDb)
        let script = options.work + "/import.sql"
        try! ".mode csv\n.import \(eaFile) cost\n".write(toFile: script, atomically: true, encoding: .utf8)
        let imported = spawn([sqlite3, importDb], stdin: script)
        importTimes.append(imported.seconds)
        removeDatabase(importDb)
    }
    log(
        "run \(run + 1): load \(String(format: "%.2f", load.seconds)) s, reload \(String(format: "%.2f", reload.seconds)) s"
            + (importTimes.isEmpty ? "" : ", sqlite3 .import \(String(format: "%.2f", importTimes.last!)) s"))
}
let loadMedian = median(loadTimes)
report(
    Figure(
        name: "3. costwh load, fresh database (EA)", seconds: loadMedian, rows: options.rows, bytes: eaBytes,
        rssMiB: loadRSS))
report(
    Figure(
        name: "4. costwh reload, same partition (EA)", seconds: median(reloadTimes), rows: options.rows, bytes: eaBytes,
        rssMiB: reloadRSS,
        note: String(format: "%.2f × fresh load (target ≤ 1.1)", median(reloadTimes) / loadMedian)))
if !importTimes.isEmpty {
    let importMedian = median(importTimes)
    report(
        Figure(
            name: "   sqlite3 .import, all-TEXT table", seconds: importMedian, rows: options.rows, bytes: eaBytes,
            rssMiB: 0))
    print(String(format: "load / sqlite3 .import = %.2f (target ≤ 0.25)", loadMedian / importMedian))
}
print(
    String(
        format: "database size / CSV size = %.2f (target ≤ 0.5): %.0f MB for %.0f MB", Double(dbSize) / Double(eaBytes),
        Double(dbSize) / 1e6, Double(eaBytes) / 1e6))

/// DuckDB's typed `read_csv` of the same file with 2 threads (the raw load, no transform), from
/// PyPI in a virtual environment of the work folder; nil, with a message, when it cannot be had.
func duckDBLoadSeconds(_ file: String) -> [Double]? {
    let venv = options.work + "/duckdb-venv"
    let python = venv + "/bin/python"
    if !FileManager.default.isExecutableFile(atPath: python) {
        let made = spawn(["/usr/bin/env", "python3", "-m", "venv", venv])
        let pip = made.status == 0 ? spawn([venv + "/bin/pip", "install", "--quiet", "duckdb"]) : made
        guard pip.status == 0 else {
            print("DuckDB comparison skipped: `python3 -m venv` and `pip install duckdb` failed (status \(pip.status))")
            return nil
        }
    }
    let script = options.work + "/duckdb-load.py"
    try! """
    # EA dates are MM/DD/YYYY: left to its sample, DuckDB may guess DD/MM and fail on day 13.
    import duckdb, os, sys, time
    path = sys.argv[1] + ".duckdb"
    if os.path.exists(path): os.remove(path)
    con = duckdb.connect(path)
    con.execute("SET threads = 2")
    start = time.time()
    con.execute("CREATE TABLE cost AS SELECT * FROM read_csv(?, header = true, auto_detect = true, dateformat = '%m/%d/%Y')", [sys.argv[2]])
    con.execute("CHECKPOINT")
    print(time.time() - start)
    con.close()
    os.remove(path)
    """.write(toFile: script, atomically: true, encoding: .utf8)
    var times: [Double] = []
    for _ in 0..<options.runs {
        let text = output([python, script, options.work + "/duckdb", file])
        guard let seconds = Double(text.split(separator: "\n").last ?? "") else {
            let reason = text.split(separator: "\n").first { $0.contains("Error") } ?? "no time printed"
            print("DuckDB comparison skipped: the load failed: \(reason)")
            return nil
        }
        times.append(seconds)
    }
    return times
}

if !options.skipDuckDB, let duck = duckDBLoadSeconds(eaFile) {
    report(
        Figure(
            name: "   DuckDB read_csv, typed table, 2 threads", seconds: median(duck), rows: options.rows,
            bytes: eaBytes,
            rssMiB: 0))
    print(String(format: "load / DuckDB read_csv = %.2f (target ≤ 0.55)", loadMedian / median(duck)))
}

// X1. Extract: `costwh reload` of the same month from the Azure emulator (a separate process
// on loopback, its report generated before the timed runs) against `costwh load` of the
// same bytes from a local file, both into a fresh database, pairs side by side.
if !options.skipExtract {
    measureExtract()
}

@MainActor func measureExtract() {
    let month = try! BillingPeriod(parsing: "2026-10")
    let local = options.work + "/emulator-blob.csv"
    // Streamed to the file, never whole in memory: a child spawned later (posix_spawn shares
    // this process's memory until exec) would inherit this process's peak RSS as its own.
    // The bytes are those the emulator serves (one blob is the whole file); the content
    // hashes are compared below.
    let byteCount = try! CostCSVWriter(
        month: SyntheticMonth(estate: SyntheticEstate(scope: eaScope), period: month, rows: options.rows)
    ).write(.actualCost, toFile: local)
    let emulator = Process()
    emulator.executableURL = URL(fileURLWithPath: costwh)
    emulator.arguments = [
        "emulate", "--port", "0", "--rows-per-month", String(options.rows), "--poll-retry-after", "0",
        "--keep-reports",
    ]
    let pipe = Pipe()
    emulator.standardOutput = pipe
    emulator.standardError = FileHandle.nullDevice
    guard (try? emulator.run()) != nil else { fail("cannot start the emulator") }
    defer { emulator.terminate() }
    // `fail` exits at once: the emulator must not outlive the benchmark.
    func fail(_ message: String) -> Never {
        emulator.terminate()
        costwh_bench.fail(message)
    }
    // The emulator prints its address and the sign-in variables as `export NAME=VALUE` lines.
    var printed = ""
    while !printed.contains("COSTWH_EA_ENDPOINT") {
        let chunk = pipe.fileHandleForReading.availableData
        guard !chunk.isEmpty else { fail("the emulator ended: \(printed)") }
        printed += String(decoding: chunk, as: UTF8.self)
    }
    for line in printed.split(separator: "\n") where line.contains("export ") {
        for pair in line.split(separator: " ").dropFirst() where pair.contains("=") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            setenv(String(parts[0]), String(parts[1]), 1)
        }
    }
    let db = options.work + "/extract.sqlite"
    let reloadArgs = [
        costwh, "reload", "--scope", eaScope.id, "--period", month.description, "--metric", "actual", "--db", db,
    ]
    let localArgs = [
        costwh, "load", local, "--scope", eaScope.id, "--period", month.description, "--metric", "actual", "--db", db,
    ]
    // Not timed: the emulator generates and keeps the report.
    removeDatabase(db)
    guard spawn(reloadArgs).status == 0 else { fail("costwh reload from the emulator failed") }
    let hashes = output([sqlite3 ?? "sqlite3", db, "SELECT ContentHash FROM loads WHERE Status = 'succeeded'"])
    if hashes.isEmpty { fail("the first reload from the emulator recorded no content hash") }
    var reloads: [Double] = [], loads: [Double] = []
    var rss = 0.0
    for run in 0..<options.runs {
        removeDatabase(db)
        let r = spawn(reloadArgs)
        guard r.status == 0 else { fail("costwh reload from the emulator failed") }
        reloads.append(r.seconds)
        rss = max(rss, r.rssMiB)
        removeDatabase(db)
        let l = spawn(localArgs)
        guard l.status == 0 else { fail("costwh load of the emulator's bytes failed") }
        loads.append(l.seconds)
        let localHash = output([sqlite3 ?? "sqlite3", db, "SELECT ContentHash FROM loads WHERE Status = 'succeeded'"])
        if run == 0 && localHash != hashes {
            fail("the local file is not the emulator's report: \(localHash) ≠ \(hashes)")
        }
        log(
            String(
                format: "extract run %d: reload from the emulator %.2f s, load of the same file %.2f s", run + 1,
                r.seconds, l.seconds))
    }
    removeDatabase(db)
    try? FileManager.default.removeItem(atPath: local)
    report(
        Figure(
            name: "X1. costwh reload from the emulator (EA)", seconds: median(reloads), rows: options.rows,
            bytes: byteCount, rssMiB: rss,
            note: String(
                format: "%.2f × costwh load of the same bytes (target ≤ 1.15)", median(reloads) / median(loads))))
}

// Memory on a file N times larger.
if !options.skipMemory && options.memoryFactor > 1 {
    let bigRows = options.rows * options.memoryFactor
    let big = generate(eaScope, rows: bigRows, name: "ea-\(bigRows).csv")
    let db = options.work + "/big.sqlite"
    removeDatabase(db)
    let load = spawn(loadArgs(db, big, eaScope))
    guard load.status == 0 else { fail("costwh load of the large file failed") }
    report(
        Figure(
            name: "3b. costwh load, \(options.memoryFactor)× file (EA)", seconds: load.seconds, rows: bigRows,
            bytes: fileSize(big), rssMiB: load.rssMiB))
    removeDatabase(db)
}

/// Times each canned query for one scope and month on `db`, the median of `options.runs`.
@MainActor func timeCannedQueries(db: String, label: String, rows: Int) {
    for query in ["totals", "daily", "by", "reservations", "savings-plans", "top-benefit", "month-over-month"] {
        var times: [Double] = []
        let extra = query == "by" ? ["--by", "meter-category"] : []
        for _ in 0..<options.runs {
            let r = spawn(
                [
                    costwh, "query", query, "--scope", eaScope.id, "--period", period.description, "--db", db,
                    "--format", "csv",
                ] + extra)
            if r.status != 0 {
                times = []
                break
            }
            times.append(r.seconds)
        }
        if times.isEmpty {
            print("\(label) \(query): not available")
        } else {
            report(
                Figure(
                    name: "\(label) \(query) (\(rows) rows)", seconds: median(times), rows: options.rows, bytes: 0,
                    rssMiB: 0, note: median(times) < 0.5 ? "" : "over the 0.5 s target"))
        }
    }
}

// 5. Canned queries on a database of `queryRows` rows: several scopes and months, both metrics.
if options.queryRows > 0 {
    let db = options.work + "/query-\(options.queryRows).sqlite"
    let perPartition = max(options.rows, 1)
    let partitions = max(1, options.queryRows / perPartition)
    if !FileManager.default.fileExists(atPath: db) {
        let start = now()
        let scopes = [
            eaScope, try! Scope(parsing: "/providers/Microsoft.Billing/billingAccounts/7000001"),
            try! Scope(parsing: "/providers/Microsoft.Billing/billingAccounts/7000002"),
        ]
        var loaded = 0
        var monthOffset = 0
        outer: while true {
            for scope in scopes {
                for metric in [Metric.actualCost, .amortizedCost] {
                    if loaded >= partitions { break outer }
                    let p = period.adding(months: -monthOffset)
                    let path = options.work + "/q-\(loaded).csv"
                    let month = SyntheticMonth(
                        estate: SyntheticEstate(scope: scope, resources: 20_000), period: p, rows: perPartition)
                    try! CostCSVWriter(month: month).write(metric, toFile: path)
                    let result = spawn([
                        costwh, "load", path, "--scope", scope.id, "--period", p.description, "--metric",
                        metric.rawValue, "--db", db,
                    ])
                    guard result.status == 0 else { fail("loading the query database failed") }
                    try? FileManager.default.removeItem(atPath: path)
                    loaded += 1
                }
            }
            monthOffset += 1
        }
        log(String(format: "built the %d-row query database in %.0f s", partitions * perPartition, now() - start))
    }
    timeCannedQueries(db: db, label: "5. query", rows: partitions * perPartition)
}

// A1–A4. Analysts' plain SQL through `cost_details`, with the sqlite3 shell as their client,
// on one scope of `analystMonths` months × both metrics × `rows` rows.
if options.analystMonths > 0, let sqlite3 {
    let months = options.analystMonths
    let db = options.work + "/analysts-\(months)x\(options.rows).sqlite"
    let last = period
    let first = last.adding(months: -(months - 1))
    if !FileManager.default.fileExists(atPath: db) {
        let start = now()
        for m in 0..<months {
            let p = first.adding(months: m)
            for metric in [Metric.actualCost, .amortizedCost] {
                let path = options.work + "/a.csv"
                let month = SyntheticMonth(
                    estate: SyntheticEstate(scope: eaScope, resources: 20_000), period: p, rows: options.rows)
                try! CostCSVWriter(month: month).write(metric, toFile: path)
                let loaded = spawn([
                    costwh, "load", path, "--scope", eaScope.id, "--period", p.description, "--metric", metric.rawValue,
                    "--db", db,
                ])
                guard loaded.status == 0 else { fail("loading the analysts' database failed") }
                try? FileManager.default.removeItem(atPath: path)
            }
        }
        log(String(format: "built the %d-row analysts' database in %.0f s", months * 2 * options.rows, now() - start))
    }
    let queries = [
        (
            "A1. group by ResourceGroup",
            "SELECT ResourceGroup, SUM(CostInBillingCurrency) FROM cost_details WHERE %@ GROUP BY 1;"
        ),
        (
            "A2. group by MeterCategory, Date",
            "SELECT MeterCategory, Date, SUM(CostInBillingCurrency) FROM cost_details WHERE %@ GROUP BY 1, 2;"
        ),
        (
            "A3. group by a tag",
            "SELECT json_extract(Tags, '$.env'), SUM(CostInBillingCurrency) FROM cost_details WHERE %@ GROUP BY 1;"
        ),
        (
            "A4. actual vs amortized by subscription",
            "SELECT SubscriptionId, SUM(CASE WHEN Metric = 'ActualCost' THEN CostInBillingCurrency END) AS actual, SUM(CASE WHEN Metric = 'AmortizedCost' THEN CostInBillingCurrency END) AS amortized, SUM(CASE WHEN Metric = 'AmortizedCost' THEN CostInBillingCurrency ELSE -CostInBillingCurrency END) AS difference FROM cost_details WHERE %@ GROUP BY 1;"
        ),
    ]
    // The same questions through the per-load summaries: `cost_daily_summary` (per day and
    // product) for the daily one, `cost_summary` (no Date) for the others.
    let summaryQueries = queries.map { name, sql in
        let view = name.hasPrefix("A2") ? "cost_daily_summary" : "cost_summary"
        return (
            "S" + name.dropFirst() + " (\(view))",
            sql.replacingOccurrences(of: "FROM cost_details", with: "FROM \(view)")
        )
    }
    for (name, template) in queries + summaryQueries {
        for (range, filter, target) in [
            ("one month", "BillingPeriod = '\(last)'", 0.5),
            ("\(months) months", "BillingPeriod BETWEEN '\(first)' AND '\(last)'", 3.0),
        ] {
            let sql = template.replacingOccurrences(of: "%@", with: filter)
            var times: [Double] = []
            for _ in 0..<options.runs { times.append(spawn([sqlite3, db, sql]).seconds) }
            report(
                Figure(
                    name: "\(name), \(range)", seconds: median(times),
                    rows: range == "one month" ? 2 * options.rows : 2 * months * options.rows, bytes: 0, rssMiB: 0,
                    note: median(times) <= target ? "target ≤ \(target) s: met" : "over the \(target) s target"))
        }
    }
}

// P3–P5. The PostgreSQL store, beside `psql \copy` of the same file into an all-TEXT logged
// table (the server parses the CSV: the raw load, no transform).
if let url = options.postgres {
    // psql's NOTICEs (DROP … CASCADE lists every object) are not the benchmark's output.
    setenv("PGOPTIONS", "-c client_min_messages=warning", 1)
    let psql = ["/usr/bin/psql", "/usr/local/bin/psql"].first { FileManager.default.isExecutableFile(atPath: $0) }
    // psql takes the URL without costwh's own parameters.
    let plain = url.split(separator: "?").first.map(String.init) ?? url
    func schemaURL(_ schema: String) -> String { url + (url.contains("?") ? "&" : "?") + "schema=\(schema)" }
    func sql(_ command: String) {
        guard let psql else { return }
        spawn([psql, plain, "-q", "-v", "ON_ERROR_STOP=1", "-c", command])
    }
    var pgLoad: [Double] = [], pgReload: [Double] = [], copyTimes: [Double] = []
    var pgRSS = 0.0
    // The header only: reading the whole file here would raise this process's RSS, which a
    // spawned child inherits as its starting high-water mark on Linux.
    let head =
        FileHandle(forReadingAtPath: eaFile).map { handle in
            defer { try? handle.close() }
            return handle.readData(ofLength: 64 << 10)
        } ?? Data()
    let header = String(decoding: head.prefix { $0 != 0x0A }, as: UTF8.self)
    let rawColumns = header.split(separator: ",").enumerated().map { "c\($0.offset) text" }.joined(separator: ", ")
    for run in 0..<options.runs {
        let schema = "bench_load"
        sql("DROP SCHEMA IF EXISTS \(schema) CASCADE")
        let load = spawn(loadArgs(schemaURL(schema), eaFile, eaScope))
        guard load.status == 0 else { fail("costwh load into PostgreSQL failed (status \(load.status))") }
        let reload = spawn(loadArgs(schemaURL(schema), eaFile, eaScope))
        guard reload.status == 0 else { fail("costwh reload into PostgreSQL failed") }
        pgLoad.append(load.seconds)
        pgReload.append(reload.seconds)
        pgRSS = max(pgRSS, load.rssMiB, reload.rssMiB)
        if run == 0, let psql {
            let answer = output([
                psql, plain, "-At", "-F", "|", "-c",
                "SELECT pg_total_relation_size('\(schema).load_totals'),"
                    + " (SELECT COUNT(DISTINCT LoadId) FROM \(schema).load_totals), (SELECT COUNT(*) FROM \(schema).load_totals),"
                    // A replaced load's table may not be dropped yet: the average of the loads' tables.
                    + " (SELECT SUM(pg_total_relation_size(c.oid)) / COUNT(*) FROM pg_class c"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE n.nspname = '\(schema)' AND c.relname LIKE 'cost_fact_l%' AND c.relkind = 'r')",
            ]).split(separator: "|").map { Double($0) ?? 0 }
            if answer.count == 4 {
                printHistorySize(
                    label: "H2. history kept per load (PostgreSQL)", historyBytes: answer[0], loads: answer[1],
                    historyRows: answer[2], factBytes: answer[3])
            }
        }
        sql("DROP SCHEMA IF EXISTS \(schema) CASCADE")
        if let psql {
            sql("DROP TABLE IF EXISTS bench_raw; CREATE TABLE bench_raw (\(rawColumns))")
            let copied = spawn([psql, plain, "-q", "-c", "\\copy bench_raw FROM '\(eaFile)' CSV HEADER"])
            if copied.status == 0 { copyTimes.append(copied.seconds) }
            sql("DROP TABLE IF EXISTS bench_raw")
        }
        log(
            "PostgreSQL run \(run + 1): load \(String(format: "%.2f", load.seconds)) s, reload \(String(format: "%.2f", reload.seconds)) s"
                + (copyTimes.isEmpty ? "" : ", psql \\copy \(String(format: "%.2f", copyTimes.last!)) s"))
    }
    let pgMedian = median(pgLoad)
    report(
        Figure(
            name: "P3. costwh load into PostgreSQL (EA)", seconds: pgMedian, rows: options.rows, bytes: eaBytes,
            rssMiB: pgRSS, note: pgRSS <= 128 ? "" : "client RSS over the 128 MB target"))
    report(
        Figure(
            name: "P4. costwh reload into PostgreSQL", seconds: median(pgReload), rows: options.rows, bytes: eaBytes,
            rssMiB: pgRSS, note: String(format: "%.2f × fresh load (target ≤ 1.3)", median(pgReload) / pgMedian)))
    if !copyTimes.isEmpty {
        report(
            Figure(
                name: "   psql \\copy, all-TEXT logged table", seconds: median(copyTimes), rows: options.rows,
                bytes: eaBytes, rssMiB: 0))
        print(String(format: "PostgreSQL load / psql \\copy = %.2f (target ≤ 1.0)", pgMedian / median(copyTimes)))
    }
    // P5: the canned queries on the query database, copied into PostgreSQL once.
    let queryDb = options.work + "/query-\(options.queryRows).sqlite"
    if options.queryRows > 0 && FileManager.default.fileExists(atPath: queryDb) {
        let target = schemaURL("bench_query_\(options.queryRows)")
        let copy = spawn([costwh, "copy", "--from", queryDb, "--to", target])
        guard copy.status == 0 else { fail("costwh copy into PostgreSQL failed") }
        log(
            String(format: "copied the query database into PostgreSQL in %.0f s (already there is quick)", copy.seconds)
        )
        timeCannedQueries(db: target, label: "P5. PostgreSQL query", rows: options.queryRows)
    }
}
