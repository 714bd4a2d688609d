import CostwhParquet
import Foundation

/// The emulator's CSV blobs as Parquet with Snappy, as Cost Management exports write them when
/// asked for Parquet: every column as UTF-8 text but the usage date (`Date`), a DATE, so the
/// values are the CSV's exactly.
enum ParquetBlobs {
    static func convert(_ csv: [UInt8]) -> [UInt8] {
        var rows = CSVLines.parse(csv)
        guard !rows.isEmpty else { return csv }
        let header = rows.removeFirst()
        let dateColumn = header.firstIndex { $0.lowercased() == "date" }
        let specs = header.enumerated().map { (i, name) in
            ParquetColumnSpec(name, i == dateColumn ? .date : .string)
        }
        let path = NSTemporaryDirectory() + "costwh-emulator-\(UUID().uuidString).parquet"
        defer { unlink(path) }
        do {
            let writer = try ParquetFileWriter(path: path, columns: specs, compression: .snappy)
            for row in rows {
                for i in header.indices {
                    let value = i < row.count ? row[i] : ""
                    if value.isEmpty {
                        writer.appendNull(i)
                    } else if i == dateColumn {
                        writer.append(i, days: days(value))
                    } else {
                        writer.append(i, string: value)
                    }
                }
                try writer.endRow()
            }
            _ = try writer.finish()
            return Array(FileManager.default.contents(atPath: path) ?? Data())
        } catch {
            fatalError("the emulator could not write Parquet: \(error)")
        }
    }

    /// Days since 1970-01-01 of `MM/dd/yyyy` or `yyyy-MM-dd`.
    static func days(_ text: String) -> Int32? {
        let parts = text.split(whereSeparator: { $0 == "/" || $0 == "-" }).compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        let (y, m, d) = text.contains("/") ? (parts[2], parts[0], parts[1]) : (parts[0], parts[1], parts[2])
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: DateComponents(year: y, month: m, day: d)) else { return nil }
        return Int32(date.timeIntervalSince1970 / 86_400)
    }
}

/// RFC 4180 CSV, as the emulator's own writers produce it (quoted fields, doubled quotes).
enum CSVLines {
    static func parse(_ bytes: [UInt8]) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while i < bytes.count {
            let b = bytes[i]
            if quoted {
                if b == 0x22 {
                    if i + 1 < bytes.count && bytes[i + 1] == 0x22 {
                        field.append(0x22)
                        i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(b)
                }
            } else if b == 0x22 {
                quoted = true
            } else if b == 0x2C {
                row.append(String(decoding: field, as: UTF8.self))
                field = []
            } else if b == 0x0A || b == 0x0D {
                if b == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
                row.append(String(decoding: field, as: UTF8.self))
                field = []
                rows.append(row)
                row = []
            } else {
                field.append(b)
            }
            i += 1
        }
        if !field.isEmpty || !row.isEmpty {
            row.append(String(decoding: field, as: UTF8.self))
            rows.append(row)
        }
        return rows
    }
}
