import CostwhLoad
import CostwhModel
import Foundation

/// One partition (and currency) whose successive successful loads differ: a restatement,
/// or with `withNew` a partition's first load. Costs are kept in millionths (`CostUnits`)
/// so deltas and breakdowns add up exactly.
package struct PartitionChange: Sendable, Equatable {
    package var scope: String
    package var period: String
    package var metric: String
    package var currency: String?
    package var previousLoadId: Int64?
    package var loadId: Int64
    package var previousFinishedAt: String?
    package var finishedAt: String?
    package var previousUnits: Int64?
    package var units: Int64
    package var previousRows: Int64?
    package var rows: Int64
    package var closed: Bool

    package var deltaUnits: Int64 { units - (previousUnits ?? 0) }

    /// The change in percent of the previous cost; nil when there was none (or it was 0).
    package var deltaPercent: Double? {
        guard let previousUnits, previousUnits != 0 else { return nil }
        return 100 * Double(deltaUnits) / Double(abs(previousUnits))
    }

    /// Whether the change is larger than `percent`: a cost out of nothing is, always.
    package func exceeds(percent: Double) -> Bool {
        guard deltaUnits != 0 else { return false }
        guard let change = deltaPercent else { return true }
        return abs(change) > percent
    }
}

/// One group of a change's breakdown (a day, a subscription…) whose cost or rows changed.
package struct GroupChange: Sendable, Equatable {
    package var group: String?
    package var previousUnits: Int64
    package var units: Int64
    package var previousRows: Int64
    package var rows: Int64
    /// How many groups this row stands for: 1, or more for the remainder past `--top`.
    package var groups = 1

    package var deltaUnits: Int64 { units - previousUnits }
}

/// What `costwh changes` selects.
package struct ChangeFilter: Sendable {
    package var scope: String?
    package var periods: PeriodRange
    /// Only loads finished at or after this (ISO date or date-time, UTC).
    package var since: String?
    package var closedOnly: Bool
    package var withNew: Bool
    /// Overrides the warehouse's `settleDays` setting for `closed`.
    package var settleDays: Int?
    /// Only these loads (the ones a run just made).
    package var loadIds: Set<Int64>?

    package init(
        scope: String? = nil, periods: PeriodRange = .all, since: String? = nil, closedOnly: Bool = false,
        withNew: Bool = false, settleDays: Int? = nil, loadIds: Set<Int64>? = nil
    ) {
        self.scope = scope
        self.periods = periods
        self.since = since
        self.closedOnly = closedOnly
        self.withNew = withNew
        self.settleDays = settleDays
        self.loadIds = loadIds
    }
}

