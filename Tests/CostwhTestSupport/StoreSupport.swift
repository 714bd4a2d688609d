import CostwhLoad
import CostwhPipeline

/// Both stores, for tests that must give the same answers on each.
package enum Backend: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite, postgres
    package var description: String { rawValue }
}

/// Runs `body` with the location of an empty warehouse of `backend`: a new SQLite file, or
/// a fresh schema on the test PostgreSQL server (dropped afterwards).
package func withStore<T>(_ backend: Backend, _ body: (String) throws -> T) throws -> T {
    switch backend {
    case .sqlite:
        let dir = TempDir()
        return try body(dir.path("w.sqlite"))
    case .postgres:
        return try TestPostgres.withSchema(body)
    }
}

/// `costwh load` of one file into a warehouse at `db`.
@discardableResult
package func loadFile(
    _ db: String, _ file: String, scope: String = eaAccount, period: String = "2023-09", metric: String = "actual"
) throws -> [LoadSummary] {
    try LoadFiles.run(
        LoadFilesOptions(databasePath: db, files: [file], scope: scope, period: period, metric: metric),
        logger: quietLogger)
}

/// What is wrong with a warehouse's load history, whatever the store: history kept for a
/// load that did not succeed, a successful load without its whole history, a breakdown
/// that does not add up to its load's total, a change that names a load that did not
/// succeed. Empty when the history is whole.
package func historyProblems(_ store: any CostStore) throws -> [String] {
    let checks = [
        (
            "history rows of loads that did not succeed",
            "SELECT COUNT(*) AS n FROM load_totals t JOIN loads l ON l.LoadId = t.LoadId WHERE l.Status <> 'succeeded'"
        ),
        (
            "successful loads without their whole history",
            """
            SELECT COUNT(*) AS n FROM loads l WHERE l.Status = 'succeeded' AND (l.TotalsHash IS NULL
                OR l.RowsLoaded <> (SELECT COALESCE(SUM(t.Rows), 0) FROM load_totals t WHERE t.LoadId = l.LoadId AND t.Breakdown = 'total'))
            """
        ),
        (
            "breakdowns that do not add up to their load's total",
            """
            SELECT COUNT(*) AS n FROM (
                SELECT b.LoadId, b.Breakdown FROM load_totals b GROUP BY b.LoadId, b.Breakdown
                HAVING SUM(b.CostUnits) <> (SELECT SUM(t.CostUnits) FROM load_totals t WHERE t.LoadId = b.LoadId AND t.Breakdown = 'total')
                    OR SUM(b.Rows) <> (SELECT SUM(t.Rows) FROM load_totals t WHERE t.LoadId = b.LoadId AND t.Breakdown = 'total')
            ) x
            """
        ),
        (
            "changes that name a load that did not succeed",
            """
            SELECT COUNT(*) AS n FROM partition_changes c JOIN loads l ON l.LoadId = c.LoadId OR l.LoadId = c.PreviousLoadId
            WHERE l.Status <> 'succeeded'
            """
        ),
    ]
    return try store.reading { reader in
        try checks.compactMap { what, sql in
            let n = try reader.read(sql, [:]).rows.first?.first?.int ?? -1
            return n == 0 ? nil : "\(n) \(what)"
        }
    }
}
