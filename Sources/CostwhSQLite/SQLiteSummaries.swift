import CostwhLoad
import CostwhTransform
import GRDB

/// A load's summaries and rejected rows, written in its SQLite transaction.
extension SummaryBuilder {
    /// Writes the summaries of a load whose rows are `first...last` in cost_fact; a summary
    /// that outgrew its bound in memory is added up by SQL over that rowid range.
    func write(_ db: Database, loadId: Int64, firstRowId: Int64?, lastRowId: Int64?, keys: Keys) throws {
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
        } else {
            // Bound raw (UncheckedSQLiteBinding.swift): a month has tens of thousands of these
            // rows, written after the last fact row while nothing else runs.
            let insert = try UncheckedStatement(db, sql: Summary.daily.insertValues)
            for row in try dailyRows(keys: keys) {
                insert.bind(1, int: loadId)
                insert.bind(2, string: row.date)
                insert.bind(3, string: row.currency)
                insert.bind(4, string: row.chargeType)
                insert.bind(5, string: row.pricingModel)
                insert.bind(6, int: row.product)
                insert.bind(7, double: row.cost)
                insert.bind(8, int: row.units)
                insert.bind(9, int: Int64(row.rows))
                try insert.execute(db)
            }
        }
        if overflowed {
            try addUpBySQL(.resource)
        } else {
            let insert = try UncheckedStatement(db, sql: Summary.resource.insertValues)
            for row in try resourceRows(keys: keys) {
                insert.bind(1, int: loadId)
                insert.bind(2, string: row.currency)
                insert.bind(3, string: row.chargeType)
                insert.bind(4, string: row.pricingModel)
                insert.bind(5, int: row.account)
                insert.bind(6, int: row.resource)
                insert.bind(7, int: row.product)
                insert.bind(8, int: row.tags)
                insert.bind(9, double: row.cost)
                insert.bind(10, int: row.units)
                insert.bind(11, int: Int64(row.rows))
                try insert.execute(db)
            }
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
