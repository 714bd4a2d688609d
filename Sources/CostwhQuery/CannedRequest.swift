import CostwhLoad
import CostwhModel

/// A canned query with the operator's filters, checked and bound as parameters: what
/// `costwh query` and the MCP server's `run_canned_query` both run.
package struct CannedRequest: Sendable {
    package var name: String
    package var scope: Scope?
    package var periods: PeriodRange
    package var by: String?
    package var tag: String?
    package var top: Int

    package init(
        name: String, scope: Scope? = nil, periods: PeriodRange = .all, by: String? = nil, tag: String? = nil,
        top: Int = 20
    ) {
        self.name = name
        self.scope = scope
        self.periods = periods
        self.by = by
        self.tag = tag
        self.top = top
    }

    /// What `by` accepts, for `by` and `savings`.
    package static let groupings = [
        "subscription", "resource-group", "meter-category", "service-family", "resource", "tag",
    ]

    /// Refuses what the SQL would misread, before anything is opened.
    package func validate() throws(QueryError) {
        guard CannedQuery.named(name) != nil else {
            throw .unknownQuery(name, known: CannedQuery.all.map(\.name))
        }
        if name == "by" || (name == "savings" && by != nil) {
            guard let by else {
                throw .invalidArgument(
                    "the `by` query needs a grouping: \(CannedRequest.groupings.joined(separator: ", "))")
            }
            guard CannedRequest.groupings.contains(by) else {
                throw .invalidArgument(
                    "the grouping `\(by)` is not one of \(CannedRequest.groupings.joined(separator: ", "))")
            }
            if by == "tag" {
                guard let tag, !tag.isEmpty else { throw .invalidArgument("grouping by tag needs a tag key") }
                // The key ends up inside a JSON path; a quote or backslash would end it early.
                guard !tag.contains("\""), !tag.contains("\\"), tag.count <= 256 else {
                    throw .invalidArgument("the tag key `\(tag)` may not contain quotes or backslashes")
                }
            }
        }
        guard top > 0 && top <= 100_000 else {
            throw .invalidArgument("the number of top rows must be between 1 and 100000")
        }
    }

    package func run(on store: any StoreReading) throws(QueryError) -> ResultTable {
        try validate()
        let table = try QueryRunner(store: store).run(
            name,
            parameters: [
                "scope": StoreValue(scope?.id), "from": .text(periods.lowerBound), "to": .text(periods.upperBound),
                "by": StoreValue(by), "tag": StoreValue(tag), "top": StoreValue(top),
            ])
        // Without a grouping, the savings have no Group column to show.
        if name == "savings" && by == nil, let group = table.columns.firstIndex(of: "Group") {
            return ResultTable(
                columns: table.columns.enumerated().filter { $0.offset != group }.map(\.element),
                rows: table.rows.map { row in row.enumerated().filter { $0.offset != group }.map(\.element) })
        }
        return table
    }
}
