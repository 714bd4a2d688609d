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

    struct Written {
        let rows: Int
        let bytes: Int
        let cost: [String: Double]
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
        if view == LakeLayout.costDetails, readsDimensionsOnce,
            let written = try DimensionedExport(filter: filter, compression: compression).write(
                store, to: path, metadata: metadata)
        {
            return written
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
                    path: path, columns: specs, compression: compression, metadata: metadata)
                let money = names.firstIndex(of: view == LakeLayout.focus ? "BilledCost" : Catalog.cost)
                let currency = names.firstIndex(of: Catalog.currency)
                var cost: [String: Double] = [:]
                var converters = specs.map { ValueConverter(kind: $0.kind) }
                var row = 0
                let count = specs.count
                _ = try reader.forEachRow("SELECT * FROM \(source) WHERE \(where_)", parameters) { cursor in
                    // One exclusive access to the converters per row, not one per cell.
                    try converters.withUnsafeMutableBufferPointer { converters in
                        for i in 0..<count {
                            do {
                                try converters[i].append(cursor, i, to: writer, at: i)
                            } catch let error as ValueConverter.Problem {
                                throw PipelineError.export(
                                    "\(view) \(filter.map { "\($0.column) \($0.value)" }.joined(separator: ", ")), row \(row + 1), column \(names[i]): \(error.message)"
                                )
                            }
                        }
                    }
                    if let money, cursor.kind(money) == .real || cursor.kind(money) == .integer {
                        let key = currency.map { c in cursor.withBytes(c) { String(decoding: $0, as: UTF8.self) } } ?? ""
                        cost[key, default: 0] += cursor.double(money)
                    }
                    try writer.endRow()
                    row += 1
                }
                let bytes = try writer.finish()
                written = Written(rows: row, bytes: bytes, cost: cost)
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

/// Turns the store's values into one Parquet column's, remembering the last text it parsed:
/// dates repeat row after row.
struct ValueConverter {
    let kind: ParquetColumnSpec.Kind
    /// The last date's text and value: dates repeat row after row.
    private var lastBytes: [UInt8] = []
    private var lastNumber: Int64 = 0

    init(kind: ParquetColumnSpec.Kind) {
        self.kind = kind
    }

    /// Why a value cannot be written as its column's type.
    struct Problem: Error {
        let message: String
    }

    func problem(_ message: String) -> Problem { Problem(message: message) }

    /// Appends value `i` of the cursor to the writer's column `column`.
    mutating func append(_ cursor: any RowCursor, _ i: Int, to writer: ParquetFileWriter, at column: Int) throws(Problem) {
        let held = cursor.kind(i)
        if held == .null {
            writer.appendNull(column)
            return
        }
        switch kind {
        case .string:
            switch held {
            case .integer: writer.append(column, string: String(cursor.int64(i)))
            case .real: writer.append(column, string: String(cursor.double(i)))
            default: cursor.withBytes(i) { writer.append(column, utf8: $0) }
            }
        case .double:
            switch held {
            case .real, .integer: writer.append(column, double: cursor.double(i))
            default:
                let text = cursor.withBytes(i) { String(decoding: $0, as: UTF8.self) }
                guard let v = Double(text) else { throw problem("`\(text.prefix(40))` is not a number") }
                writer.append(column, double: v)
            }
        case .int64:
            switch held {
            case .integer: writer.append(column, int64: cursor.int64(i))
            case .real:
                let v = cursor.double(i)
                guard v == v.rounded(), abs(v) < 9e18 else { throw problem("\(v) is not a whole number") }
                writer.append(column, int64: Int64(v))
            default:
                let text = cursor.withBytes(i) { String(decoding: $0, as: UTF8.self) }
                guard let v = Int64(text) else { throw problem("`\(text.prefix(40))` is not a whole number") }
                writer.append(column, int64: v)
            }
        case .date, .timestamp:
            guard held == .text else { throw problem("a date must be text") }
            let same = cursor.withBytes(i) { bytes in lastBytes.count == bytes.count && lastBytes.elementsEqual(bytes) }
            if !same {
                let text = cursor.withBytes(i) { String(decoding: $0, as: UTF8.self) }
                if kind == .date {
                    guard let days = ValueConverter.days(text) else { throw problem("`\(text.prefix(40))` is not a date YYYY-MM-DD") }
                    lastNumber = Int64(days)
                } else {
                    guard let micros = ValueConverter.micros(text) else {
                        throw problem("`\(text.prefix(40))` is not a date or an ISO 8601 date-time")
                    }
                    lastNumber = micros
                }
                lastBytes = Array(text.utf8)
            }
            if kind == .date { writer.append(column, days: Int32(lastNumber)) } else { writer.append(column, int64: lastNumber) }
        }
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
