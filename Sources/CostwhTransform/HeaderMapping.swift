import CostwhModel

/// Where each field of a file goes: a canonical column, or the row's extra JSON.
///
/// Mapping is by name, never by position: the EA, EA Exports, MCA, MPA, pay-as-you-go,
/// management-group and legacy EA headers all list the same fields in different orders and
/// spellings (reference §5).
package struct HeaderMapping: Sendable {
    package enum Target: Sendable, Equatable {
        case column(Int)
        case extra(String)
        /// costwh's own provenance columns in a file it exported (`Scope`, `BillingPeriod`,
        /// `Metric`, `LoadId`, `SourcePart`, `SourceLine`): the load gives its own.
        case ignored
        /// costwh's own `ExtraColumns` in a file it exported: a JSON object whose members are
        /// the row's extra fields again, not one field named ExtraColumns.
        case extraObject
    }

    /// The columns that mark a file as costwh's own export (`costwh export`), whose rows
    /// load back as they were.
    static let exportSignature: Set<String> = ["LoadId", "SourcePart", "SourceLine", Catalog.extraColumns]
    static let provenance: Set<String> = ["Scope", "BillingPeriod", "Metric", "LoadId", "SourcePart", "SourceLine"]

    /// Cost Management cost details (every EA, MCA, legacy schema), or a FOCUS file.
    package enum Schema: Sendable, Equatable {
        case costDetails
        /// The FOCUS version told by the columns present: `1.0-preview`, `1.0` (also
        /// Cost Management's `1.0r2`, which has the same columns), `1.2-preview` or `1.2`.
        case focus(version: String)

        package var isFocus: Bool { if case .focus = self { return true } else { return false } }
    }

    package let headers: [String]
    package let schema: Schema
    package let targets: [Target]
    /// Canonical column index → field index, or -1 when the file lacks the column.
    package let fieldOfColumn: [Int]

    /// Columns a file must have to be loaded, with the spellings accepted for each.
    package static let required: [String] = [Catalog.date, Catalog.cost]

    package init(headers: [String]) {
        self.headers = headers
        let schema = HeaderMapping.schema(of: headers)
        self.schema = schema
        var best = [(field: Int, rank: Int)?](repeating: nil, count: Catalog.columns.count)
        var candidates = [Int?](repeating: nil, count: headers.count)
        for (i, header) in headers.enumerated() {
            guard let (column, rank) = HeaderMapping.lookup(header, focus: schema.isFocus) else { continue }
            candidates[i] = column
            if let current = best[column], current.rank <= rank { continue }
            best[column] = (i, rank)
        }
        var targets: [Target] = []
        var fieldOfColumn = [Int](repeating: -1, count: Catalog.columns.count)
        var extraNames: Set<String> = []
        let exported = HeaderMapping.exportSignature.isSubset(of: Set(headers))
        for (i, header) in headers.enumerated() {
            if exported && HeaderMapping.provenance.contains(header) {
                targets.append(.ignored)
            } else if exported && header == Catalog.extraColumns {
                targets.append(.extraObject)
            } else if let column = candidates[i], best[column]?.field == i {
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

    /// Tells FOCUS from cost details by the columns only FOCUS has, and the FOCUS version
    /// by the columns each version added, as the FinOps toolkit's ingestion does
    /// (`IngestionSetup_v1_2.kql`, `x_SourceVersion`).
    static func schema(of headers: [String]) -> Schema {
        let names = Set(headers.map { CanonicalColumn.normalise($0) })
        guard names.contains("billedcost"), names.contains("effectivecost"), names.contains("chargeperiodstart") else {
            return .costDetails
        }
        if !names.isDisjoint(with: ["invoiceid", "skumeter", "pricingcurrency"]) {
            return .focus(
                version: names.contains("xskudetails") && !names.contains("skupricedetails") ? "1.2-preview" : "1.2")
        }
        if !names.isDisjoint(with: ["chargesubcategory", "region", "usagequantity", "usageunit"])
            && names.isDisjoint(with: ["chargeclass", "commitmentdiscountstatus", "consumedquantity", "regionid"])
        {
            return .focus(version: "1.0-preview")
        }
        return .focus(version: "1.0")
    }

    /// The columns a FOCUS file must have: the usage date and both costs.
    package static let requiredFocus: [String] = [Catalog.date, "BilledCost", "EffectiveCost"]

    /// The required columns this header lacks, described with the spellings accepted.
    package var missing: [String] {
        if schema.isFocus {
            return HeaderMapping.requiredFocus.compactMap { name in
                fieldOfColumn[Catalog.index[name]!] < 0
                    ? "\(name == Catalog.date ? "ChargePeriodStart" : name) (a FOCUS column)" : nil
            }
        }
        return HeaderMapping.required.compactMap { name in
            let index = Catalog.index[name]!
            guard fieldOfColumn[index] < 0 else { return nil }
            let spellings = Catalog.columns[index].aliases.filter { $0.rank >= 0 && $0.rank < 2 }.map(\.key)
            return "\(name) (a column named one of: \(spellings.joined(separator: ", ")))"
        }
    }

    package var isRecognised: Bool { missing.isEmpty }

    /// Finds the canonical column of a header cell. A localised header such as
    /// `费用(Cost)` carries the English name in its last parentheses.
    package static func lookup(_ header: String, focus: Bool = false) -> (Int, Int)? {
        let key = CanonicalColumn.normalise(header)
        if focus, let name = Catalog.focusAliases[key] { return (Catalog.index[name]!, 0) }
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
