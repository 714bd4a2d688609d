import CostwhLoad
import CostwhModel
import CostwhQuery

/// `costwh query`: runs a canned query with the operator's filters, bound as parameters.
package struct QueryOptions {
    package var databasePath: String
    package var name: String
    package var scope: Scope?
    package var periods: PeriodRange
    package var by: String?
    package var tag: String?
    package var top: Int

    package init(
        databasePath: String, name: String, scope: Scope? = nil, periods: PeriodRange = .all,
        by: String? = nil, tag: String? = nil, top: Int = 20
    ) {
        self.databasePath = databasePath
        self.name = name
        self.scope = scope
        self.periods = periods
        self.by = by
        self.tag = tag
        self.top = top
    }

    package static let groupings = [
        "subscription", "resource-group", "meter-category", "service-family", "resource", "tag",
    ]
}

package enum Query {
    package static func run(_ options: QueryOptions) throws(PipelineError) -> ResultTable {
        guard CannedQuery.named(options.name) != nil else {
            throw .usage(QueryError.unknownQuery(options.name, known: CannedQuery.all.map(\.name)).description)
        }
        let scope = options.scope?.id
        let (from, to) = (options.periods.lowerBound, options.periods.upperBound)
        if options.name == "by" || (options.name == "savings" && options.by != nil) {
            guard let by = options.by else {
                throw .usage("the `by` query needs a grouping: \(QueryOptions.groupings.joined(separator: ", "))")
            }
            guard QueryOptions.groupings.contains(by) else {
                throw .usage("the grouping `\(by)` is not one of \(QueryOptions.groupings.joined(separator: ", "))")
            }
            if by == "tag" {
                guard let tag = options.tag, !tag.isEmpty else { throw .usage("grouping by tag needs a tag key") }
                // The key ends up inside a JSON path; a quote or backslash would end it early.
                guard !tag.contains("\""), !tag.contains("\\"), tag.count <= 256 else {
                    throw .usage("the tag key `\(tag)` may not contain quotes or backslashes")
                }
            }
        }
        guard options.top > 0 && options.top <= 100_000 else {
            throw .usage("the number of top rows must be between 1 and 100000")
        }
        let store = try DatabaseLocation.openForReading(options.databasePath)
        do {
            let table = try QueryRunner(store: store).run(
                options.name,
                parameters: [
                    "scope": StoreValue(scope), "from": .text(from), "to": .text(to), "by": StoreValue(options.by),
                    "tag": StoreValue(options.tag), "top": StoreValue(options.top),
                ])
            // Without a grouping, the savings have no Group column to show.
            if options.name == "savings" && options.by == nil, let group = table.columns.firstIndex(of: "Group") {
                return ResultTable(
                    columns: table.columns.enumerated().filter { $0.offset != group }.map(\.element),
                    rows: table.rows.map { row in row.enumerated().filter { $0.offset != group }.map(\.element) })
            }
            return table
        } catch {
            throw .query(error)
        }
    }
}
