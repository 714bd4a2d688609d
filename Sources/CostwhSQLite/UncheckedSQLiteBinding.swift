import CostwhLoad
import GRDB
import GRDBSQLite

// The hot insert path binds values with raw sqlite3 calls on GRDB's prepared statement:
// GRDB's checked binding allocates per value, and a load binds tens of millions of them.
// Nothing outside this file and UncheckedSQLiteSandbox.swift calls sqlite3_bind_* or sqlite3_step
// directly.

/// SQLITE_TRANSIENT would copy every value; the bound bytes live until `step` returns,
/// so SQLITE_STATIC is safe here.
private let sqliteStatic: sqlite3_destructor_type? = nil
/// SQLITE_TRANSIENT (-1): SQLite copies the value before the bind returns.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

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

    /// A Swift string, copied by SQLite (its bytes do not outlive this call).
    @inline(__always)
    func bind(_ index: Int32, string value: String?) {
        guard var value else {
            sqlite3_bind_null(handle, index)
            return
        }
        _ = value.withUTF8 { bytes in
            sqlite3_bind_text(
                handle, index, UnsafeRawPointer(bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!)
                    .assumingMemoryBound(to: CChar.self), Int32(bytes.count), sqliteTransient)
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

    /// A `StoreValue` (text and blobs copied by SQLite).
    func bind(_ index: Int32, _ value: StoreValue) {
        switch value {
        case .null: sqlite3_bind_null(handle, index)
        case .integer(let v): sqlite3_bind_int64(handle, index, v)
        case .real(let v): sqlite3_bind_double(handle, index, v)
        case .text(let v): bind(index, string: v)
        case .blob(let v):
            _ = v.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, Int32($0.count), sqliteTransient) }
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

    /// The rowid of the row the statement's connection inserted last (GRDB's property checks
    /// its queue first: a call per row).
    @inline(__always)
    func lastInsertedRowID() -> Int64 { sqlite3_last_insert_rowid(sqlite3_db_handle(handle)) }

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

    /// Steps a query expected to return at most one row: its first column as text, nil for
    /// NULL or no row.
    @inline(__always)
    func queryText(_ db: Database) throws -> String? {
        defer { sqlite3_reset(handle) }
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW {
            // The pointer first, then its length, as SQLite's documentation orders the calls.
            guard let text = sqlite3_column_text(handle, 0) else { return nil }
            return String(decoding: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, 0))), as: UTF8.self)
        }
        guard code == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
        return nil
    }
}

extension SQLiteReader {
    /// Steps the statement with raw sqlite3 calls and hands each row over in place: a lake
    /// export reads a hundred columns of millions of rows, and GRDB's rows copy every value.
    /// Unchecked: the cursor's indices are the statement's columns, checked once per call.
    func forEachRow(_ sql: String, _ parameters: [String: StoreValue], _ body: (any CostwhLoad.RowCursor) throws -> Void) throws
        -> [String]
    {
        let statement = try prepared(sql, parameters)
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        let cursor = SQLiteRowCursor(handle: handle, columnCount: Int(sqlite3_column_count(handle)))
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                    sql: sql)
            }
            try body(cursor)
        }
        return statement.columnNames
    }
}

/// The current row of a stepped statement.
struct SQLiteRowCursor: CostwhLoad.RowCursor {
    let handle: OpaquePointer
    let columnCount: Int

    @inline(__always)
    func kind(_ i: Int) -> RowCursorKind {
        precondition(i >= 0 && i < columnCount)
        switch sqlite3_column_type(handle, Int32(i)) {
        case SQLITE_INTEGER: return .integer
        case SQLITE_FLOAT: return .real
        case SQLITE_TEXT: return .text
        case SQLITE_BLOB: return .blob
        default: return .null
        }
    }

    @inline(__always)
    func int64(_ i: Int) -> Int64 {
        precondition(i >= 0 && i < columnCount)
        return sqlite3_column_int64(handle, Int32(i))
    }

    @inline(__always)
    func double(_ i: Int) -> Double {
        precondition(i >= 0 && i < columnCount)
        return sqlite3_column_double(handle, Int32(i))
    }

    /// One call that takes the connection's mutex (`sqlite3_column_value`) instead of two
    /// (`sqlite3_column_type`, then `sqlite3_column_double`). The value it returns is
    /// "unprotected": reading it is safe only while no other thread uses the connection, which
    /// GRDB's serialized access guarantees.
    @inline(__always)
    func number(_ i: Int) -> NumberCell {
        precondition(i >= 0 && i < columnCount)
        let value = sqlite3_column_value(handle, Int32(i))
        switch sqlite3_value_type(value) {
        case SQLITE_FLOAT: return .real(sqlite3_value_double(value))
        case SQLITE_INTEGER: return .integer(sqlite3_value_int64(value))
        case SQLITE_NULL: return .null
        default: return .other
        }
    }

    /// One call that takes the connection's mutex, as `number`; the text's pointer, then its
    /// length, are read from the value it returns.
    @inline(__always)
    func withCell<T>(_ i: Int, _ body: (RowCursorKind, UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        precondition(i >= 0 && i < columnCount)
        let value = sqlite3_column_value(handle, Int32(i))
        switch sqlite3_value_type(value) {
        case SQLITE_TEXT:
            let base = sqlite3_value_text(value)
            let count = Int(sqlite3_value_bytes(value))
            return try body(.text, UnsafeBufferPointer(start: base, count: base == nil ? 0 : count))
        case SQLITE_BLOB:
            let base = sqlite3_value_blob(value)
            let count = Int(sqlite3_value_bytes(value))
            return try body(.blob, UnsafeBufferPointer(start: base?.assumingMemoryBound(to: UInt8.self), count: base == nil ? 0 : count))
        case SQLITE_INTEGER: return try body(.integer, UnsafeBufferPointer(start: nil, count: 0))
        case SQLITE_FLOAT: return try body(.real, UnsafeBufferPointer(start: nil, count: 0))
        default: return try body(.null, UnsafeBufferPointer(start: nil, count: 0))
        }
    }

    func withBytes<T>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        precondition(i >= 0 && i < columnCount)
        // The pointer first, then its length, as SQLite's documentation orders the calls.
        if sqlite3_column_type(handle, Int32(i)) == SQLITE_BLOB {
            let base = sqlite3_column_blob(handle, Int32(i))
            let count = Int(sqlite3_column_bytes(handle, Int32(i)))
            return try body(UnsafeBufferPointer(start: base?.assumingMemoryBound(to: UInt8.self), count: base == nil ? 0 : count))
        }
        let base = sqlite3_column_text(handle, Int32(i))
        let count = Int(sqlite3_column_bytes(handle, Int32(i)))
        return try body(UnsafeBufferPointer(start: base, count: base == nil ? 0 : count))
    }
}
