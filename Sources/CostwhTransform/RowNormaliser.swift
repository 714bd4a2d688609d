import CostwhModel

/// Turns the reader's current record into canonical values, or says why it cannot.
///
/// Values are byte slices into the reader's buffer or the normaliser's arena and stay valid
/// until the next record. Nothing here allocates per row on the common path.
public final class RowNormaliser {
    public let mapping: HeaderMapping
    public let file: String
    /// Per canonical column: its text value (`.null` when absent or empty).
    public let values: UnsafeMutablePointer<ByteSlice>
    /// Per canonical column of type `.real`: its value, or nil.
    public let reals: UnsafeMutablePointer<Double?>
    /// The unknown columns of the row as one JSON object, or `.null` when the file has none.
    public private(set) var extra = ByteSlice.null
    public private(set) var cost: Double = 0
    /// Warnings by kind and value, such as unknown ChargeType values.
    public private(set) var warnings = Warnings()

    private let arena = ByteArena()
    private let columnCount = Catalog.columns.count
    private let dateColumn = Catalog.index[Catalog.date]!
    private let costColumn = Catalog.index[Catalog.cost]!
    private let chargeTypeColumn = Catalog.index[Catalog.chargeType]!
    private let pricingModelColumn = Catalog.index[Catalog.pricingModel]!
    private let chargeTypes: ValueCanonicaliser
    private let pricingModels: ValueCanonicaliser
    private let types: [CanonicalColumn.ValueType]
    private let extraFields: [(field: Int, name: [UInt8])]
    private let extraNameBytes: Int
    private let mappedFields: [(field: Int, column: Int)]

    public init(mapping: HeaderMapping, file: String) {
        self.mapping = mapping
        self.file = file
        values = .allocate(capacity: Catalog.columns.count)
        values.initialize(repeating: .null, count: Catalog.columns.count)
        reals = .allocate(capacity: Catalog.columns.count)
        reals.initialize(repeating: nil, count: Catalog.columns.count)
        types = Catalog.columns.map(\.type)
        chargeTypes = ValueCanonicaliser(
            known: ChargeTypes.known,
            aliases: ["unusedreservations": "UnusedReservation", "unusedsavingsplans": "UnusedSavingsPlan",
                      "refunds": "Refund", "purchases": "Purchase"])
        pricingModels = ValueCanonicaliser(
            known: PricingModels.known,
            aliases: ["reservations": "Reservation", "savingsplans": "SavingsPlan", "ondemand": "OnDemand",
                      "payg": "OnDemand", "payasyougo": "OnDemand"])
        var extras: [(Int, [UInt8])] = []
        var mapped: [(Int, Int)] = []
        for (i, target) in mapping.targets.enumerated() {
            switch target {
            case .column(let c): mapped.append((i, c))
            case .extra(let name): extras.append((i, Array(name.utf8)))
            }
        }
        extraFields = extras
        extraNameBytes = extras.reduce(0) { $0 + $1.1.count * 6 + 8 }
        mappedFields = mapped
    }

    deinit {
        values.deallocate()
        reals.deallocate()
    }

    public enum Outcome {
        case row
        case rejected(String)
    }

