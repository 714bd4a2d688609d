import CostwhLoad
import CostwhModel
import CostwhQuery

/// `costwh runs`: recent loads from the ledger.
package enum Runs {
    package static func list(databasePath: String, limit: Int, scope: Scope?) throws(PipelineError) -> ResultTable {
        let store = try DatabaseLocation.openForReading(databasePath)
        do {
            return try store.reading { reader in
                try reader.read(
                    """
                    SELECT LoadId, Scope, BillingPeriod, Dataset, Metric, Source, Status, RowsRead, RowsLoaded, RowsRejected,
                           ROUND(CostTotal, 2) AS CostTotal, Currencies, StartedAt, FinishedAt, Error
                    FROM loads
                    WHERE (:scope IS NULL OR Scope = :scope)
                    ORDER BY LoadId DESC
                    LIMIT :limit
                    """, ["scope": StoreValue(scope?.id), "limit": StoreValue(limit)])
            }
        } catch {
            throw .load(.database(error))
        }
    }
}
