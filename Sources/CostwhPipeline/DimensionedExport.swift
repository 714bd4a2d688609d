import CostwhLoad
import CostwhModel
import CostwhParquet
import Foundation

/// A partition of `cost_details` exported as the warehouse stores it: the fact rows through
/// `cost_details_keys` (the fact columns and the six dimension keys), and each dimension row
/// the partition uses read once. Of a row's ~115 columns, ~85 are a dimension's; read through
/// `cost_details_wide` they cost the store a join and the writer a hash of their bytes per
/// cell. Here each distinct value is registered with the writer once and a row appends
/// handles (an array lookup per cell), which is what a dictionary page holds anyway.
///
/// The output is the same file `PartitionExport` writes through the wide view: the same
/// columns in the same order, with the same values (the export's tests compare every value
/// with `cost_details` on both stores). When the store's views do not map onto the output
/// (a column of `cost_details_wide` found neither in `cost_details_keys` nor in one
/// dimension table), `write` returns nil and the caller reads the wide view.
struct DimensionedExport {
    let filter: [(column: String, value: String)]
    let compression: ParquetCompression

    /// The dimension tables, with the key `cost_fact` holds for each.
    static let dimensions: [(table: String, key: String)] = [
        ("dim_account", "AccountKey"), ("dim_resource", "ResourceKey"), ("dim_product", "ProductKey"),
        ("dim_tags", "TagsKey"), ("dim_info", "InfoKey"), ("dim_extra", "ExtraKey"),
    ]

    /// A dimension value that is not text (the account's dates), converted once per dimension row.
    enum Cell {
        case null, days(Int32), number(Double), whole(Int64), micros(Int64)
    }

    /// One dimension's rows that the partition uses, converted for the writer.
    struct Rows {
        /// The writer's columns this dimension fills: text (registered), then the others.
        var textColumns: [Int32] = []
        var textFields: [Int] = []
        var otherColumns: [Int] = []
        var otherFields: [Int] = []
        var otherKinds: [ParquetColumnSpec.Kind] = []
        /// The dimension row of each key.
        var rowOf: [Int64: Int] = [:]
        /// Row-major: a row's text handles, then its other cells.
        var handles: [Int32] = []
        var cells: [Cell] = []
        /// The handles of a row that is not there (NULL key, or a key without a row): NULLs.
        var missing: [Int32] = []
    }

