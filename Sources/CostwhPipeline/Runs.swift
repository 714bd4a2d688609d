import CostwhLoad
import CostwhModel
import CostwhQuery
import GRDB

/// `costwh runs`: recent loads from the ledger.
public enum Runs {
    public static func list(databasePath: String, limit: Int, scope: Scope?) throws(PipelineError) -> ResultTable {
        let scopeId = scope?.id
        let database: CostDatabase
        do { database = try CostDatabase(path: databasePath) } catch { throw .load(error) }
        do {
            return try database.pool.read { db in
                let statement = try db.makeStatement(
                    sql: """
                        SELECT LoadId, Scope, BillingPeriod, Metric, Source, Status, RowsRead, RowsLoaded, RowsRejected,
                               ROUND(CostTotal, 2) AS CostTotal, Currencies, StartedAt, FinishedAt, Error
                        FROM loads
                        WHERE (:scope IS NULL OR Scope = :scope)
                        ORDER BY LoadId DESC
                        LIMIT :limit
                        """)
                try statement.setArguments(["scope": scopeId, "limit": limit])
                let rows = try Row.fetchAll(statement).map { Array($0.databaseValues) }
                return ResultTable(columns: statement.columnNames, rows: rows)
            }
        } catch {
            throw .load(.database(reason: String(describing: error)))
        }
    }
}
