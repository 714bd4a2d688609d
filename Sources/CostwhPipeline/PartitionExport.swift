import CostwhLoad
import CostwhModel
import CostwhParquet
import Foundation

/// Writes one partition of the warehouse (a view's rows for one key) as one Parquet file,
/// typed: dates as DATE, FOCUS date-times as TIMESTAMP, money and quantities as DOUBLE, ids
/// and line numbers as INT64, the rest (JSON included) as text. Rows stream from the store a
/// page at a time into the writer's bounded row groups.
struct PartitionExport {
    let view: String
    let filter: [(column: String, value: String)]
    let compression: ParquetCompression
    /// Read `cost_details` a dimension row at a time (`DimensionedExport`) where the store's
    /// views allow it; off, every row is read whole through `cost_details_wide` (the tests
    /// compare the two).
    var readsDimensionsOnce = true
    /// The most rows in a row group (the writer's default; the tests lower it to cut small
    /// files into several). A multiple of `ParquetFileWriter.batchRows`, so that the row by
    /// row and the batched reads cut row groups alike.
    var rowGroupRows = ParquetFileWriter.defaultRowGroupRows

    struct Written {
        let rows: Int
        let bytes: Int
        let cost: [String: Double]
        /// What the rows were read through (`cost_details_keys` and the dimension tables, or
        /// the view itself), for the log: a fall back to the slower read shows there.
        let read: String
        /// EffectiveCost, ListCost and ContractedCost were computed by `DerivedCosts` rather
        /// than read from the view.
        var computedCosts = false
        /// The dimension tables joined to the fact rows rather than registered once
        /// (`DimensionedExport`), for the log and the tests.
        var joined: [String] = []
    }

    /// The Parquet type of a column of `cost_details` or `focus_costs`.
    static func kind(of column: String, in view: String) -> ParquetColumnSpec.Kind {
        if view == LakeLayout.focus {
            if focusTimestamps.contains(column) { return .timestamp }
            if focusNumbers.contains(column) { return .double }
            return .string
        }
        switch column {
        case "LoadId", "SourcePart", "SourceLine": return .int64
        default: break
        }
        switch Catalog.column(named: column)?.type {
        case .real: return .double
        case .date: return .date
        default: return .string
        }
    }

    static let focusTimestamps: Set<String> = ["ChargePeriodStart", "ChargePeriodEnd", "BillingPeriodStart", "BillingPeriodEnd"]
    static let focusNumbers: Set<String> = [
        "BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "ConsumedQuantity", "PricingQuantity",
        "ListUnitPrice", "ContractedUnitPrice", "x_EffectiveUnitPrice", "CommitmentDiscountQuantity",
        "PricingCurrencyListUnitPrice", "PricingCurrencyContractedUnitPrice", "PricingCurrencyEffectiveCost",
        "x_PricingBlockSize",
    ]

    func write(_ store: any StoreReading, to path: String, metadata: [(String, String)]) throws(PipelineError) -> Written {
        if view == LakeLayout.costDetails, readsDimensionsOnce {
            var dimensioned = DimensionedExport(filter: filter, compression: compression)
            dimensioned.rowGroupRows = rowGroupRows
            if let written = try dimensioned.write(store, to: path, metadata: metadata) { return written }
        }
        var written: Written?
        do {
            try store.reading { reader in
                let where_ = filter.map { "\($0.column) = :\($0.column.lowercased())" }.joined(separator: " AND ")
                var parameters: [String: StoreValue] = [:]
                for (column, value) in filter { parameters[column.lowercased()] = .text(value) }
                // Whole rows read fastest through the join form of the view (the same columns):
                // `cost_details` looks each dimension up per column.
                let source = view == LakeLayout.costDetails ? "cost_details_wide" : view
                let names = try reader.read("SELECT * FROM \(source) WHERE 1 = 0", [:]).columns
                let specs = names.map { ParquetColumnSpec($0, PartitionExport.kind(of: $0, in: view)) }
                let writer = try ParquetFileWriter(
                    path: path, columns: specs, compression: compression, rowGroupRows: rowGroupRows, metadata: metadata)
                let money = names.firstIndex(of: view == LakeLayout.focus ? "BilledCost" : Catalog.cost)
                let currency = names.firstIndex(of: Catalog.currency)
                var cost = CurrencyTotals()
                var converters = specs.map { ValueConverter(kind: $0.kind) }
                var row = 0
                let count = specs.count
                // A batch of rows at a time: each column's values go to the writer in one call.
                func endBatch(_ rows: Int) throws(ParquetError) {
                    guard rows > 0 else { return }
                    for i in 0..<count { converters[i].flush(to: writer, at: i) }
                    try writer.endRows(rows)
                }
                _ = try reader.forEachRow("SELECT * FROM \(source) WHERE \(where_)", parameters) { cursor in
                    // One exclusive access to the converters per row, not one per cell.
                    try converters.withUnsafeMutableBufferPointer { converters in
                        for i in 0..<count {
                            do {
                                try converters[i].append(cursor, i)
                            } catch let error as ValueConverter.Problem {
                                throw PipelineError.export(
                                    "\(view) \(filter.map { "\($0.column) \($0.value)" }.joined(separator: ", ")), row \(row + 1), column \(names[i]): \(error.message)"
                                )
                            }
                        }
                    }
                    cost.add(cursor, money: money, currency: currency)
                    row += 1
                    if row % ParquetFileWriter.batchRows == 0 { try endBatch(ParquetFileWriter.batchRows) }
                }
                try endBatch(row % ParquetFileWriter.batchRows)
                let bytes = try writer.finish()
                written = Written(rows: row, bytes: bytes, cost: cost.all, read: source)
            }
        } catch let error as PipelineError {
            throw error
        } catch let error as ParquetError {
            throw .export("cannot write \(path): \(error)")
        } catch {
            throw .export("cannot export \(view): \(error)")
        }
        return written!
    }
}