    func write(_ store: any StoreReading, to path: String, metadata: [(String, String)]) throws(PipelineError)
        -> PartitionExport.Written?
    {
        var written: PartitionExport.Written?
        let describe = filter.map { "\($0.column) \($0.value)" }.joined(separator: ", ")
        do {
            try store.reading { reader in
                let whereClause = filter.map { "\($0.column) = :\($0.column.lowercased())" }.joined(separator: " AND ")
                var parameters: [String: StoreValue] = [:]
                for (column, value) in filter { parameters[column.lowercased()] = .text(value) }

                let names = try reader.read("SELECT * FROM cost_details_wide WHERE 1 = 0", [:]).columns
                let factNames = try reader.read("SELECT * FROM cost_details_keys WHERE 1 = 0", [:]).columns
                let dimensionNames = try Self.dimensions.map { d in
                    try reader.read("SELECT * FROM \(d.table) WHERE 1 = 0", [:]).columns
                }
                let factIndex = Self.positions(factNames)
                let keyFields = Self.dimensions.map { factIndex[$0.key.lowercased()] }
                guard keyFields.allSatisfy({ $0 != nil }) else { return }

                // Where each output column comes from: the fact view, or one dimension table.
                let specs = names.map { ParquetColumnSpec($0, PartitionExport.kind(of: $0, in: LakeLayout.costDetails)) }
                var factColumns: [(column: Int, field: Int)] = []
                var rows = Array(repeating: Rows(), count: Self.dimensions.count)
                var selected = Array(repeating: [String](), count: Self.dimensions.count)
                let dimensionIndex = dimensionNames.map(Self.positions)
                for (column, name) in names.enumerated() {
                    let key = name.lowercased()
                    if let field = factIndex[key], !Self.dimensions.contains(where: { $0.key.lowercased() == key }) {
                        factColumns.append((column, field))
                        continue
                    }
                    guard
                        let d = dimensionIndex.indices.first(where: {
                            dimensionIndex[$0][key] != nil && Self.dimensions[$0].key.lowercased() != key
                        })
                    else { return }  // not mapped: the caller reads the wide view
                    let field = selected[d].count + 1  // 0 is the key
                    selected[d].append(dimensionNames[d][dimensionIndex[d][key]!])
                    if specs[column].kind == .string {
                        rows[d].textColumns.append(Int32(column))
                        rows[d].textFields.append(field)
                    } else {
                        rows[d].otherColumns.append(column)
                        rows[d].otherFields.append(field)
                        rows[d].otherKinds.append(specs[column].kind)
                    }
                }
                for d in rows.indices { rows[d].missing = Array(repeating: -1, count: rows[d].textColumns.count) }

                // The keys the partition uses, in one read of its fact rows.
                var keys = Array(repeating: Set<Int64>(), count: Self.dimensions.count)
                var last = Array(repeating: Int64.min, count: Self.dimensions.count)
                let keyList = Self.dimensions.map(\.key).joined(separator: ", ")
                _ = try reader.forEachRow("SELECT \(keyList) FROM cost_details_keys WHERE \(whereClause)", parameters) {
                    cursor in
                    for d in 0..<Self.dimensions.count where cursor.kind(d) != .null {
                        let key = cursor.int64(d)
                        if key != last[d] {
                            keys[d].insert(key)
                            last[d] = key
                        }
                    }
                }

                let writer = try ParquetFileWriter(path: path, columns: specs, compression: compression, metadata: metadata)

                // Each dimension row used, once: its text registered, its other values converted.
                for (d, dimension) in Self.dimensions.enumerated() where !selected[d].isEmpty && !keys[d].isEmpty {
                    let wanted = keys[d]
                    let list = ([dimension.key] + selected[d]).joined(separator: ", ")
                    var row = rows[d]
                    _ = try reader.forEachRow(
                        "SELECT \(list) FROM \(dimension.table) WHERE \(dimension.key) BETWEEN :low AND :high",
                        ["low": .integer(wanted.min()!), "high": .integer(wanted.max()!)]
                    ) { cursor in
                        let key = cursor.int64(0)
                        guard wanted.contains(key), row.rowOf[key] == nil else { return }
                        row.rowOf[key] = row.rowOf.count
                        for (k, field) in row.textFields.enumerated() {
                            row.handles.append(Self.register(cursor, field, column: Int(row.textColumns[k]), writer))
                        }
                        for (k, field) in row.otherFields.enumerated() {
                            do throws(ValueConverter.Problem) {
                                row.cells.append(try Self.cell(cursor, field, as: row.otherKinds[k]))
                            } catch {
                                throw PipelineError.export(
                                    "\(LakeLayout.costDetails) \(describe), \(dimension.table) key \(key), column \(names[row.otherColumns[k]]): \(error.message)"
                                )
                            }
                        }
                    }
                    rows[d] = row
                }

                // The fact rows, each with its dimension rows' handles.
                let money = factIndex[Catalog.cost.lowercased()]
                let currency = factIndex[Catalog.currency.lowercased()]
                var cost: [String: Double] = [:]
                var converters = factColumns.map { ValueConverter(kind: specs[$0.column].kind) }
                let factCount = factColumns.count
                let keyPositions = keyFields.map { $0! }
                var count = 0
                _ = try reader.forEachRow("SELECT * FROM cost_details_keys WHERE \(whereClause)", parameters) { cursor in
                    try converters.withUnsafeMutableBufferPointer { converters in
                        for k in 0..<factCount {
                            let (column, field) = factColumns[k]
                            do throws(ValueConverter.Problem) {
                                try converters[k].append(cursor, field, to: writer, at: column)
                            } catch {
                                throw PipelineError.export(
                                    "\(LakeLayout.costDetails) \(describe), row \(count + 1), column \(names[column]): \(error.message)"
                                )
                            }
                        }
                    }
                    for d in 0..<rows.count {
                        let key = cursor.kind(keyPositions[d]) == .null ? nil : cursor.int64(keyPositions[d])
                        rows[d].append(key, to: writer)
                    }
                    if let money, cursor.kind(money) == .real || cursor.kind(money) == .integer {
                        let key = currency.map { c in cursor.withBytes(c) { String(decoding: $0, as: UTF8.self) } } ?? ""
                        cost[key, default: 0] += cursor.double(money)
                    }
                    try writer.endRow()
                    count += 1
                }
                let bytes = try writer.finish()
                written = PartitionExport.Written(rows: count, bytes: bytes, cost: cost)
            }
        } catch let error as PipelineError {
            throw error
        } catch let error as ParquetError {
            throw .export("cannot write \(path): \(error)")
        } catch {
            throw .export("cannot export \(LakeLayout.costDetails) \(describe): \(error)")
        }
        return written
    }