/// Reads restatements from the history the loader keeps (`load_totals`, the view
/// `load_changes`), on one snapshot.
package enum PartitionChanges {
    static let sql = """
        SELECT Scope, BillingPeriod, Metric, Currency, PreviousLoadId, LoadId, PreviousFinishedAt, FinishedAt,
            PreviousCost, Cost, PreviousRows, Rows, Closed
        FROM load_changes
        WHERE (:scope IS NULL OR Scope = :scope)
            AND BillingPeriod >= :from AND BillingPeriod <= :to
            AND (:since IS NULL OR FinishedAt >= :since)
            AND (:withNew = 1 OR PreviousLoadId IS NOT NULL)
        ORDER BY Scope, BillingPeriod, Metric, LoadId, Currency
        """

    package static func list(_ reader: any StoreReader, _ filter: ChangeFilter) throws -> [PartitionChange] {
        let table = try reader.read(
            sql,
            [
                "scope": StoreValue(filter.scope), "from": .text(filter.periods.lowerBound),
                "to": .text(filter.periods.upperBound), "since": StoreValue(filter.since),
                "withNew": .integer(filter.withNew ? 1 : 0),
            ])
        var out: [PartitionChange] = []
        for i in table.rows.indices {
            func text(_ column: String) -> String? { table.value(i, column).string }
            func integer(_ column: String) -> Int64? { table.value(i, column).int.map(Int64.init) }
            // The view divides exact millionths by 10^6; multiplying back recovers them.
            func units(_ column: String) -> Int64? {
                table.value(i, column).double.map { Int64(($0 * CostUnits.perUnit).rounded()) }
            }
            guard let loadId = integer("LoadId") else { continue }
            var change = PartitionChange(
                scope: text("Scope") ?? "", period: text("BillingPeriod") ?? "", metric: text("Metric") ?? "",
                currency: text("Currency"), previousLoadId: integer("PreviousLoadId"), loadId: loadId,
                previousFinishedAt: text("PreviousFinishedAt"), finishedAt: text("FinishedAt"),
                previousUnits: units("PreviousCost"), units: units("Cost") ?? 0, previousRows: integer("PreviousRows"),
                rows: integer("Rows") ?? 0, closed: integer("Closed") == 1)
            if let days = filter.settleDays {
                change.closed = PartitionChanges.isClosed(
                    period: change.period, loadFinishedAt: change.previousFinishedAt, settleDays: days)
            }
            if filter.closedOnly && !change.closed { continue }
            if let ids = filter.loadIds, !ids.contains(loadId) { continue }
            out.append(change)
        }
        return out
    }

    /// The `Closed` rule of the view, for a `settleDays` other than the warehouse's: the
    /// month had ended more than `settleDays` days before the earlier load finished.
    package static func isClosed(period: String, loadFinishedAt: String?, settleDays: Int) -> Bool {
        guard let loadFinishedAt, let month = try? BillingPeriod(parsing: period) else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard
            let start = calendar.date(from: DateComponents(year: month.year, month: month.month, day: 1)),
            let settled = calendar.date(byAdding: DateComponents(month: 1, day: settleDays), to: start)
        else { return false }
        return loadFinishedAt >= String(Ledger.format(settled).prefix(10))
    }

    /// The groups of `breakdown` whose cost or rows differ between the change's two loads,
    /// largest absolute delta first. Past `top` groups, the rest are added up into one row
    /// (`group` nil, `groups` > 1), so the deltas always add up to the change's delta.
    package static func breakdown(
        _ reader: any StoreReader, _ change: PartitionChange, by breakdown: LoadHistory.Breakdown, top: Int? = nil
    ) throws -> [GroupChange] {
        let table = try reader.read(
            """
            SELECT LoadId, GroupValue, CostUnits, Rows FROM load_totals
            WHERE Breakdown = :by AND (LoadId = :previous OR LoadId = :load)
                AND COALESCE(BillingCurrency, '') = :currency
            """,
            [
                "by": .text(breakdown.rawValue), "previous": .integer(change.previousLoadId ?? -1),
                "load": .integer(change.loadId), "currency": .text(change.currency ?? ""),
            ])
        var groups: [String?: GroupChange] = [:]
        for row in table.rows {
            let group = row[1].string
            var entry = groups[group] ?? GroupChange(group: group, previousUnits: 0, units: 0, previousRows: 0, rows: 0)
            let units = Int64(row[2].int ?? 0)
            let rows = Int64(row[3].int ?? 0)
            if row[0].int.map(Int64.init) == change.loadId {
                entry.units += units
                entry.rows += rows
            } else {
                entry.previousUnits += units
                entry.previousRows += rows
            }
            groups[group] = entry
        }
        var changed = groups.values.filter { $0.units != $0.previousUnits || $0.rows != $0.previousRows }
        changed.sort { a, b in
            let (x, y) = (a.deltaUnits.magnitude, b.deltaUnits.magnitude)
            if x != y { return x > y }
            return (a.group ?? "") < (b.group ?? "")
        }
        guard let top, changed.count > top + 1 else { return changed }
        var rest = GroupChange(group: nil, previousUnits: 0, units: 0, previousRows: 0, rows: 0, groups: 0)
        for g in changed[top...] {
            rest.previousUnits += g.previousUnits
            rest.units += g.units
            rest.previousRows += g.previousRows
            rest.rows += g.rows
            rest.groups += 1
        }
        return Array(changed[..<top]) + [rest]
    }

    // MARK: tables

    package static let columns = [
        "Scope", "BillingPeriod", "Metric", "Currency", "PreviousLoadId", "LoadId", "PreviousFinishedAt", "FinishedAt",
        "PreviousCost", "Cost", "Delta", "DeltaPercent", "PreviousRows", "Rows", "Closed",
    ]

    /// One row per change, as the view `partition_changes` has them.
    package static func table(_ changes: [PartitionChange]) -> ResultTable {
        ResultTable(
            columns: columns,
            rows: changes.map { c in
                [
                    .text(c.scope), .text(c.period), .text(c.metric), StoreValue(c.currency),
                    c.previousLoadId.map { .integer($0) } ?? .null, .integer(c.loadId),
                    StoreValue(c.previousFinishedAt),
                    StoreValue(c.finishedAt), c.previousUnits.map(money) ?? .null, money(c.units), money(c.deltaUnits),
                    c.deltaPercent.map { .real($0) } ?? .null, c.previousRows.map { .integer($0) } ?? .null,
                    .integer(c.rows), .integer(c.closed ? 1 : 0),
                ]
            })
    }

    package static let breakdownColumns = [
        "Scope", "BillingPeriod", "Metric", "Currency", "PreviousLoadId", "LoadId", "Closed", "PartitionDelta", "By",
        "Group", "PreviousCost", "Cost", "Delta", "DeltaPercent", "PreviousRows", "Rows",
    ]

    /// One row per changed group of each change; the `Delta`s of one change add up to its
    /// `PartitionDelta`. The remainder past `--top` is the group `(N other groups)`.
    package static func table(
        _ changes: [(PartitionChange, [GroupChange])], by breakdown: LoadHistory.Breakdown
    ) -> ResultTable {
        var rows: [[StoreValue]] = []
        for (c, groups) in changes {
            for g in groups {
                let name: StoreValue = g.groups > 1 ? .text("(\(g.groups) other groups)") : StoreValue(g.group)
                rows.append([
                    .text(c.scope), .text(c.period), .text(c.metric), StoreValue(c.currency),
                    c.previousLoadId.map { .integer($0) } ?? .null, .integer(c.loadId), .integer(c.closed ? 1 : 0),
                    money(c.deltaUnits), .text(breakdown.rawValue), name, money(g.previousUnits), money(g.units),
                    money(g.deltaUnits),
                    g.previousUnits != 0 ? .real(100 * Double(g.deltaUnits) / Double(abs(g.previousUnits))) : .null,
                    .integer(g.previousRows), .integer(g.rows),
                ])
            }
        }
        return ResultTable(columns: breakdownColumns, rows: rows)
    }

    static func money(_ units: Int64) -> StoreValue { .real(Double(units) / CostUnits.perUnit) }
}