/// Turns the store's values into one Parquet column's, a batch of rows at a time: `append`
/// converts a row's value into the batch, `flush` hands the batch to the writer in one call
/// (a call per cell cost an exclusive access and a reference count on the writer's column).
/// It remembers the last date's text: dates repeat row after row.
struct ValueConverter {
    let kind: ParquetColumnSpec.Kind
    private var lastBytes: [UInt8] = []
    private var lastNumber: Int64 = 0
    // The batch: its rows so far, a flag and a value per row in slots allocated once (see
    // `BatchSlots`), and a text column's bytes.
    private var rows = 0
    private let slots: BatchSlots
    private var bytes: [UInt8] = []

    init(kind: ParquetColumnSpec.Kind) {
        self.kind = kind
        slots = BatchSlots(kind: kind, capacity: ParquetFileWriter.batchRows)
    }

    /// Why a value cannot be written as its column's type.
    struct Problem: Error {
        let message: String
    }

    /// Ends row `rows`, whose value is in its slot, with its flag (1: a value, 0: NULL).
    @inline(__always)
    private mutating func close(_ flag: UInt8) {
        slots.defined[rows] = flag
        rows += 1
    }

    /// Adds value `i` of the cursor to the batch.
    mutating func append(_ cursor: any RowCursor, _ i: Int) throws(Problem) {
        // The callers flush every `batchRows` rows; one check here guards every slot below.
        precondition(rows < slots.capacity, "a batch holds at most \(slots.capacity) rows")
        let r = rows
        // Most cells are numbers: read in one call (`RowCursor.number`), the rest by kind.
        if case .int64 = kind, case .integer(let v) = cursor.number(i) {
            slots.numbers[r] = v
            return close(1)
        }
        if case .double = kind {
            switch cursor.number(i) {
            case .real(let v):
                slots.doubles[r] = v
                return close(1)
            case .integer(let v):
                slots.doubles[r] = Double(v)
                return close(1)
            case .null:
                slots.doubles[r] = 0
                return close(0)
            case .other: break
            }
        }
        // Text and dates: the kind and the bytes in one call into the store (`withCell`); a
        // text column's number, and a date that differs from the last one, below.
        if case .string = kind {
            let flag = cursor.withCell(i) { held, text -> UInt8? in
                switch held {
                case .text, .blob: bytes.append(contentsOf: text)
                case .null: break
                case .integer, .real: return nil
                }
                slots.ends[r] = bytes.count
                if case .null = held { return 0 } else { return 1 }
            }
            if let flag { return close(flag) }
        } else if case .date = kind {
            let same = cursor.withCell(i) { held, text -> Bool in
                guard case .text = held, lastBytes.count == text.count else { return false }
                return text.isEmpty || lastBytes.withUnsafeBufferPointer { memcmp($0.baseAddress!, text.baseAddress!, text.count) == 0 }
            }
            if same {
                slots.days[r] = Int32(lastNumber)
                return close(1)
            }
        }
        // Kinds are matched by pattern, not `==`: `RowCursorKind` is another module's, and its
        // `==` was a call through the Equatable witness per cell (3 % of an export's reading).
        let held = cursor.kind(i)
        if case .null = held {
            switch kind {
            case .string: slots.ends[r] = bytes.count
            case .double: slots.doubles[r] = 0
            case .int64, .timestamp: slots.numbers[r] = 0
            case .date: slots.days[r] = 0
            }
            return close(0)
        }
        switch kind {
        case .string:
            switch held {
            case .integer: bytes.append(contentsOf: String(cursor.int64(i)).utf8)
            case .real: bytes.append(contentsOf: String(cursor.double(i)).utf8)
            default: cursor.withBytes(i) { bytes.append(contentsOf: $0) }
            }
            slots.ends[r] = bytes.count
        case .double:
            // The common case first, as `number` has it: a number held as a number.
            switch held {
            case .real, .integer:
                slots.doubles[r] = cursor.double(i)
            default:
                guard case .double(let v) = try ValueConverter.number(cursor, i, as: kind) else { preconditionFailure() }
                slots.doubles[r] = v
            }
        case .int64:
            if case .integer = held {
                slots.numbers[r] = cursor.int64(i)
            } else {
                guard case .whole(let v) = try ValueConverter.number(cursor, i, as: kind) else { preconditionFailure() }
                slots.numbers[r] = v
            }
        case .date, .timestamp:
            // Dates repeat row after row: the last one's text is compared before parsing.
            var same = false
            if case .text = held {
                // memcmp: `elementsEqual` compared byte by byte through the generic Sequence path.
                same = cursor.withBytes(i) { bytes in
                    lastBytes.count == bytes.count
                        && (bytes.isEmpty || lastBytes.withUnsafeBufferPointer { memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 })
                }
            }
            if !same {
                switch try ValueConverter.number(cursor, i, as: kind) {
                case .days(let v): lastNumber = Int64(v)
                case .whole(let v): lastNumber = v
                case .double: preconditionFailure()
                }
                lastBytes = cursor.withBytes(i) { Array($0) }
            }
            if kind == .date { slots.days[r] = Int32(lastNumber) } else { slots.numbers[r] = lastNumber }
        }
        close(1)
    }

