import CostwhModel
import Foundation

/// The read side of a warehouse: what `query`, `verify`, `report`, `runs`, `changes` and the
/// MCP server take, after GRDB's `DatabaseReader`.
///
/// Opened for reading (`CostDatabase(readingAt:)`, `PostgresStore(readingAt:)`), a store never
/// creates a file, never migrates, and the engine itself refuses writes: SQLite opens the
/// file read-only, PostgreSQL runs every transaction READ ONLY. So a SELECT-only role or a
/// read replica serves every read command. `CostStore`, the write side, refines it.
package protocol StoreReading: AnyObject, Sendable {
    /// Where the store is, for messages: a path, or a URL without its password.
    var location: String { get }

    /// Runs `body` on one consistent snapshot of the store: every read it makes sees the same
    /// committed partitions, even while a load writes. SQL is in the store's dialect, with
    /// named parameters (`:scope`).
    func reading<T>(_ body: (any StoreReader) throws -> T) throws -> T
}

/// Why a warehouse cannot be opened for reading.
package enum ReadOpenProblem: Sendable, Equatable {
    /// Nothing is there: no file, or no costwh schema in the database.
    case missing
    /// The warehouse was written by an older costwh and needs its migrations.
    case behind(pending: [String])
}
