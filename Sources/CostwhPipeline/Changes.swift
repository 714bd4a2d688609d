import CostwhLoad
import CostwhModel
import CostwhQuery

/// `costwh changes`: what changed between successive loads of the same partitions.
package struct ChangesOptions: Sendable {
    package var databasePath: String
    package var filter: ChangeFilter
    /// Break each change down into the groups whose cost changed.
    package var by: LoadHistory.Breakdown?
    /// With `by`, the groups shown per change (the rest add up into one row); without, the
    /// changes with the largest absolute delta.
    package var top: Int?

    package init(databasePath: String, filter: ChangeFilter, by: LoadHistory.Breakdown? = nil, top: Int? = nil) {
        self.databasePath = databasePath
        self.filter = filter
        self.by = by
        self.top = top
    }
}

package enum Changes {
    package static func run(_ options: ChangesOptions) throws(PipelineError) -> ResultTable {
        let listing = ChangeListing(filter: options.filter, by: options.by, top: options.top)
        do { try listing.validate() } catch { throw .usage(error.description) }
        let store = try DatabaseLocation.openForReading(options.databasePath)
        do {
            return try listing.run(on: store)
        } catch {
            throw .query(error)
        }
    }

    /// The changes to closed months that a run's loads made, for its summary.
    static func ofRun(_ report: RunReport, store: any CostStore, settleDays: Int?) throws -> [PartitionChange] {
        var ids = Set<Int64>()
        for (_, outcome) in report.results {
            if case .loaded(let summary) = outcome { ids.insert(summary.loadId) }
        }
        guard !ids.isEmpty else { return [] }
        let filter = ChangeFilter(closedOnly: true, settleDays: settleDays, loadIds: ids)
        return try store.reading { try PartitionChanges.list($0, filter) }
    }
}
