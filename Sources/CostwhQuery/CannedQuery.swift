import CostwhLoad

/// A commented `.sql` file compiled into the binary, with its name and description read
/// from its `-- name:` and `-- description:` lines.
package struct CannedQuery: Sendable {
    package let name: String
    package let description: String
    package let sql: String
    /// The named parameters the SQL uses, such as `scope`, `from` and `to`.
    package let parameters: [String]

    init(file: String, sql: String) {
        var name = String(file.dropLast(4))
        var description = ""
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("--") else { break }
            let text = line.dropFirst(2).drop(while: { $0 == " " })
            if text.hasPrefix("name:") { name = text.dropFirst(5).trimmingSpaces() }
            if text.hasPrefix("description:") { description = text.dropFirst(12).trimmingSpaces() }
        }
        self.name = name
        self.description = description
        self.sql = sql
        self.parameters = CannedQuery.namedParameters(in: sql)
    }

    static func namedParameters(in sql: String) -> [String] {
        var names: [String] = []
        var inComment = false
        var previous: Character = " "
        var current: String?
        for ch in sql {
            if inComment {
                if ch == "\n" { inComment = false }
                previous = ch
                continue
            }
            if ch == "-" && previous == "-" { inComment = true }
            if let name = current {
                if ch.isLetter || ch.isNumber || ch == "_" {
                    current = name + String(ch)
                } else {
                    if !names.contains(name) { names.append(name) }
                    current = nil
                }
            } else if ch == ":" && !(previous.isLetter || previous.isNumber) {
                current = ""
            }
            previous = ch
        }
        return names.filter { !$0.isEmpty }
    }

    /// Every canned query, in file order.
    package static let all: [CannedQuery] = EmbeddedSQL.files.map { CannedQuery(file: $0.name, sql: $0.sql) }

    package static func named(_ name: String) -> CannedQuery? {
        all.first { $0.name == name }
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
