import CostwhLoad

/// Runs canned queries with bound parameters on a read snapshot, so they work while a load
/// holds the write lock, on whichever store holds the warehouse.
package struct QueryRunner: Sendable {
    let store: any StoreReading

    package init(store: any StoreReading) {
        self.store = store
    }

    package func run(_ name: String, parameters: [String: StoreValue]) throws(QueryError) -> ResultTable {
        guard let query = CannedQuery.named(name) else {
            throw .unknownQuery(name, known: CannedQuery.all.map(\.name))
        }
        // Every parameter the query names is bound, NULL when not given.
        var arguments: [String: StoreValue] = [:]
        for parameter in query.parameters { arguments[parameter] = parameters[parameter] ?? .null }
        do {
            return try store.reading { reader in try reader.read(query.sql, arguments) }
        } catch {
            throw .database(String(describing: error))
        }
    }
}
