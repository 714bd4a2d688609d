import CostwhModel
import CostwhTransform
import Foundation
import Logging

/// The storage seam: what a warehouse store does for the pipeline, whatever its engine.
///
/// A load is store-independent up to the batch: `PartitionLoader` runs the parser thread,
/// counts, rejects and cancels; the store opens its transaction, takes the batches, and
/// commits or abandons. The seam is per batch, never per row, so the insert path keeps its
/// speed (SQLite binds rows from the batch directly; a PostgreSQL store would COPY it).
package protocol CostStore: StoreReading {

    // MARK: schema

    /// Applies the pending migrations (up to `target`); returns their identifiers.
    @discardableResult func migrate(upTo target: String?) throws(LoadError) -> [String]
    func appliedMigrations() throws(LoadError) -> [String]

    // MARK: one job at a time

    /// Takes the store's lock for an extracting job (ingest, reload, backfill), held until the
    /// returned object is released. Another job holding it is `.busy`, naming the holder.
    func lockForJob() throws(LoadError) -> AnyObject

    // MARK: the ledger

    /// Closes the ledger rows of loads whose process died (they left no data).
    func recoverAbandoned(logger: Logger) throws(LoadError)
    /// Deletes the rows of loads no partition points at any more.
    func purgeReplacedLoads() throws(LoadError)
    /// Opens a load's ledger row (`running`); returns its id.
    func beginLoad(_ request: LoadRequest, at date: Date) throws(LoadError) -> Int64
    /// The last load that left the partition as it is: its time, content hash and ETag.
    func lastGoodLoad(
        scope: Scope, period: BillingPeriod, metric: Metric
    ) throws(LoadError) -> (finishedAt: Date, contentHash: String?, etag: String?)?
    /// Records a report identical to the current data; nothing is rewritten.
    func recordUnchanged(_ request: LoadRequest, contentHash: String, started: Date) throws(LoadError) -> Int64
    /// Records a load that failed before any data reached the loader.
    func recordFailure(_ request: LoadRequest, error: String, started: Date) throws(LoadError) -> Int64

    // MARK: a partition, atomically

    /// Replaces a partition. The store opens its transaction and hides or removes the
    /// partition's previous rows, then calls `feed`, which writes the batches through the
    /// writer and returns the load's counts. The store adds its own totals, writes the
    /// summaries and rejected rows, and moves the partition pointer and the ledger row in the
    /// same transaction; it returns the final summary. If `feed` throws, nothing of the load
    /// is visible and the previous partition is intact.
    func replacePartition(
        _ request: LoadRequest, loadId: Int64, rejects: RejectBuffer, feed: (any BatchWriter) throws -> LoadSummary
    ) throws -> LoadSummary

    /// Closes the ledger row of a load that did not replace its partition (failed, or read the
    /// same content), with its rejected rows, in a transaction of its own.
    func closeFailedLoad(_ summary: inout LoadSummary, rejects: RejectBuffer) throws

    // MARK: the other datasets

    /// The last load of a dataset partition (scope, billing period, dataset) that left it as it is.
    func lastGoodLoad(
        scope: Scope, period: BillingPeriod, dataset: Dataset
    ) throws(LoadError) -> (finishedAt: Date, contentHash: String?)?

    /// Replaces a dataset partition, as `replacePartition` does cost details: `feed` writes the
    /// rows through the writer and returns the counts; the store points the partition at the
    /// load, rebuilds what derives from it (list prices from a price sheet), and writes the
    /// rejected rows and the ledger row in one transaction. If `feed` throws, the previous
    /// rows stay current.
    func replaceDataset(
        _ request: LoadRequest, loadId: Int64, schema: DatasetSchema, rejects: RejectBuffer,
        feed: (any DatasetWriter) throws -> LoadSummary
    ) throws -> LoadSummary

    // MARK: settings

    /// Sets one of the warehouse's settings (table `settings`, which its views read), when
    /// it differs from what is stored.
    func setSetting(_ name: String, to value: String) throws(LoadError)

}

/// Reads of one snapshot; see `CostStore.reading`.
package protocol StoreReader {
    /// Which SQL the store speaks, for the few reads that differ (a load's fact rows are a
    /// rowid range in SQLite and a partition in PostgreSQL).
    var dialect: SQLDialect { get }
    func read(_ sql: String, _ parameters: [String: StoreValue]) throws -> ResultTable
    /// The same, streamed: `body` gets the rows `pageSize` at a time (at least one call,
    /// with no rows when there are none), so a partition of millions of rows can be read.
    func forEachPage(
        _ sql: String, _ parameters: [String: StoreValue], pageSize: Int, _ body: (ResultTable) throws -> Void
    ) throws
    /// The same, a row at a time through a cursor, without building values it does not need
    /// (`forEachRowByPages` where a store has no faster way). Returns the column names.
    func forEachRow(_ sql: String, _ parameters: [String: StoreValue], _ body: (any RowCursor) throws -> Void) throws
        -> [String]
}

package enum SQLDialect: Sendable {
    case sqlite, postgres
}

/// What a store hands the dataset loader inside `replaceDataset`: one call per row.
package protocol DatasetWriter: AnyObject {
    func write(_ record: DatasetRecord) throws
}

/// What a store hands the loader inside `replacePartition`: one call per batch.
package protocol BatchWriter: AnyObject {
    func write(_ batch: RowBatch) throws
    /// The summaries of every row written, added up by whoever produced the batches (the
    /// parsing thread); given once, after the last batch, for the store to write.
    func summarise(_ summaries: SummaryBuilder)
}
