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

    package static var groupings: [String] { CannedRequest.groupings }
}

package enum Query {
    package static func run(_ options: QueryOptions) throws(PipelineError) -> ResultTable {
        let request = CannedRequest(
            name: options.name, scope: options.scope, periods: options.periods, by: options.by, tag: options.tag,
            top: options.top)
        do { try request.validate() } catch { throw .usage(error.description) }
        let store = try DatabaseLocation.openForReading(options.databasePath)
        do {
            return try request.run(on: store)
        } catch {
            throw .query(error)
        }
    }
}