    /// Adds a number computed rather than read (a DOUBLE column's), or NULL.
    mutating func append(number value: Double?) {
        precondition(kind == .double && rows < slots.capacity)
        slots.doubles[rows] = value ?? 0
        close(value == nil ? 0 : 1)
    }

    /// A value that is not text, as its column's number.
    enum Number {
        case double(Double)
        /// INT64, or a TIMESTAMP's microseconds.
        case whole(Int64)
        case days(Int32)
    }

    /// Value `i` of the cursor (not NULL) as the number a column of `kind` holds: the one
    /// rule for the export's conversions (a row's values, a dimension row's).
    static func number(_ cursor: any RowCursor, _ i: Int, as kind: ParquetColumnSpec.Kind) throws(Problem) -> Number {
        let held = cursor.kind(i)
        // A local function, not a closure in a constant (which is allocated at every call).
        func text() -> String { cursor.withBytes(i) { String(decoding: $0, as: UTF8.self) } }
        switch kind {
        case .string:
            preconditionFailure("text is not a number")
        case .double:
            if held == .real || held == .integer { return .double(cursor.double(i)) }
            guard let v = Double(text()) else { throw Problem(message: "`\(text().prefix(40))` is not a number") }
            return .double(v)
        case .int64:
            switch held {
            case .integer: return .whole(cursor.int64(i))
            case .real:
                let v = cursor.double(i)
                guard v == v.rounded(), abs(v) < 9e18 else { throw Problem(message: "\(v) is not a whole number") }
                return .whole(Int64(v))
            default:
                guard let v = Int64(text()) else { throw Problem(message: "`\(text().prefix(40))` is not a whole number") }
                return .whole(v)
            }
        case .date, .timestamp:
            guard held == .text else { throw Problem(message: "a date must be text") }
            if kind == .date {
                guard let days = ValueConverter.days(text()) else {
                    throw Problem(message: "`\(text().prefix(40))` is not a date YYYY-MM-DD")
                }
                return .days(days)
            }
            guard let micros = ValueConverter.micros(text()) else {
                throw Problem(message: "`\(text().prefix(40))` is not a date or an ISO 8601 date-time")
            }
            return .whole(micros)
        }
    }

    /// Hands the batch to the writer's column `column`, and empties it.
    mutating func flush(to writer: ParquetFileWriter, at column: Int) {
        let defined = UnsafeBufferPointer(start: slots.defined, count: rows)
        switch kind {
        case .string:
            let ends = UnsafeBufferPointer(start: slots.ends, count: rows)
            bytes.withUnsafeBufferPointer { writer.append(column, texts: $0, ends: ends, defined: defined) }
        case .double: writer.append(column, doubles: UnsafeBufferPointer(start: slots.doubles, count: rows), defined: defined)
        case .int64, .timestamp: writer.append(column, int64s: UnsafeBufferPointer(start: slots.numbers, count: rows), defined: defined)
        case .date: writer.append(column, days: UnsafeBufferPointer(start: slots.days, count: rows), defined: defined)
        }
        rows = 0
        bytes.removeAll(keepingCapacity: true)
    }

    /// Days since 1970-01-01 of `YYYY-MM-DD` (Howard Hinnant's days-from-civil).
    static func days(_ text: String) -> Int32? {
        let parts = text.prefix(10).split(separator: "-")
        guard text.utf8.count == 10, parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
            (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return Int32(era * 146_097 + doe - 719_468)
    }

    /// Microseconds since the epoch of a date (midnight UTC) or an ISO 8601 date-time.
    static func micros(_ text: String) -> Int64? {
        if let days = days(text) { return Int64(days) * 86_400_000_000 }
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds],
        ] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) }
        }
        return nil
    }
}
