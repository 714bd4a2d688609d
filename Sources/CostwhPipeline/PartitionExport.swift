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
        "ListUnitPrice", "ContractedUnitPrice", "x_EffectiveUnitPrice",
    ]

    func write(_ store: any StoreReading, to path: String, metadata: [(String, String)]) throws(PipelineError) -> Written {
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
                try reader.forEachPage("SELECT * FROM \(source) WHERE \(where_)", parameters, pageSize: 2048) { page in
                    for values in page.rows {
                        for (i, value) in values.enumerated() {
                            try converters[i].append(value, to: writer, column: i) { problem in
                                PipelineError.export(
                                    "\(view) \(filter.map { "\($0.column) \($0.value)" }.joined(separator: ", ")), row \(row + 1), column \(names[i]): \(problem)"
                                )
                            }
                        }
                        if let money, let v = values[money].double {
                            cost[currency.flatMap { values[$0].string } ?? "", default: 0] += v
                        }
                        try writer.endRow()
                        row += 1
                    }
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
    private var lastText: String?
    private var lastNumber: Int64 = 0

    init(kind: ParquetColumnSpec.Kind) {
        self.kind = kind
    }

    mutating func append(
        _ value: StoreValue, to writer: ParquetFileWriter, column: Int, _ problem: (String) -> PipelineError
    ) throws(PipelineError) {
        if case .null = value {
            writer.appendNull(column)
            return
        }
        switch kind {
        case .string:
            switch value {
            case .text(let s): writer.append(column, string: s)
            case .integer(let v): writer.append(column, string: String(v))
            case .real(let v): writer.append(column, string: String(v))
            case .blob(let b): writer.append(column, string: String(decoding: b, as: UTF8.self))
            case .null: writer.appendNull(column)
            }
        case .double:
            switch value {
            case .real(let v): writer.append(column, double: v)
            case .integer(let v): writer.append(column, double: Double(v))
            case .text(let s):
                guard let v = Double(s) else { throw problem("`\(s.prefix(40))` is not a number") }
                writer.append(column, double: v)
            default: throw problem("a blob is not a number")
            }
        case .int64:
            switch value {
            case .integer(let v): writer.append(column, int64: v)
            case .real(let v) where v == v.rounded() && abs(v) < 9e18: writer.append(column, int64: Int64(v))
            case .text(let s):
                guard let v = Int64(s) else { throw problem("`\(s.prefix(40))` is not a whole number") }
                writer.append(column, int64: v)
            default: throw problem("not a whole number")
            }
        case .date:
            guard case .text(let s) = value else { throw problem("a date must be text YYYY-MM-DD") }
            if s != lastText {
                guard let days = ValueConverter.days(s) else { throw problem("`\(s.prefix(40))` is not a date YYYY-MM-DD") }
                lastText = s
                lastNumber = Int64(days)
            }
            writer.append(column, days: Int32(lastNumber))
        case .timestamp:
            guard case .text(let s) = value else { throw problem("a date-time must be text") }
            if s != lastText {
                guard let micros = ValueConverter.micros(s) else {
                    throw problem("`\(s.prefix(40))` is not a date or an ISO 8601 date-time")
                }
                lastText = s
                lastNumber = micros
            }
            writer.append(column, int64: lastNumber)
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
