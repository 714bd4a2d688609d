import GRDB
import GRDBSQLite

// The hot insert path binds values with raw sqlite3 calls on GRDB's prepared statement:
// GRDB's checked binding allocates per value, and a load binds tens of millions of them.
// Nothing outside this file and UncheckedSQLiteSandbox.swift calls sqlite3_bind_* or sqlite3_step
// directly.

/// SQLITE_TRANSIENT would copy every value; the bound bytes live until `step` returns,
/// so SQLITE_STATIC is safe here.
private let sqliteStatic: sqlite3_destructor_type? = nil

/// A prepared statement driven through the raw C API. Unchecked: the caller binds the
/// right number of values and steps once per row.
struct UncheckedStatement {
    let statement: Statement
    var handle: OpaquePointer { statement.sqliteStatement }

    init(_ db: Database, sql: String) throws {
        statement = try db.makeStatement(sql: sql)
    }

    @inline(__always)
    func bind(_ index: Int32, text slice: UnsafePointer<UInt8>?, count: Int) {
        if let slice {
            sqlite3_bind_text(
                handle, index, UnsafeRawPointer(slice).assumingMemoryBound(to: CChar.self), Int32(count), sqliteStatic)
        } else {
            sqlite3_bind_null(handle, index)
        }
    }

    @inline(__always)
    func bind(_ index: Int32, double value: Double?) {
        if let value {
            sqlite3_bind_double(handle, index, value)
        } else {
            sqlite3_bind_null(handle, index)
        }
    }

    @inline(__always)
    func bind(_ index: Int32, int value: Int64?) {
        if let value {
            sqlite3_bind_int64(handle, index, value)
        } else {
            sqlite3_bind_null(handle, index)
        }
    }

    /// Steps a statement that returns no row, then resets it for the next one.
    @inline(__always)
    func execute(_ db: Database) throws {
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
    }

    /// Steps a query expected to return at most one integer.
    @inline(__always)
    func queryInt(_ db: Database) throws -> Int64? {
        defer { sqlite3_reset(handle) }
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW { return sqlite3_column_int64(handle, 0) }
        guard code == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
        return nil
    }
}
