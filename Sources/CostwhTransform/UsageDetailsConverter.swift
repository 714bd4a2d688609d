import CostwhModel
import Foundation

/// Turns pages of Consumption `usageDetails` JSON (kinds `legacy` and `modern`, and the
/// pre-2019 shape without a kind) and EA Reporting `usagedetails` JSON into one CSV file
/// with canonical column names, so those rows take the same transform and load path as
/// every CSV schema. Fields with no canonical column keep their JSON name and end up in
/// the row's extra JSON: nothing is dropped.
///
/// Pages are read one at a time, twice: once to learn every field name (pages differ),
/// once to write the rows. Memory holds one page, never the partition.
package enum UsageDetailsConverter {
    /// JSON names whose canonical column differs from what the CSV header rules give.
    static let overrides: [String: String] = [
        "productidentifier": "ProductId",
        "pricingcurrencycode": "PricingCurrency",
        "marketprice": "PayGPrice",
        "instancelocation": "ResourceLocation",
        "accountowneremail": "AccountOwnerId",
        "departmentid": "InvoiceSectionId",
        "resourceguid": "MeterId",
        "resourcerate": "EffectivePrice",
    ]

    /// The canonical column for a JSON field, or nil when it has none. `instanceName` is
    /// the resource id in modern records but the resource name in the pre-2019 ones.
    static func canonical(_ name: String, kind: String?) -> String? {
        let key = CanonicalColumn.normalise(name)
        if key == "instancename" { return kind == "modern" ? "ResourceId" : "ResourceName" }
        if let override = overrides[key] { return override }
        guard let (column, _) = HeaderMapping.lookup(name) else { return nil }
        return Catalog.columns[column].name
    }

    /// The records of one page: `value` (Consumption) or `data` (EA Reporting), or a bare array.
    static func records(_ page: Data, file: String) throws(TransformError) -> [[String: JSONValue]] {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: page)
        } catch {
            throw .malformedJSON(file: file, reason: "not valid JSON (\(JSONValue.describe(error)))")
        }
        let list: [JSONValue]
        switch value {
        case .array(let items): list = items
        case .object(let envelope):
            guard case .array(let items)? = envelope["value"] ?? envelope["data"] else {
                throw .malformedJSON(
                    file: file, reason: "the page has no `value` (Consumption) or `data` (EA Reporting) array")
            }
            list = items
        default:
            throw .malformedJSON(file: file, reason: "expected an object with `value` or `data`")
        }
        return try list.enumerated().map { (i, record) throws(TransformError) -> [String: JSONValue] in
            guard case .object(let object) = record else {
                throw .malformedJSON(file: file, reason: "record \(i + 1) is not an object")
            }
            return object
        }
    }

    /// The fields of one record as (output column, text) pairs.
    static func fields(_ record: [String: JSONValue]) -> [(String, String)] {
        var kind: String?
        if case .string(let k)? = record["kind"] { kind = k }
        var out: [(String, String)] = []
        var seen: Set<String> = []
        func add(_ name: String, _ value: JSONValue) {
            let column = canonical(name, kind: kind) ?? name
            guard !seen.contains(column) else {
                // A second spelling of a column already filled keeps its own name.
                if !seen.contains(name) {
                    seen.insert(name)
                    out.append((name, text(value)))
                }
                return
            }
            seen.insert(column)
            out.append((column, text(value)))
        }
        var properties = record
        if case .object(let inner)? = record["properties"] { properties = inner }
        for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
            if name == "meterDetails", case .object(let details) = value {
                for (inner, innerValue) in details.sorted(by: { $0.key < $1.key }) { add(inner, innerValue) }
                continue
            }
            add(name, value)
        }
        // Consumption records carry the resource's tags beside `properties`, and their own
        // id, name, type and kind, which are kept too.
        if record["properties"] != nil {
            if let tags = record["tags"] { add("tags", tags) }
            for (name, value) in record.sorted(by: { $0.key < $1.key }) where name != "properties" && name != "tags" {
                add(name, value)
            }
        }
        return out
    }

    static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: return ""
        case .string(let s): return s
        case .bool(let b): return b ? "True" : "False"
        case .number(let text): return text
        case .array, .object: return value.json
        }
    }

    /// Converts page files into one CSV at `output`; returns the number of records.
    @discardableResult
    package static func convert(pages: [String], to output: String) throws(TransformError) -> Int {
        var columns: [String] = []
        var index: [String: Int] = [:]
        for page in pages {
            for record in try records(try read(page), file: page) {
                for (column, _) in fields(record) where index[column] == nil {
                    index[column] = columns.count
                    columns.append(column)
                }
            }
        }
        // Canonical columns first, in catalog order, so the file reads like a cost-details export.
        let ordered = columns.sorted { a, b in
            let ia = Catalog.index[a] ?? Int.max, ib = Catalog.index[b] ?? Int.max
            return ia != ib ? ia < ib : a < b
        }
        index = Dictionary(uniqueKeysWithValues: ordered.enumerated().map { ($1, $0) })
        guard
            let handle = FileHandle(forWritingAtPath: output)
                ?? {
                    _ = FileManager.default.createFile(
                        atPath: output, contents: nil, attributes: [.posixPermissions: 0o600])
                    return FileHandle(forWritingAtPath: output)
                }()
        else {
            throw .source(.cannotOpen(path: output, reason: "cannot create the converted CSV"))
        }
        defer { try? handle.close() }
        var buffer = ordered.map(csvField).joined(separator: ",") + "\n"
        var count = 0
        for page in pages {
            for record in try records(try read(page), file: page) {
                var row = [String](repeating: "", count: ordered.count)
                for (column, value) in fields(record) { row[index[column]!] = value }
                buffer += row.map(csvField).joined(separator: ",") + "\n"
                count += 1
                if buffer.utf8.count > 1 << 20 {
                    handle.write(Data(buffer.utf8))
                    buffer = ""
                }
            }
        }
        handle.write(Data(buffer.utf8))
        return count
    }

    static func read(_ path: String) throws(TransformError) -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .source(.cannotOpen(path: path, reason: "cannot read the page"))
        }
        return data
    }

    static func csvField(_ s: String) -> String { CSVEscaping.field(s) }
}

/// A JSON value that keeps booleans apart from numbers, and numbers in their own text.
package enum JSONValue: Decodable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? container.decode(Int64.self) {
            self = .number(String(i))
        } else if let d = try? container.decode(Double.self) {
            self = .number(String(d))
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else if let a = try? container.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Compact JSON text with sorted keys.
    package var json: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n
        case .string(let s): return JSONText.quoted(s)
        case .array(let items): return "[" + items.map(\.json).joined(separator: ",") + "]"
        case .object(let members):
            return "{"
                + members.sorted { $0.key < $1.key }.map { JSONText.quoted($0.key) + ":" + $0.value.json }.joined(
                    separator: ",") + "}"
        }
    }

    static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            return context.underlyingError.map { String(describing: $0) } ?? context.debugDescription
        }
        return String(describing: error)
    }
}
