import CostwhModel

/// Where each field of a file goes: a canonical column, or the row's extra JSON.
///
/// Mapping is by name, never by position: the EA, EA Exports, MCA, MPA, pay-as-you-go,
/// management-group and legacy EA headers all list the same fields in different orders and
/// spellings (reference §5).
public struct HeaderMapping: Sendable {
    public enum Target: Sendable, Equatable {
        case column(Int)
        case extra(String)
    }

    public let headers: [String]
    public let targets: [Target]
    /// Canonical column index → field index, or -1 when the file lacks the column.
    public let fieldOfColumn: [Int]

    /// Columns a file must have to be loaded, with the spellings accepted for each.
    public static let required: [String] = [Catalog.date, Catalog.cost]

    public init(headers: [String]) {
        self.headers = headers
        var best = [(field: Int, rank: Int)?](repeating: nil, count: Catalog.columns.count)
        var candidates = [Int?](repeating: nil, count: headers.count)
        for (i, header) in headers.enumerated() {
            guard let (column, rank) = HeaderMapping.lookup(header) else { continue }
            candidates[i] = column
            if let current = best[column], current.rank <= rank { continue }
            best[column] = (i, rank)
        }
        var targets: [Target] = []
        var fieldOfColumn = [Int](repeating: -1, count: Catalog.columns.count)
        var extraNames: Set<String> = []
        for (i, header) in headers.enumerated() {
            if let column = candidates[i], best[column]?.field == i {
                targets.append(.column(column))
                fieldOfColumn[column] = i
            } else {
                // Duplicate names stay apart, so the extra JSON never holds one key twice.
                let base = HeaderMapping.displayName(header)
                var name = base
                var n = 2
                while extraNames.contains(name) || Catalog.index[name] != nil && candidates[i] == nil {
                    name = "\(base) (\(n))"
                    n += 1
                }
                extraNames.insert(name)
                targets.append(.extra(name))
            }
        }
        self.targets = targets
        self.fieldOfColumn = fieldOfColumn
    }

    /// The required columns this header lacks, described with the spellings accepted.
    public var missing: [String] {
        HeaderMapping.required.compactMap { name in
            let index = Catalog.index[name]!
            guard fieldOfColumn[index] < 0 else { return nil }
            let spellings = Catalog.columns[index].aliases.filter { $0.rank >= 0 && $0.rank < 2 }.map(\.key)
            return "\(name) (a column named one of: \(spellings.joined(separator: ", ")))"
        }
    }

    public var isRecognised: Bool { missing.isEmpty }

    /// Finds the canonical column of a header cell. A localised header such as
    /// `费用(Cost)` carries the English name in its last parentheses.
    public static func lookup(_ header: String) -> (Int, Int)? {
        let key = CanonicalColumn.normalise(header)
        if let hit = Catalog.aliasTable[key] { return (hit.column, hit.rank) }
        if let inner = parenthesised(header), let hit = Catalog.aliasTable[CanonicalColumn.normalise(inner)] {
            return (hit.column, hit.rank)
        }
        return nil
    }

    static func parenthesised(_ header: String) -> String? {
        let trimmed = header.trimmingCharacters(in: " ")
        guard trimmed.hasSuffix(")") || trimmed.hasSuffix("）"),
            let open = trimmed.lastIndex(where: { $0 == "(" || $0 == "（" })
        else { return nil }
        let inner = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
        return inner.isEmpty ? nil : String(inner)
    }

    static func displayName(_ header: String) -> String {
        let cleaned = header.replacingOccurrences(of: "\u{FEFF}", with: "")
        return cleaned.isEmpty ? "(unnamed)" : cleaned
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }

    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        return self.split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
