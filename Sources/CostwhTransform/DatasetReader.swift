import CostwhBytes
import CostwhParquet
import CostwhModel
import Foundation

/// A value of a dataset row, typed as its column wants it.
package enum DatasetValue: Sendable, Equatable {
    case null
    case text(String)
    case real(Double)
}

/// One row of a dataset file, its columns in `DatasetSchema.columns` order.
package struct DatasetRecord: Sendable {
    package let part: Int
    /// The CSV line the record starts on, or the record's number in a JSON answer.
    package let line: Int
    package let values: [DatasetValue]
}

/// A row that could not be stored, with its text and why.
package struct DatasetRejection: Sendable {
    package let part: Int
    package let line: Int
    package let raw: String
    package let reason: String
}

/// Reads a dataset's file: the CSV a download gives (any encoding and delimiter the cost
/// reader accepts) or the JSON an API answers (a page with `value`, a price sheet's
/// `properties.pricesheets`, one resource, or an array). Columns are matched by name in any
/// spelling the schema lists; a file with none of them is refused.
package enum DatasetReader {
    package static let maxJSONBytes = 512 << 20

    @discardableResult
    package static func read(
        _ source: ByteSource, part: Int, schema: DatasetSchema, row: (DatasetRecord) throws -> Void,
        reject: (DatasetRejection) -> Void
    ) throws -> Int {
        if let path = source.randomAccessPath {
            // Parquet: its bytes through `source` for the content hash, its rows as CSV text.
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
            defer { buffer.deallocate() }
            do {
                while try source.read(into: buffer) > 0 {}
                return try readCSV(
                    try ParquetCSVSource(path: path, name: source.name), part: part, schema: schema, row: row,
                    reject: reject)
            } catch let error as ParquetError {
                throw TransformError.source(.readFailed(name: source.name, reason: error.reasonWithoutFile))
            } catch let error as BytesError {
                throw TransformError.source(error)
            }
        }
        let prefix: [UInt8]
        do { prefix = try ReplayByteSource.readPrefix(of: source, limit: 4096) } catch {
            throw TransformError.source(error)
        }
        let stream = ReplayByteSource(prefix: prefix, then: source)
        var first = prefix.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if first.starts(with: [0xEF, 0xBB, 0xBF]) { first = first.dropFirst(3) }
        if prefix.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            throw TransformError.malformedJSON(
                file: source.name,
                reason: "the file is a ZIP archive; unzip it and load the CSV inside (costwh reads CSV, gzip and JSON)")
        }
        guard let lead = first.first else { throw TransformError.emptyFile(file: source.name) }
        if lead == UInt8(ascii: "{") || lead == UInt8(ascii: "[") {
            return try readJSON(stream, part: part, schema: schema, row: row, reject: reject)
        }
        return try readCSV(stream, part: part, schema: schema, row: row, reject: reject)
    }

    // MARK: CSV

    static func readCSV(
        _ source: ByteSource, part: Int, schema: DatasetSchema, row: (DatasetRecord) throws -> Void,
        reject: (DatasetRejection) -> Void
    ) throws -> Int {
        let (dialect, stream) = try DialectDetector.open(source)
        let csv = CSVReader(source: stream, delimiter: dialect.delimiter)
        guard try csv.next() else { throw TransformError.emptyFile(file: source.name) }
        var header: [String] = []
        for i in 0..<csv.fieldCount {
            var name = csv.string(of: i)
            if i == 0, name.hasPrefix("\u{FEFF}") { name.removeFirst() }
            header.append(name)
        }
        let mapping = header.map { schema.index(of: $0) }
        guard mapping.contains(where: { $0 != nil }) else {
            throw TransformError.unrecognisedDataset(
                file: source.name, dataset: schema.dataset.rawValue, found: header,
                expected: schema.columns.map(\.name))
        }
        var rows = 0
        while try csv.next() {
            if csv.fieldCount == 1 && csv.bytes(of: 0).isEmpty { continue }
            var fields: [String?] = Array(repeating: nil, count: schema.columns.count)
            for i in 0..<min(csv.fieldCount, mapping.count) {
                guard let column = mapping[i] else { continue }
                let text = csv.string(of: i)
                if !text.isEmpty { fields[column] = text }
            }
            switch convert(fields, schema: schema, dayFirst: dialect.dateOrder == .dayFirst) {
            case .success(let values):
                try row(DatasetRecord(part: part, line: csv.lineNumber, values: values))
                rows += 1
            case .failure(let reason):
                reject(DatasetRejection(part: part, line: csv.lineNumber, raw: csv.recordText(), reason: reason.text))
            }
        }
        return rows
    }

    // MARK: JSON

    static func readJSON(
        _ source: ByteSource, part: Int, schema: DatasetSchema, row: (DatasetRecord) throws -> Void,
        reject: (DatasetRejection) -> Void
    ) throws -> Int {
        let bytes: [UInt8]
        do { bytes = try ReplayByteSource.readPrefix(of: source, limit: maxJSONBytes + 1) } catch {
            throw TransformError.source(error)
        }
        guard bytes.count <= maxJSONBytes else {
            throw TransformError.malformedJSON(
                file: source.name, reason: "a JSON answer of more than \(maxJSONBytes >> 20) MiB; expected an API page")
        }
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) } catch {
            throw TransformError.malformedJSON(
                file: source.name, reason: "not valid JSON: \(error.localizedDescription)")
        }
        let records = DatasetReader.records(in: parsed, schema: schema)
        let keys = Set(records.flatMap { $0.keys.map(DatasetSchema.fold) })
        guard
            records.isEmpty || schema.columns.contains(where: { column in column.keys.contains { keys.contains($0) } })
        else {
            throw TransformError.unrecognisedDataset(
                file: source.name, dataset: schema.dataset.rawValue, found: keys.sorted(),
                expected: schema.columns.map(\.name))
        }
        var rows = 0
        for (n, record) in records.enumerated() {
            var fields: [String?] = Array(repeating: nil, count: schema.columns.count)
            for (key, value) in record {
                guard let column = schema.index(of: key) else { continue }
                fields[column] = text(value, json: schema.columns[column].kind == .json)
            }
            switch convert(fields, schema: schema, dayFirst: false) {
            case .success(let values):
                try row(DatasetRecord(part: part, line: n + 1, values: values))
                rows += 1
            case .failure(let reason):
                let raw =
                    (try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])).map {
                        String(decoding: $0.prefix(65_536), as: UTF8.self)
                    } ?? ""
                reject(DatasetRejection(part: part, line: n + 1, raw: raw, reason: reason.text))
            }
        }
        return rows
    }

    /// The records of an answer, each a flat object: a record's `properties` merged with its
    /// own keys (`name`, `tags`).
    static func records(in parsed: Any, schema: DatasetSchema) -> [[String: Any]] {
        func flat(_ item: Any) -> [String: Any]? {
            guard var object = item as? [String: Any] else { return nil }
            if let properties = object.removeValue(forKey: "properties") as? [String: Any] {
                object.merge(properties) { _, inner in inner }
            }
            return object
        }
        if let array = parsed as? [Any] { return array.compactMap(flat) }
        guard let object = parsed as? [String: Any] else { return [] }
        if let value = object["value"] as? [Any] { return value.compactMap(flat) }
        for path in schema.jsonArrays {
            var node: Any? = object
            for step in path.split(separator: ".") { node = (node as? [String: Any])?[String(step)] }
            if let array = node as? [Any] { return array.compactMap(flat) }
        }
        return flat(object).map { [$0] } ?? []
    }

    static func text(_ value: Any, json: Bool) -> String? {
        switch value {
        case is NSNull: return nil
        case let string as String: return string.isEmpty ? nil : string
        case let number as NSNumber:
            // JSON true and false arrive as NSNumbers of type `c` (char).
            if String(cString: number.objCType) == "c" { return number.boolValue ? "true" : "false" }
            return number.description
        default:
            guard JSONSerialization.isValidJSONObject(value),
                let data = try? JSONSerialization.data(
                    withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
            else { return String(describing: value) }
            return String(decoding: data, as: UTF8.self)
        }
    }

    // MARK: values

    struct Reason: Error {
        let text: String
    }

    static func convert(_ fields: [String?], schema: DatasetSchema, dayFirst: Bool) -> Result<[DatasetValue], Reason> {
        var values: [DatasetValue] = []
        values.reserveCapacity(fields.count)
        for (i, column) in schema.columns.enumerated() {
            guard var text = fields[i] else {
                values.append(.null)
                continue
            }
            text = text.trimmingCharacters(in: .whitespaces)
            switch column.kind {
            case .text, .json:
                values.append(text.isEmpty ? .null : .text(text))
            case .real:
                let number = Array(text.utf8).withUnsafeBufferPointer {
                    ValueParsers.parseDouble($0.baseAddress!, $0.count)
                }
                guard let number else {
                    return .failure(Reason(text: "\(column.name): expected a number, found `\(text.prefix(64))`"))
                }
                values.append(.real(number))
            case .date:
                let date = Array(text.utf8).withUnsafeBufferPointer {
                    ValueParsers.parseDate($0.baseAddress!, $0.count, dayFirst: dayFirst)
                }
                guard let date else {
                    return .failure(Reason(text: "\(column.name): expected a date, found `\(text.prefix(64))`"))
                }
                values.append(
                    .text(CalendarDate(year: date.year, month: date.month, day: date.day)?.description ?? text))
            }
        }
        for name in schema.required {
            guard let i = schema.columns.firstIndex(where: { $0.name == name }) else { continue }
            if values[i] == .null {
                return .failure(Reason(text: "\(name): missing; every \(schema.dataset.rawValue) row has one"))
            }
        }
        if let unit = schema.columns.firstIndex(where: { $0.name == "UnitOfMeasure" }),
            let multiplier = schema.columns.firstIndex(where: { $0.name == "UnitMultiplier" }),
            values[multiplier] == .null
        {
            if case .text(let u) = values[unit] {
                values[multiplier] = .real(DatasetSchema.unitMultiplier(u))
            } else {
                values[multiplier] = .real(1)
            }
        }
        return .success(values)
    }
}