    /// Normalises the reader's current record.
    public func normalise(_ reader: CSVReader) -> Outcome {
        if let malformed = reader.malformedReason { return .rejected(malformed) }
        guard reader.fieldCount == mapping.headers.count else {
            return .rejected("expected \(mapping.headers.count) fields as in the header, found \(reader.fieldCount)")
        }
        arena.reset()
        // Reserve the worst case up front so the arena never moves while slices point into it.
        arena.reserve(reader.recordByteCount * 6 + reader.fieldCount * 16 + extraNameBytes + 64)
        for c in 0..<columnCount {
            values[c] = .null
            reals[c] = nil
        }
        for (field, column) in mappedFields {
            let f = reader.field(field)
            let raw = reader.bytes(of: field)
            switch types[column] {
            case .text:
                values[column] = f.hasEscapes ? unescaped(raw) : trimmedSlice(raw)
            case .real:
                guard raw.count > 0, !isBlank(raw) else { continue }
                let text = f.hasEscapes ? unescaped(raw) : ByteSlice(base: raw.baseAddress, count: raw.count)
                guard let value = ValueParsers.parseDouble(text.base!, text.count) else {
                    return .rejected("\(Catalog.columns[column].name) (column \(field + 1), `\(mapping.headers[field])`): expected a number, found `\(preview(raw))`")
                }
                reals[column] = value
            case .date:
                guard raw.count > 0, !isBlank(raw) else { continue }
                guard let (y, m, d) = ValueParsers.parseDate(raw.baseAddress!, raw.count) else {
                    return .rejected("\(Catalog.columns[column].name) (column \(field + 1), `\(mapping.headers[field])`): expected a date such as MM/dd/yyyy or yyyy-MM-dd, found `\(preview(raw))`")
                }
                values[column] = isoDate(y, m, d)
            case .jsonObject:
                let text = f.hasEscapes ? unescaped(raw) : trimmedSlice(raw)
                values[column] = wrapObject(text)
            }
        }
        if values[dateColumn].isNull {
            return .rejected("Date (column \(mapping.fieldOfColumn[dateColumn] + 1)): a date is required, the field is empty")
        }
        guard let cost = reals[costColumn] else {
            return .rejected("CostInBillingCurrency (column \(mapping.fieldOfColumn[costColumn] + 1), `\(mapping.headers[mapping.fieldOfColumn[costColumn]])`): a cost is required, the field is empty")
        }
        self.cost = cost == 0 ? 0 : cost
        values[chargeTypeColumn] = chargeTypes.canonical(values[chargeTypeColumn], column: "ChargeType", warnings: &warnings)
        values[pricingModelColumn] = pricingModels.canonical(values[pricingModelColumn], column: "PricingModel", warnings: &warnings)
        extra = extraFields.isEmpty ? .null : extraJSON(reader)
        return .row
    }

    // MARK: helpers

    @inline(__always)
    private func isBlank(_ raw: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in raw where b != 0x20 { return false }
        return true
    }

    @inline(__always)
    private func trimmedSlice(_ raw: UnsafeBufferPointer<UInt8>) -> ByteSlice {
        guard raw.count > 0 else { return .null }
        return ByteSlice(base: UnsafePointer(raw.baseAddress), count: raw.count)
    }

    private func unescaped(_ raw: UnsafeBufferPointer<UInt8>) -> ByteSlice {
        let start = arena.used
        CSVReader.unescape(raw) { arena.append($0) }
        let count = arena.used - start
        return count == 0 ? .null : ByteSlice(base: UnsafePointer(arena.storage + start), count: count)
    }

    private func isoDate(_ y: Int, _ m: Int, _ d: Int) -> ByteSlice {
        let start = arena.used
        @inline(__always) func put(_ v: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var value = v
            while divisor > 0 {
                arena.append(UInt8(0x30 + value / divisor))
                value %= divisor
                divisor /= 10
            }
        }
        put(y, 4)
        arena.append(0x2D)
        put(m, 2)
        arena.append(0x2D)
        put(d, 2)
        return ByteSlice(base: UnsafePointer(arena.storage + start), count: 10)
    }

    /// EA writes tags as object members without the braces; add them when missing.
    private func wrapObject(_ text: ByteSlice) -> ByteSlice {
        guard var base = text.base else { return .null }
        var count = text.count
        while count > 0 && (base[0] == 0x20 || base[0] == 0x09) { base += 1; count -= 1 }
        while count > 0 && (base[count - 1] == 0x20 || base[count - 1] == 0x09) { count -= 1 }
        guard count > 0 else { return .null }
        if base[0] == 0x7B { return ByteSlice(base: base, count: count) }
        let start = arena.used
        arena.append(0x7B)
        arena.append(UnsafeBufferPointer(start: base, count: count))
        arena.append(0x7D)
        return ByteSlice(base: UnsafePointer(arena.storage + start), count: count + 2)
    }

