import CostwhLoad
import CostwhModel
import CostwhQuery

/// `costwh query`: runs a canned query with the operator's filters, bound as parameters.
public struct QueryOptions {
    public var databasePath: String
    public var name: String
    public var scope: String?
    public var period: String?
    public var from: String?
    public var to: String?

    public init(databasePath: String, name: String, scope: String? = nil, period: String? = nil, from: String? = nil, to: String? = nil) {
        self.databasePath = databasePath
        self.name = name
        self.scope = scope
        self.period = period
        self.from = from
        self.to = to
    }
}

public enum Query {
    public static func run(_ options: QueryOptions) throws(PipelineError) -> ResultTable {
        guard CannedQuery.named(options.name) != nil else {
            throw .usage(QueryError.unknownQuery(options.name, known: CannedQuery.all.map(\.name)).description)
        }
        if options.period != nil && (options.from != nil || options.to != nil) {
            throw .usage("give either --period or --from/--to, not both")
        }
        let scope = try options.scope.map { (text) throws(PipelineError) -> String in try Scope.parse(text).id }
        let from = try (options.period ?? options.from).map { (text) throws(PipelineError) -> String in try BillingPeriod.parse(text).description } ?? "0000-00"
        let to = try (options.period ?? options.to).map { (text) throws(PipelineError) -> String in try BillingPeriod.parse(text).description } ?? "9999-99"
        do {
            let database = try CostDatabase(path: options.databasePath)
            return try QueryRunner(database: database).run(options.name, parameters: ["scope": scope, "from": from, "to": to])
        } catch let error as LoadError {
            throw .load(error)
        } catch let error as QueryError {
            throw .query(error)
        } catch {
            throw .load(.database(reason: String(describing: error)))
        }
    }
}
