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
        if let top = options.top, !(1...100_000).contains(top) {
            throw .usage("the number of top rows must be between 1 and 100000")
        }
        if let days = options.filter.settleDays, days < 0 { throw .usage("settle days cannot be negative") }
        let store = try DatabaseLocation.openForReading(options.databasePath)
        do {
            return try store.reading { reader in
                var changes = try PartitionChanges.list(reader, options.filter)
                guard let by = options.by else {
                    if let top = options.top, changes.count > top {
                        let largest = changes.enumerated().sorted { a, b in
                            a.element.deltaUnits.magnitude != b.element.deltaUnits.magnitude
                                ? a.element.deltaUnits.magnitude > b.element.deltaUnits.magnitude
                                : a.offset < b.offset
                        }.prefix(top).map(\.offset).sorted()
                        changes = largest.map { changes[$0] }
                    }
                    return PartitionChanges.table(changes)
                }
                let broken = try changes.map { change in
                    (change, try PartitionChanges.breakdown(reader, change, by: by, top: options.top))
                }
                return PartitionChanges.table(broken, by: by)
            }
        } catch let error as PipelineError {
            throw error
        } catch {
            throw .query(.database(String(describing: error)))
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
