import Foundation

/// P3–P5: the PostgreSQL store, beside `psql \copy` of the same file into an all-TEXT logged
/// table (the server parses the CSV: the raw load, no transform); the canned queries on the
/// query database copied into PostgreSQL.
package enum PostgresFigures {
    package static func run(
        _ bench: Bench, url: String, file: String, queryDatabase: (path: String, rows: Int)?
    ) throws(BenchError) {
        // psql's NOTICEs (DROP … CASCADE lists every object) are not the benchmark's output.
        setenv("PGOPTIONS", "-c client_min_messages=warning", 1)
        let psql = Processes.find(["/usr/bin/psql", "/usr/local/bin/psql"])
        // psql takes the URL without costwh's own parameters.
        let plain = url.split(separator: "?").first.map(String.init) ?? url
        func schemaURL(_ schema: String) -> String { url + (url.contains("?") ? "&" : "?") + "schema=\(schema)" }
        func sql(_ command: String) throws(BenchError) {
            guard let psql else { return }
            try Processes.spawn([psql, plain, "-q", "-v", "ON_ERROR_STOP=1", "-c", command])
        }
        var loads: [Double] = [], reloads: [Double] = [], copies: [Double] = []
        var rss = 0.0
        let bytes = Processes.fileSize(file)
        // The header only: reading the whole file here would raise this process's RSS, which a
        // spawned child inherits as its starting high-water mark on Linux.
        let head =
            FileHandle(forReadingAtPath: file).map { handle in
                defer { try? handle.close() }
                return handle.readData(ofLength: 64 << 10)
            } ?? Data()
        let header = String(decoding: head.prefix { $0 != 0x0A }, as: UTF8.self)
        let rawColumns = header.split(separator: ",").enumerated().map { "c\($0.offset) text" }.joined(separator: ", ")
        let schema = "bench_load"
        for run in 0..<bench.options.runs {
            try sql("DROP SCHEMA IF EXISTS \(schema) CASCADE")
            let load = try Processes.run(
                bench.loadArgs(schemaURL(schema), file, bench.eaScope), "costwh load into PostgreSQL")
            let reload = try Processes.run(
                bench.loadArgs(schemaURL(schema), file, bench.eaScope), "costwh reload into PostgreSQL")
            loads.append(load.seconds)
            reloads.append(reload.seconds)
            rss = max(rss, load.rssMiB, reload.rssMiB)
            if run == 0, let psql { historySize(psql: psql, url: plain, schema: schema) }
            try sql("DROP SCHEMA IF EXISTS \(schema) CASCADE")
            if let psql {
                try sql("DROP TABLE IF EXISTS bench_raw; CREATE TABLE bench_raw (\(rawColumns))")
                let copied = try Processes.spawn([
                    psql, plain, "-q", "-c", "\\copy bench_raw FROM '\(file)' CSV HEADER",
                ])
                if copied.status == 0 { copies.append(copied.seconds) }
                try sql("DROP TABLE IF EXISTS bench_raw")
            }
            bench.log(
                String(format: "PostgreSQL run %d: load %.2f s, reload %.2f s", run + 1, load.seconds, reload.seconds)
                    + (copies.last.map { String(format: ", psql \\copy %.2f s", $0) } ?? ""))
        }
        let loadMedian = Statistics.median(loads)
        bench.report(
            Figure(
                name: "P3. costwh load into PostgreSQL (EA)", seconds: loadMedian, rows: bench.options.rows,
                bytes: bytes,
                rssMiB: rss, note: rss <= 128 ? "" : "client RSS over the 128 MB target"))
        bench.report(
            Figure(
                name: "P4. costwh reload into PostgreSQL", seconds: Statistics.median(reloads),
                rows: bench.options.rows,
                bytes: bytes, rssMiB: rss,
                note: String(format: "%.2f × fresh load (target ≤ 1.3)", Statistics.median(reloads) / loadMedian)))
        if !copies.isEmpty {
            bench.report(
                Figure(
                    name: "   psql \\copy, all-TEXT logged table", seconds: Statistics.median(copies),
                    rows: bench.options.rows, bytes: bytes, rssMiB: 0))
            print(
                String(
                    format: "PostgreSQL load / psql \\copy = %.2f (target ≤ 1.0)",
                    loadMedian / Statistics.median(copies)))
        }
        // P5: the canned queries on the query database, copied into PostgreSQL once.
        if let queryDatabase {
            let target = schemaURL("bench_query_\(bench.options.queryRows)")
            let copy = try Processes.run(
                [bench.costwh, "copy", "--from", queryDatabase.path, "--to", target], "costwh copy into PostgreSQL")
            bench.log(
                String(
                    format: "copied the query database into PostgreSQL in %.0f s (already there is quick)",
                    copy.seconds))
            try QueryFigures.time(bench, db: target, label: "P5. PostgreSQL query", rows: queryDatabase.rows)
        }
    }

    /// H2: the history a load keeps, against the average of the loads' tables (a replaced
    /// load's table may not be dropped yet).
    static func historySize(psql: String, url: String, schema: String) {
        let answer = Processes.output([
            psql, url, "-At", "-F", "|", "-c",
            "SELECT pg_total_relation_size('\(schema).load_totals'),"
                + " (SELECT COUNT(DISTINCT LoadId) FROM \(schema).load_totals), (SELECT COUNT(*) FROM \(schema).load_totals),"
                + " (SELECT SUM(pg_total_relation_size(c.oid)) / COUNT(*) FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = '\(schema)' AND c.relname LIKE 'cost_fact_l%' AND c.relkind = 'r')",
        ]).split(separator: "|").map { Double($0) ?? 0 }
        guard answer.count == 4 else { return }
        print(
            LoadFigures.historyLine(
                label: "H2. history kept per load (PostgreSQL)", historyBytes: answer[0], loads: answer[1],
                historyRows: answer[2], factBytes: answer[3]))
    }
}