    private func extraJSON(_ reader: CSVReader) -> ByteSlice {
        let start = arena.used
        arena.append(0x7B)
        var first = true
        for (field, name) in extraFields {
            if !first { arena.append(0x2C) }
            first = false
            arena.append(0x22)
            name.withUnsafeBufferPointer { JSONText.appendEscaped($0, to: arena) }
            arena.append(0x22)
            arena.append(0x3A)
            arena.append(0x22)
            let raw = reader.bytes(of: field)
            if reader.field(field).hasEscapes {
                CSVReader.unescape(raw) { JSONText.appendEscaped($0, to: arena) }
            } else {
                JSONText.appendEscaped(raw, to: arena)
            }
            arena.append(0x22)
        }
        arena.append(0x7D)
        return ByteSlice(base: UnsafePointer(arena.storage + start), count: arena.used - start)
    }

    private func preview(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        let text = String(decoding: UnsafeBufferPointer(rebasing: raw.prefix(80)), as: UTF8.self)
        return raw.count > 80 ? text + "…" : text
    }
}

/// Counts of things worth a look that did not stop a row, for the load's ledger entry.
public struct Warnings: Sendable, Equatable {
    /// `"unknown ChargeType"` → value → count. Distinct values are capped.
    public private(set) var counts: [String: [String: Int]] = [:]
    public private(set) var total = 0
    static let maxDistinct = 100

    public init() {}

    public mutating func add(_ kind: String, _ value: String, count: Int = 1) {
        total += count
        var values = counts[kind, default: [:]]
        if values[value] != nil || values.count < Warnings.maxDistinct {
            values[value, default: 0] += count
        } else {
            values["(other values)", default: 0] += count
        }
        counts[kind] = values
    }

    public mutating func merge(_ other: Warnings) {
        for (kind, values) in other.counts {
            for (value, count) in values { add(kind, value, count: count) }
        }
    }
}

/// Maps the spellings of a small value set onto their canonical form.
final class ValueCanonicaliser {
    private let canonical: [[UInt8]]
    private let storage: UnsafeMutablePointer<UInt8>
    private let slices: [ByteSlice]
    private let byKey: [String: Int]
    private var lastUnknown: [UInt8] = []

    init(known: [String], aliases: [String: String]) {
        canonical = known.map { Array($0.utf8) }
        let total = max(canonical.reduce(0) { $0 + $1.count }, 1)
        storage = .allocate(capacity: total)
        var slices: [ByteSlice] = []
        var offset = 0
        for bytes in canonical {
            (storage + offset).update(from: bytes, count: bytes.count)
            slices.append(ByteSlice(base: UnsafePointer(storage + offset), count: bytes.count))
            offset += bytes.count
        }
        self.slices = slices
        var byKey: [String: Int] = [:]
        for (i, k) in known.enumerated() { byKey[CanonicalColumn.normalise(k)] = i }
        for (alias, target) in aliases { byKey[alias] = known.firstIndex(of: target) }
        self.byKey = byKey
    }

    deinit { storage.deallocate() }

    @inline(__always)
    func canonical(_ value: ByteSlice, column: String, warnings: inout Warnings) -> ByteSlice {
        guard let base = value.base else { return .null }
        // Exact spellings are the common case: compare bytes before normalising.
        for (i, bytes) in canonical.enumerated() where bytes.count == value.count && bytes.count > 0 {
            var equal = true
            for k in 0..<bytes.count where bytes[k] != base[k] {
                equal = false
                break
            }
            if equal { return slices[i] }
        }
        let text = String(decoding: UnsafeBufferPointer(start: base, count: value.count), as: UTF8.self)
        if let i = byKey[CanonicalColumn.normalise(text)] { return slices[i] }
        warnings.add("unknown \(column)", text)
        return value
    }
}