    /// Column name (lower-cased: PostgreSQL folds names) → position.
    static func positions(_ names: [String]) -> [String: Int] {
        var out: [String: Int] = [:]
        for (i, name) in names.enumerated() where out[name.lowercased()] == nil { out[name.lowercased()] = i }
        return out
    }

    /// A text value registered with the writer, as `ValueConverter` writes text; -1 for NULL.
    static func register(_ cursor: any RowCursor, _ i: Int, column: Int, _ writer: ParquetFileWriter) -> Int32 {
        switch cursor.kind(i) {
        case .null: return -1
        case .integer:
            var text = String(cursor.int64(i))
            return text.withUTF8 { writer.register(column, utf8: $0) }
        case .real:
            var text = String(cursor.double(i))
            return text.withUTF8 { writer.register(column, utf8: $0) }
        case .text, .blob:
            return cursor.withBytes(i) { writer.register(column, utf8: $0) }
        }
    }

    /// A value that is not text, converted as `ValueConverter` converts it.
    static func cell(_ cursor: any RowCursor, _ i: Int, as kind: ParquetColumnSpec.Kind) throws(ValueConverter.Problem) -> Cell {
        if cursor.kind(i) == .null { return .null }
        let text = { cursor.withBytes(i) { String(decoding: $0, as: UTF8.self) } }
        switch kind {
        case .string:
            preconditionFailure("text is registered")
        case .double:
            switch cursor.kind(i) {
            case .real, .integer: return .number(cursor.double(i))
            default:
                guard let v = Double(text()) else { throw ValueConverter.Problem(message: "`\(text().prefix(40))` is not a number") }
                return .number(v)
            }
        case .int64:
            if cursor.kind(i) == .integer { return .whole(cursor.int64(i)) }
            guard let v = Int64(text()) else { throw ValueConverter.Problem(message: "`\(text().prefix(40))` is not a whole number") }
            return .whole(v)
        case .date:
            guard cursor.kind(i) == .text, let days = ValueConverter.days(text()) else {
                throw ValueConverter.Problem(message: "`\(text().prefix(40))` is not a date YYYY-MM-DD")
            }
            return .days(days)
        case .timestamp:
            guard cursor.kind(i) == .text, let micros = ValueConverter.micros(text()) else {
                throw ValueConverter.Problem(message: "`\(text().prefix(40))` is not a date or an ISO 8601 date-time")
            }
            return .micros(micros)
        }
    }
}

extension DimensionedExport.Rows {
    /// Appends the dimension row of `key` (NULLs when there is none) to the writer's columns.
    func append(_ key: Int64?, to writer: ParquetFileWriter) {
        let row = key.flatMap { rowOf[$0] }
        let width = textColumns.count
        textColumns.withUnsafeBufferPointer { columns in
            if let row {
                handles.withUnsafeBufferPointer { all in
                    writer.append(columns: columns, registered: UnsafeBufferPointer(rebasing: all[row * width..<(row + 1) * width]))
                }
            } else {
                missing.withUnsafeBufferPointer { writer.append(columns: columns, registered: $0) }
            }
        }
        for (k, column) in otherColumns.enumerated() {
            switch row.map({ cells[$0 * otherColumns.count + k] }) ?? .null {
            case .null: writer.appendNull(column)
            case .days(let v): writer.append(column, days: v)
            case .number(let v): writer.append(column, double: v)
            case .whole(let v), .micros(let v): writer.append(column, int64: v)
            }
        }
    }
}
