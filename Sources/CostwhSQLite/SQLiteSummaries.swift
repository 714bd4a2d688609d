import CostwhLoad
import CostwhTransform
import GRDB

/// A load's summaries and rejected rows, written in its SQLite transaction.
extension SummaryBuilder {
    /// Writes the summaries of a load whose rows are `first...last` in cost_fact; a summary
    /// that outgrew its bound in memory is added up by SQL over that rowid range.
    func write(_ db: Database, loadId: Int64, firstRowId: Int64?, lastRowId: Int64?) throws {
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
            let insert = try db.makeStatement(sql: Summary.daily.insertValues)
            for row in dailyRows {
                try insert.execute(arguments: [
                    loadId, row.date, row.currency, row.chargeType, row.pricingModel, row.product, row.cost, row.units,
                    row.rows,
                ])
            }
        }
        if overflowed {
            try addUpBySQL(.resource)
        } else {
            let insert = try db.makeStatement(sql: Summary.resource.insertValues)
            for row in resourceRows {
                try insert.execute(arguments: [
                    loadId, row.currency, row.chargeType, row.pricingModel, row.account, row.resource, row.product,
                    row.tags, row.cost, row.units, row.rows,
                ])
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
