/// The canonical cost-details columns, their types, where they are stored and the
/// header names that map onto them across the EA, MCA, MPA, pay-as-you-go, management
/// group and legacy EA schemas (reference §5).
///
/// This catalog is the single Swift-side description of the `cost_details` columns: the
/// transform maps headers with it and the loader builds its INSERT statements from it. A
/// test checks it against the tables the migrations create.
package struct CanonicalColumn: Sendable, Hashable {
    package enum ValueType: Sendable, Hashable {
        /// Stored verbatim.
        case text
        /// Parsed from decimal or scientific text into REAL.
        case real
        /// Normalised to ISO `YYYY-MM-DD`.
        case date
        /// A JSON object; EA writes tags without the outer braces.
        case jsonObject
    }

    /// Long, repeated strings live in small dimension tables so the fact table stays narrow
    /// (see the performance issue); a few hot columns stay on the fact row.
    package enum Home: Sendable, Hashable {
        case fact
        case dimension(Dimension)
    }

    package let name: String
    package let type: ValueType
    package let home: Home
    /// Normalised header spellings (see `CanonicalColumn.normalise`) with their rank: when a
    /// header holds two spellings of one column, the lower rank wins and the other is kept
    /// in the row's extra JSON under its own name.
    package let aliases: [(key: String, rank: Int)]

    package static func == (lhs: CanonicalColumn, rhs: CanonicalColumn) -> Bool { lhs.name == rhs.name }
    package func hash(into hasher: inout Hasher) { hasher.combine(name) }

    init(_ name: String, _ type: ValueType, _ home: Home, aliases: [(String, Int)] = []) {
        self.name = name
        self.type = type
        self.home = home
        var all: [(key: String, rank: Int)] = [(CanonicalColumn.normalise(name), 0)]
        for (alias, rank) in aliases { all.append((CanonicalColumn.normalise(alias), rank)) }
        self.aliases = all
    }

    /// Header matching ignores case, spaces, `-` and `_`, so `Meter Sub-Category`,
    /// `MeterSubcategory` and `meterSubCategory` meet.
    package static func normalise(_ header: String) -> String {
        String(
            String.UnicodeScalarView(
                header.unicodeScalars.filter {
                    $0 != " " && $0 != "-" && $0 != "_" && $0 != "\u{FEFF}"
                })
        ).lowercased()
    }
}
