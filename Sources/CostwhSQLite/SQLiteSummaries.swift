import CostwhLoad
import CostwhTransform
import GRDB

/// A load's summaries and rejected rows, written in its SQLite transaction.
extension SummaryBuilder {
    /// Writes the summaries of a load whose rows are `first...last` in cost_fact; a summary
    /// that outgrew its bound in memory is added up by SQL over that rowid range. Returns the
    /// load's history totals added up from the same rows on the way (`LoadHistory.Accumulator`),
    /// or nil when a summary was added up by SQL (its history is then too).
    func write(_ db: Database, loadId: Int64, firstRowId: Int64?, lastRowId: Int64?, keys: Keys) throws
        -> LoadHistory.Accumulator?
    {
        var history: LoadHistory.Accumulator? = LoadHistory.Accumulator()
        func addUpBySQL(_ summary: Summary) throws {
            guard let firstRowId, let lastRowId else { return }
            try db.execute(
                sql: summary.sql(
                    loadId: "?", rows: "cost_fact WHERE rowid BETWEEN ? AND ?", total: { "TOTAL(\($0))" },
                    units: CostUnits.sqliteExpression),
                arguments: [loadId, firstRowId, lastRowId])
        }
        if dailyOverflowed {
            try addUpBySQL(.daily)
            history = nil
        } else {
            let rows = try dailyRows(keys: keys)
            try insert(
                db, .daily, loadId: loadId,
                rows.lazy.map { row in
                    ([row.date, row.currency, row.chargeType, row.pricingModel], [row.product], row.cost, row.units, row.rows)
                })
            for row in rows {
                try history?.addDaily(
                    date: row.date, currency: row.currency, chargeType: row.chargeType, pricingModel: row.pricingModel,
                    units: row.units, rows: row.rows)
            }
        }
        if overflowed {
            try addUpBySQL(.resource)
            history = nil
        } else {
            let rows = try resourceRows(keys: keys)
            try insert(
                db, .resource, loadId: loadId,
                rows.lazy.map { row in
                    (
                        [row.currency, row.chargeType, row.pricingModel], [row.account, row.resource, row.product, row.tags],
                        row.cost, row.units, row.rows
                    )
                })
            for row in rows {
                try history?.addResource(
                    currency: row.currency, account: row.account, resource: row.resource, product: row.product,
                    units: row.units, rows: row.rows)
            }
        }
        return history
    }

    /// Inserts a summary's rows, each its texts then its keys (the table's key columns in
    /// order), then cost, units and rows. Bound raw (UncheckedSQLiteBinding.swift): a month
    /// has tens of thousands of these rows, written after the last fact row while nothing
    /// else runs.
    private func insert(
        _ db: Database, _ summary: Summary, loadId: Int64,
        _ rows: some Sequence<(texts: [String?], keys: [Int64?], cost: Double, units: Int64, rows: Int)>
    ) throws {
        let statement = try UncheckedStatement(db, sql: summary.insertValues)
        for row in rows {
            statement.bind(1, int: loadId)
            var index: Int32 = 2
            for text in row.texts {
                statement.bind(index, string: text)
                index += 1
            }
            for key in row.keys {
                statement.bind(index, int: key)
                index += 1
            }
            statement.bind(index, double: row.cost)
            statement.bind(index + 1, int: row.units)
            statement.bind(index + 2, int: Int64(row.rows))
            try statement.execute(db)
        }
    }
}

extension RejectBuffer {
    /// Writes the buffered rows and empties the buffer.
    func flush(_ db: Database, loadId: Int64, warnings: inout Warnings) throws {
        let statement = try db.makeStatement(
            sql: "INSERT INTO rejected_rows (LoadId, Source, LineNumber, RawText, Reason) VALUES (?, ?, ?, ?, ?)")
        for row in drain(warnings: &warnings) {
            try statement.execute(arguments: [loadId, row.source, row.line, row.raw, row.reason])
        }
    }
}
