import CostwhLoad
import CostwhModel
import Foundation

/// What changed between successive loads of the same partitions, as a table: what
/// `costwh changes` and the MCP server's `list_changes` both answer.
package struct ChangeListing: Sendable {
    package var filter: ChangeFilter
    /// Break each change down into the groups whose cost changed.
    package var by: LoadHistory.Breakdown?
    /// With `by`, the groups shown per change (the rest add up into one row); without, the
    /// changes with the largest absolute delta.
    package var top: Int?

    package init(filter: ChangeFilter, by: LoadHistory.Breakdown? = nil, top: Int? = nil) {
        self.filter = filter
        self.by = by
        self.top = top
    }

    package func validate() throws(QueryError) {
        if let top, !(1...100_000).contains(top) {
            throw .invalidArgument("the number of top rows must be between 1 and 100000")
        }
        if let days = filter.settleDays, days < 0 { throw .invalidArgument("settle days cannot be negative") }
    }

    package func run(on store: any StoreReading) throws(QueryError) -> ResultTable {
        try validate()
        do {
            return try store.reading { reader in
                var changes = try PartitionChanges.list(reader, filter)
                guard let by else {
                    if let top, changes.count > top {
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
                    (change, try PartitionChanges.breakdown(reader, change, by: by, top: top))
                }
                return PartitionChanges.table(broken, by: by)
            }
        } catch let error as QueryError {
            throw error
        } catch {
            throw .database(String(describing: error))
        }
    }

    /// The ledger's spelling of a `since` bound (a date, or an ISO 8601 date-time), which
    /// compares as text with `FinishedAt`; nil when it is neither.
    package static func sinceBound(_ text: String) -> String? {
        if CalendarDate(iso: text) != nil { return text }
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime],
        ] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return Ledger.format(date) }
        }
        return nil
    }
}
