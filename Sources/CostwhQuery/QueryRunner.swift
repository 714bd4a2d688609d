import CostwhLoad
import GRDB

/// Runs canned queries with bound parameters on a read connection, so they work while a
/// load holds the write lock.
public struct QueryRunner: Sendable {
    public let database: CostDatabase

    public init(database: CostDatabase) {
        self.database = database
    }

    public func run(
        _ name: String, parameters: [String: (any DatabaseValueConvertible)?]
    ) throws(QueryError) -> ResultTable {
        guard let query = CannedQuery.named(name) else {
            throw .unknownQuery(name, known: CannedQuery.all.map(\.name))
        }
        var arguments: [String: (any DatabaseValueConvertible)?] = [:]
        for parameter in query.parameters { arguments[parameter] = parameters[parameter] ?? nil }
        do {
            return try database.pool.read { db in
                let statement = try db.makeStatement(sql: query.sql)
                try statement.setArguments(StatementArguments(arguments))
                let cursor = try Row.fetchCursor(statement)
                var rows: [[DatabaseValue]] = []
                while let row = try cursor.next() {
                    rows.append(row.databaseValues.map { $0 })
                }
                return ResultTable(columns: statement.columnNames, rows: rows)
            }
        } catch {
            throw .database(String(describing: error))
        }
    }
}
