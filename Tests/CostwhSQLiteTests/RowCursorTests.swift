import CostwhLoad
import CostwhSQLite
import CostwhTestSupport
import Foundation
import Testing

/// The SQLite cursor's one-call reads (`number`, `withCell`) give what its separate calls
/// (`kind`, `int64`, `double`, `withBytes`) give, for every kind of value SQLite holds.
@Suite struct RowCursorTests {
    @Test func oneCallReadsAgreeWithTheSeparateCalls() throws {
        let dir = TempDir()
        let db = try CostDatabase(path: dir.path("c.sqlite"))
        let sql = "SELECT 'EUR', x'00ff41', 42, -1.5, NULL, 'a' || char(0) || 'b', '', 'déjà'"
        var seen = 0
        try db.reading { reader in
            _ = try reader.forEachRow(sql, [:]) { cursor in
                seen += 1
                var kinds: [RowCursorKind] = []
                for i in 0..<cursor.columnCount {
                    let kind = cursor.kind(i)
                    let bytes = cursor.withBytes(i) { Array($0) }
                    cursor.withCell(i) { held, text in
                        kinds.append(held)
                        #expect(held == kind, "column \(i)")
                        // Text and blobs carry their bytes, whole (an embedded NUL included);
                        // other kinds none.
                        #expect(Array(text) == (kind == .text || kind == .blob ? bytes : []), "column \(i)")
                    }
                    switch cursor.number(i) {
                    case .null: #expect(kind == .null)
                    case .integer(let v): #expect(kind == .integer && v == cursor.int64(i))
                    case .real(let v): #expect(kind == .real && v == cursor.double(i))
                    case .other: #expect(kind == .text || kind == .blob)
                    }
                }
                #expect(kinds == [.text, .blob, .integer, .real, .null, .text, .text, .text])
                cursor.withCell(1) { _, blob in #expect(Array(blob) == [0x00, 0xFF, 0x41]) }
                cursor.withCell(5) { _, text in #expect(Array(text) == [0x61, 0x00, 0x62]) }
                cursor.withCell(7) { _, text in #expect(String(decoding: text, as: UTF8.self) == "déjà") }
            }
        }
        #expect(seen == 1)
    }
}
