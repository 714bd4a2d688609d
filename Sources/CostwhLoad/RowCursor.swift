/// One row of a query, read in place: what a reader of millions of rows (the lake export)
/// takes instead of a `ResultTable` page, so that no value is copied that is not used and
/// text is handed over as the engine's bytes.
package protocol RowCursor {
    var columnCount: Int { get }
    /// The value of column `i` as the store holds it; text and blobs are not copied until
    /// `withBytes` is asked.
    func kind(_ i: Int) -> RowCursorKind
    func int64(_ i: Int) -> Int64
    func double(_ i: Int) -> Double
    /// The UTF-8 bytes of a text value (or a blob), valid only inside `body`.
    func withBytes<T>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T
    /// The value of column `i` if it is a number or NULL, in one call: what the export reads
    /// for most cells (a `kind` and a `double` call were two calls into SQLite per cell).
    func number(_ i: Int) -> NumberCell
    /// The kind of column `i` and, for text or a blob, its bytes (empty otherwise), valid only
    /// inside `body`, in one call: a `kind` and a `withBytes` call were four calls into SQLite
    /// per text cell.
    func withCell<T>(_ i: Int, _ body: (RowCursorKind, UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T
}

package enum RowCursorKind: Sendable {
    case null, integer, real, text, blob
}

/// A cell as `RowCursor.number` reads it; `other` is text or a blob, read with `withBytes`.
package enum NumberCell: Sendable {
    case null, integer(Int64), real(Double), other
}

extension RowCursor {
    package func withCell<T>(_ i: Int, _ body: (RowCursorKind, UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        let held = kind(i)
        switch held {
        case .text, .blob: return try withBytes(i) { try body(held, $0) }
        default: return try body(held, UnsafeBufferPointer(start: nil, count: 0))
        }
    }

    package func number(_ i: Int) -> NumberCell {
        switch kind(i) {
        case .null: return .null
        case .integer: return .integer(int64(i))
        case .real: return .real(double(i))
        case .text, .blob: return .other
        }
    }
}

/// A cursor over rows already read as `StoreValue`s: the stores that have no faster way.
struct ValueRowCursor: RowCursor {
    var row: [StoreValue] = []

    var columnCount: Int { row.count }

    func kind(_ i: Int) -> RowCursorKind {
        switch row[i] {
        case .null: return .null
        case .integer: return .integer
        case .real: return .real
        case .text: return .text
        case .blob: return .blob
        }
    }

    func int64(_ i: Int) -> Int64 {
        switch row[i] {
        case .integer(let v): return v
        case .real(let v): return Int64(exactly: v.rounded(.towardZero)) ?? 0
        default: return 0
        }
    }

    func double(_ i: Int) -> Double {
        switch row[i] {
        case .integer(let v): return Double(v)
        case .real(let v): return v
        default: return 0
        }
    }

    func withBytes<T>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        switch row[i] {
        case .text(let s):
            var s = s
            return try s.withUTF8(body)
        case .blob(let b): return try b.withUnsafeBufferPointer(body)
        case .integer(let v):
            var s = String(v)
            return try s.withUTF8(body)
        case .real(let v):
            var s = String(v)
            return try s.withUTF8(body)
        case .null: return try body(UnsafeBufferPointer(start: nil, count: 0))
        }
    }
}

extension StoreReader {
    /// Streams the rows through `forEachPage`, a cursor at a time.
    package func forEachRowByPages(
        _ sql: String, _ parameters: [String: StoreValue], _ body: (any RowCursor) throws -> Void
    ) throws -> [String] {
        var columns: [String] = []
        var cursor = ValueRowCursor()
        try forEachPage(sql, parameters, pageSize: 2048) { page in
            if columns.isEmpty { columns = page.columns }
            for row in page.rows {
                cursor.row = row
                try body(cursor)
            }
        }
        return columns
    }
}
