import CostwhLoad
import CostwhQuery
import Foundation
import MCP

/// How a tool answers: rows as structured content (`{"columns", "rows", "truncated"}`, numbers
/// as JSON numbers) and as a short Markdown table for hosts that show only text; refusals and
/// failures as tool errors (`isError: true`) whose text tells the model what to do instead.
enum ToolAnswer {
    /// Rows shown in the text table; the structured content has them all.
    static let textRows = 100

    static func error(_ message: String) -> CallTool.Result {
        CallTool.Result(content: [.text(text: message, annotations: nil, _meta: nil)], isError: true)
    }

    static func text(_ text: String, structured: Value? = nil) -> CallTool.Result {
        CallTool.Result(content: [.text(text: text, annotations: nil, _meta: nil)], structuredContent: structured)
    }

    static func rows(_ answer: AdHocAnswer, note: String? = nil) -> CallTool.Result {
        // Duplicate names (`SELECT 1 AS a, 2 AS a`) would collide as object keys.
        var seen: [String: Int] = [:]
        let names = answer.columns.map { column -> String in
            seen[column.name, default: 0] += 1
            let count = seen[column.name]!
            return count == 1 ? column.name : "\(column.name)_\(count)"
        }
        let rows: [Value] = answer.rows.map { row in
            .object(Dictionary(uniqueKeysWithValues: zip(names, row.map(json))))
        }
        var structured: [String: Value] = [
            "columns": .array(
                zip(names, answer.columns).map { .object(["name": .string($0), "type": .string($1.type)]) }),
            "rows": .array(rows),
            "truncated": .bool(answer.cut != nil),
        ]
        var text = ""
        if let cut = answer.cut {
            let limit: String
            switch cut {
            case .rows(let n): limit = "the first \(n) rows: the row limit was reached"
            case .bytes(let n): limit = "\(answer.rows.count) rows: the answer reached the limit of \(n) bytes"
            }
            structured["limit"] = .string(limit)
            text += "Cut at \(limit). Aggregate (GROUP BY) or filter to see everything.\n\n"
        }
        if let note { text += note + "\n\n" }
        let shown = ResultTable(columns: names, rows: Array(answer.rows.prefix(textRows)))
        text += answer.rows.isEmpty ? "No rows.\n" : TableFormatter.render(shown, as: .markdown)
        if answer.rows.count > textRows {
            text += "\n… \(answer.rows.count - textRows) more rows in the structured content.\n"
        }
        return CallTool.Result(
            content: [.text(text: text, annotations: nil, _meta: nil)], structuredContent: .object(structured))
    }

    /// A canned query's table, held to the same limits as ad-hoc SQL.
    static func rows(_ table: ResultTable, limits: AdHocLimits) -> CallTool.Result {
        var collector = AdHocCollector(limits: limits)
        for row in table.rows {
            guard collector.admit() else { break }
            collector.add(row)
            if !collector.isOpen { break }
        }
        return rows(collector.answer(names: table.columns))
    }

    static func json(_ value: StoreValue) -> Value {
        switch value {
        case .null: return .null
        case .integer(let v): return .int(Int(v))
        case .real(let v): return v.isFinite ? .double(v) : .null
        case .text(let v): return .string(v)
        case .blob(let bytes): return .string(bytes.map { String(format: "%02x", $0) }.joined())
        }
    }
}
