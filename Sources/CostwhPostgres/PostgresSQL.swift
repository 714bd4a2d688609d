import CostwhLoad
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Running SQL with the store's engine-neutral values: `:name` parameters become `$n`
/// binds, and every result cell becomes a `StoreValue`.
enum PostgresSQL {
    /// Rewrites `:name` parameters (outside quotes, and not `::type` casts) as `$1…`;
    /// returns the SQL and the names in bind order.
    /// Parameters named in `untyped` are bound NULL; they are written `$n::text`, since
    /// PostgreSQL cannot infer a type for `$1 IS NULL`.
    static func positional(_ sql: String, untyped: Set<String> = []) -> (sql: String, names: [String]) {
        var out = ""
        var names: [String] = []
        var quote: Character?
        let chars = Array(sql)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if let q = quote {
                out.append(c)
                if c == q { quote = nil }
                i += 1
                continue
            }
            if c == "'" || c == "\"" {
                quote = c
                out.append(c)
                i += 1
                continue
            }
            if c == "-" && i + 1 < chars.count && chars[i + 1] == "-" {
                while i < chars.count && chars[i] != "\n" {
                    out.append(chars[i])
                    i += 1
                }
                continue
            }
            if c == ":" && i + 1 < chars.count && chars[i + 1] == ":" {
                out += "::"
                i += 2
                continue
            }
            if c == ":" && i + 1 < chars.count && (chars[i + 1].isLetter || chars[i + 1] == "_") {
                var j = i + 1
                while j < chars.count && (chars[j].isLetter || chars[j].isNumber || chars[j] == "_") { j += 1 }
                let name = String(chars[(i + 1)..<j])
                if let index = names.firstIndex(of: name) {
                    out += "$\(index + 1)"
                } else {
                    names.append(name)
                    out += "$\(names.count)"
                }
                if untyped.contains(name) { out += "::text" }
                i = j
                continue
            }
            out.append(c)
            i += 1
        }
        return (out, names)
    }

    /// The statements of a script, split at semicolons outside quotes, `$$` bodies (a `DO`
    /// block, a function) and `--` comments: postgres-nio sends every query as a prepared
    /// statement, which holds one command.
    static func statements(_ script: String) -> [String] {
        var out: [String] = []
        var current = ""
        var quote: Character?
        var comment = false
        var dollar = false
        for c in script {
            if dollar {
                current.append(c)
                if c == "$" && current.hasSuffix("$$") { dollar = false }
                continue
            }
            if comment {
                current.append(c)
                if c == "\n" { comment = false }
                continue
            }
            if let q = quote {
                current.append(c)
                if c == q { quote = nil }
                continue
            }
            if c == "'" || c == "\"" { quote = c }
            if c == "-" && current.hasSuffix("-") { comment = true }
            if c == "$" && current.hasSuffix("$") {
                current.append(c)
                dollar = true
                continue
            }
            if c == ";" {
                let statement = current.trimmingCharacters(in: .whitespacesAndNewlines)
                if !statement.split(separator: "\n").allSatisfy({
                    $0.trimmingCharacters(in: .whitespaces).hasPrefix("--")
                        || $0.trimmingCharacters(in: .whitespaces).isEmpty
                }) {
                    out.append(statement)
                }
                current = ""
                continue
            }
            current.append(c)
        }
        let rest = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.split(separator: "\n").allSatisfy({
            $0.trimmingCharacters(in: .whitespaces).hasPrefix("--") || $0.trimmingCharacters(in: .whitespaces).isEmpty
        }) {
            out.append(rest)
        }
        return out
    }

    /// Runs each statement of a script in order.
    static func script(_ connection: PostgresConnection, _ sql: String, logger: Logger) async throws {
        for statement in statements(sql) { try await run(connection, statement, logger: logger) }
    }

    static func bindings(_ values: [StoreValue]) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            // A NULL of type text: PostgreSQL can then type `$1 IS NULL` and `col = $1`.
            case .null: bindings.append(String?.none)
            case .integer(let v): bindings.append(v)
            case .real(let v): bindings.append(v)
            case .text(let v): bindings.append(v)
            case .blob(let v): bindings.append(ByteBuffer(bytes: v))
            }
        }
        return bindings
    }

    /// Runs one statement with positional values; returns its rows.
    @discardableResult
    static func run(
        _ connection: PostgresConnection, _ sql: String, _ values: [StoreValue] = [], logger: Logger
    ) async throws -> ResultTable {
        var table = ResultTable(columns: [], rows: [])
        try await stream(connection, sql, values, pageSize: .max, logger: logger) { table = $0 }
        return table
    }

    /// Runs one statement with positional values and hands its rows over `pageSize` at a time
    /// (at least once, with no rows when there are none), named as the SQL spells them.
    static func stream(
        _ connection: PostgresConnection, _ sql: String, _ values: [StoreValue], pageSize: Int, logger: Logger,
        _ body: (ResultTable) throws -> Void
    ) async throws {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings(values)), logger: logger)
        var columns: [String] = []
        var page: [[StoreValue]] = []
        var sent = false
        for try await row in rows {
            if columns.isEmpty {
                let spelled = spellings(in: sql)
                columns = row.map { spelled[$0.columnName] ?? $0.columnName }
            }
            var values: [StoreValue] = []
            values.reserveCapacity(columns.count)
            for cell in row { values.append(try value(cell)) }
            page.append(values)
            if page.count >= pageSize {
                try body(ResultTable(columns: columns, rows: page))
                page.removeAll(keepingCapacity: true)
                sent = true
            }
        }
        if !page.isEmpty || !sent { try body(ResultTable(columns: columns, rows: page)) }
    }

    /// Streams the rows of a query with `:name` parameters, `pageSize` at a time.
    static func forEachPage(
        _ connection: PostgresConnection, named sql: String, _ parameters: [String: StoreValue], pageSize: Int,
        logger: Logger, _ body: (ResultTable) throws -> Void
    ) async throws {
        let (text, names) = positional(sql, untyped: Set(parameters.filter { $0.value == .null }.keys))
        try await stream(
            connection, text, names.map { parameters[$0] ?? .null }, pageSize: pageSize, logger: logger, body)
    }

    /// PostgreSQL folds unquoted names to lower case; results use the names as costwh's SQL
    /// and schema spell them (`ActualCost`, not `actualcost`), as SQLite returns them.
    static func spellings(in sql: String) -> [String: String] {
        var names = schemaSpellings
        // The query's own spelling wins, aliases included, as SQLite returns names as written.
        for word in identifiers(sql) { names[word.lowercased()] = word }
        return names
    }

    static let schemaSpellings: [String: String] = {
        var names: [String: String] = [:]
        for file in EmbeddedSQL.files {
            for word in identifiers(file.sql) where word != word.lowercased() && names[word.lowercased()] == nil {
                names[word.lowercased()] = word
            }
        }
        return names
    }()

    static func identifiers(_ sql: String) -> [String] {
        var out: [String] = []
        var current = ""
        for c in sql {
            if c.isLetter || c == "_" || (c.isNumber && !current.isEmpty) {
                current.append(c)
            } else if !current.isEmpty {
                out.append(current)
                current = ""
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// Runs one engine-neutral statement (`Ledger`, `LoadHistory`, `DatasetSQL`) with `:name`
    /// parameters; a NULL is bound as text (the statements CAST where the column is not).
    @discardableResult
    static func statement(
        _ connection: PostgresConnection, _ sql: String, _ parameters: [String: StoreValue], logger: Logger
    ) async throws -> ResultTable {
        let (text, names) = positional(sql, untyped: Set(parameters.filter { $0.value == .null }.keys))
        return try await run(connection, text, names.map { parameters[$0] ?? .null }, logger: logger)
    }

    /// Runs SQL with `:name` parameters.
    @discardableResult
    static func run(
        _ connection: PostgresConnection, named sql: String, _ parameters: [String: StoreValue], logger: Logger
    ) async throws -> ResultTable {
        let (text, names) = positional(sql, untyped: Set(parameters.filter { $0.value == .null }.keys))
        let values = names.map { parameters[$0] ?? .null }
        let table = try await run(connection, text, values, logger: logger)
        guard table.rows.isEmpty else { return table }
        // postgres-nio names the columns only through rows. An empty answer still has
        // columns (the formatters print them): ask again for one row of NULLs.
        var body = text.trimmingCharacters(in: .whitespacesAndNewlines)
        while body.hasSuffix(";") { body = String(body.dropLast()).trimmingCharacters(in: .whitespacesAndNewlines) }
        let named = try await run(
            connection, "SELECT q.* FROM (SELECT 1) AS costwh_one LEFT JOIN (\(body)\n) AS q ON true", values,
            logger: logger)
        return ResultTable(columns: named.columns.isEmpty ? table.columns : named.columns, rows: [])
    }

    /// `YYYY-MM-DD` of a UTC date (Howard Hinnant's civil-from-days), as SQLite stores dates.
    static func isoDay(_ date: Foundation.Date) -> String {
        let z = Int((date.timeIntervalSince1970 / 86_400).rounded(.down)) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    static func value(_ cell: PostgresCell) throws -> StoreValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2: return .integer(Int64(try cell.decode(Int16.self)))
        case .int4: return .integer(Int64(try cell.decode(Int32.self)))
        case .int8: return .integer(try cell.decode(Int64.self))
        case .float4: return .real(Double(try cell.decode(Float.self)))
        case .float8: return .real(try cell.decode(Double.self))
        case .numeric:
            let decimal = try cell.decode(Decimal.self)
            return .real(NSDecimalNumber(decimal: decimal).doubleValue)
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .date: return .text(isoDay(try cell.decode(Foundation.Date.self)))
        default: return .text(try cell.decode(String.self))
        }
    }
}
