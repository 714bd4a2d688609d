import CostwhLoad
import CostwhQuery
import Foundation
import MCP

/// `describe_warehouse`'s answer: the overview as structured content, and a short summary a
/// model or a person can read.
enum WarehouseDescription {
    static func answer(_ overview: WarehouseOverview, names: [String: String]) -> CallTool.Result {
        let scopes = Dictionary(grouping: overview.partitions, by: \.scope)
        let scopeValues: [Value] = scopes.keys.sorted().map { scope in
            let parts = scopes[scope]!
            let periods = Array(Set(parts.map(\.billingPeriod))).sorted()
            return .object([
                "scope": .string(scope), "name": names[scope].map { .string($0) } ?? .null,
                "billingPeriods": .array(periods.map { .string($0) }),
                "metrics": .array(Array(Set(parts.map(\.metric))).sorted().map { .string($0) }),
                "currencies": .array(Array(Set(parts.flatMap(\.currencies))).sorted().map { .string($0) }),
                "rows": .int(Int(parts.reduce(0) { $0 + $1.rows })),
            ])
        }
        let partitions: [Value] = overview.partitions.map { p in
            .object([
                "scope": .string(p.scope), "billingPeriod": .string(p.billingPeriod), "metric": .string(p.metric),
                "rows": .int(Int(p.rows)), "costTotal": .double(p.costTotal),
                "currencies": .array(p.currencies.map { .string($0) }), "loadId": .int(Int(p.loadId)),
                "source": .string(p.source), "loadedAt": p.loadedAt.map { .string($0) } ?? .null,
                "ageHours": p.ageHours.map { .double($0) } ?? .null,
            ])
        }
        let datasets: [Value] = overview.datasets.map { d in
            .object([
                "dataset": .string(d.dataset), "scope": .string(d.scope), "billingPeriod": .string(d.billingPeriod),
                "rows": .int(Int(d.rows)), "loadedAt": d.loadedAt.map { .string($0) } ?? .null,
            ])
        }
        let failures: [Value] = overview.failures.map { f in
            .object([
                "scope": .string(f.scope), "billingPeriod": .string(f.billingPeriod), "metric": .string(f.metric),
                "error": .string(f.error), "at": f.at.map { .string($0) } ?? .null,
            ])
        }
        let restatements: [Value] = overview.restatements.map { c in
            .object([
                "scope": .string(c.scope), "billingPeriod": .string(c.period), "metric": .string(c.metric),
                "currency": c.currency.map { .string($0) } ?? .null,
                "previousCost": .double(Double(c.previousUnits ?? 0) / 1_000_000),
                "cost": .double(Double(c.units) / 1_000_000), "delta": .double(Double(c.deltaUnits) / 1_000_000),
                "at": c.finishedAt.map { .string($0) } ?? .null,
            ])
        }
        let structured: Value = .object([
            "scopes": .array(scopeValues), "partitions": .array(partitions), "datasets": .array(datasets),
            "failedSinceLastLoad": .array(failures), "restatementsOfClosedMonths": .array(restatements),
            "restatementDays": .int(WarehouseOverview.restatementDays),
        ])
        return ToolAnswer.text(summary(overview, scopes: scopes, names: names), structured: structured)
    }

    static func summary(
        _ overview: WarehouseOverview, scopes: [String: [WarehouseOverview.Partition]], names: [String: String]
    ) -> String {
        guard !overview.partitions.isEmpty || !overview.datasets.isEmpty else {
            return "The warehouse is empty: nothing has been loaded yet."
        }
        var lines = ["The warehouse holds \(scopes.count) scope(s):"]
        for scope in scopes.keys.sorted() {
            let parts = scopes[scope]!
            let periods = Set(parts.map(\.billingPeriod)).sorted()
            let newest = parts.compactMap(\.loadedAt).max() ?? "never"
            let label = names[scope].map { "\($0) (\(scope))" } ?? scope
            lines.append(
                "- \(label): \(periods.first ?? "")…\(periods.last ?? ""), \(periods.count) month(s), metrics \(Set(parts.map(\.metric)).sorted().joined(separator: ", ")), currencies \(Set(parts.flatMap(\.currencies)).sorted().joined(separator: ", ")), \(parts.reduce(0) { $0 + $1.rows }) rows, last loaded \(newest)"
            )
        }
        if !overview.datasets.isEmpty {
            let kinds = Set(overview.datasets.map(\.dataset)).sorted()
            lines.append("Other datasets: \(kinds.joined(separator: ", ")).")
        }
        if !overview.failures.isEmpty {
            lines.append(
                "\(overview.failures.count) load(s) failed after the data shown was loaded: those months may be stale.")
        }
        lines.append(
            overview.restatements.isEmpty
                ? "No closed month changed in the last \(WarehouseOverview.restatementDays) days."
                : "\(overview.restatements.count) closed month(s) changed in the last \(WarehouseOverview.restatementDays) days (list_changes shows them)."
        )
        lines.append("Per-month rows, totals and load ages are in the structured content.")
        return lines.joined(separator: "\n")
    }
}
