import CostwhBytes
import CostwhModel

/// Turns the reader's current record into canonical values, or says why it cannot.
///
/// The rule it follows: a row whose date and cost can be read is never lost. A field that
/// cannot be read (a secondary date or number, Tags or AdditionalInfo that are not JSON
/// objects) is stored NULL in its typed column and kept as it was in the row's extra JSON
/// under its header name, and the repair is counted in `warnings`. Only a row whose date or
/// cost cannot be read, or whose fields cannot be split, is refused.
///
/// Values are byte slices into the reader's buffer or the normaliser's arena and stay valid
/// until the next record. Nothing here allocates per row on the common path.
package final class RowNormaliser {
    package let mapping: HeaderMapping
    package let file: String
    package let dialect: Dialect
    /// For a FOCUS file, the metric this pass reads: ActualCost takes `BilledCost`,
    /// AmortizedCost takes `EffectiveCost` (see docs/INPUT.md).
    package let focusMetric: Metric
    /// Per canonical column: its text value (`.null` when absent or empty).
    package let values: UnsafeMutablePointer<ByteSlice>
    /// Per canonical column of type `.real`: its value, or nil.
    package let reals: UnsafeMutablePointer<Double?>
    /// The unknown columns of the row, and the raw text of any repaired field, as one JSON
    /// object; `.null` when there are neither.
    package private(set) var extra = ByteSlice.null
    package private(set) var cost: Double = 0
    /// Warnings by kind and value: unknown ChargeType values, repairs by column.
    package private(set) var warnings = Warnings()

    private let arena = ByteArena()
    private let columnCount = Catalog.columns.count
    private let dateColumn = Catalog.index[Catalog.date]!
    private let costColumn = Catalog.index[Catalog.cost]!
    /// The column whose value is the row's cost: CostInBillingCurrency, or for FOCUS the
    /// metric's cost column.
    private let sourceCostColumn: Int
    private let chargeTypeColumn = Catalog.index[Catalog.chargeType]!
    private let pricingModelColumn = Catalog.index[Catalog.pricingModel]!
    private let chargeTypes: ValueCanonicaliser
    private let pricingModels: ValueCanonicaliser
    private let types: [CanonicalColumn.ValueType]
    private let extraFields: [(field: Int, name: [UInt8])]
    /// A costwh export's `ExtraColumns` field, whose members become the row's extras again.
    private let extraObjectField: Int?
    private let headerNames: [[UInt8]]
    private let extraNameBytes: Int
    private let mappedFields: [(field: Int, column: Int)]
    /// The only columns whose `reals` a row can set (the mapped ones and the cost), reset
    /// before each row instead of all of them: storing a `Double?` per catalog column per
    /// row was a tenth of the Parquet path's normalising time.
    private let realColumns: [Int]
    private let isFocus: Bool
    private let dayFirst: Bool
    /// Fields repaired in the current row, kept raw in its extra JSON.
    private var repaired: [Int] = []
    /// Per field: its dictionary entries' normalised values (Parquet), each made once.
    private let entryCaches: UnsafeMutablePointer<EntryCache>
    /// The reader's `dictionaryEpoch` the caches were checked against.
    private var dictionaryEpoch = -1
    /// The current batch's dictionary entries, normalised (`resolveBatch`): row by row, one
    /// per mapped field (`.unknown` where the field holds no entry).
    private var resolved: UnsafeMutablePointer<EntryCache.Entry> = .allocate(capacity: 1)
    private var resolvedCapacity = 1
    private var resolvedSerial = -1
    /// Whether a Tags or AdditionalInfo value is a JSON object: such values repeat on
    /// millions of rows, so each is checked once. A direct-mapped cache of (XXH64, length,
    /// valid), cheaper per row than a dictionary; a slot holds its latest value.
    private let objectCache = UnsafeMutablePointer<UInt64>.allocate(capacity: RowNormaliser.objectSlots * 2)
    private static let objectSlots = 1 << 13

    /// Rows set aside because their billing period is another than `period`, by period
    /// (`yyyy-MM`).
    package private(set) var otherPeriods: [String: Int] = [:]
    /// Rows without a billing period whose Date lies outside `period`, and rows with a
    /// Date at all: a file mostly outside its period was given the wrong one.
    package private(set) var datesOutsidePeriod = 0
    package private(set) var datedRows = 0
    /// The period being loaded as `yyyy-MM` bytes, when known.
    private let period: [UInt8]?
    private let billingPeriodColumn = Catalog.index["BillingPeriodStartDate"]!

    package init(
        mapping: HeaderMapping, file: String, dialect: Dialect = .azure, focusMetric: Metric = .actualCost,
        period: BillingPeriod? = nil
    ) {
        self.period = period.map { Array($0.description.utf8) }
        self.mapping = mapping
        self.file = file
        self.dialect = dialect
        self.focusMetric = focusMetric
        isFocus = mapping.schema.isFocus
        dayFirst = dialect.dateOrder == .dayFirst
        sourceCostColumn =
            isFocus
            ? Catalog.index[focusMetric == .actualCost ? "BilledCost" : "EffectiveCost"]!
            : Catalog.index[Catalog.cost]!
        values = .allocate(capacity: Catalog.columns.count)
        values.initialize(repeating: .null, count: Catalog.columns.count)
        reals = .allocate(capacity: Catalog.columns.count)
        reals.initialize(repeating: nil, count: Catalog.columns.count)
        types = Catalog.columns.map(\.type)
        chargeTypes = ValueCanonicaliser(
            known: ChargeTypes.known,
            aliases: [
                "unusedreservations": "UnusedReservation", "unusedsavingsplans": "UnusedSavingsPlan",
                "refunds": "Refund", "purchases": "Purchase",
            ])
        pricingModels = ValueCanonicaliser(
            known: PricingModels.known,
            aliases: [
                "reservations": "Reservation", "savingsplans": "SavingsPlan", "ondemand": "OnDemand",
                "payg": "OnDemand", "payasyougo": "OnDemand",
            ])
        var extras: [(Int, [UInt8])] = []
        var mapped: [(Int, Int)] = []
        var object: Int?
        for (i, target) in mapping.targets.enumerated() {
            switch target {
            case .column(let c): mapped.append((i, c))
            case .extra(let name): extras.append((i, Array(name.utf8)))
            case .ignored: break
            case .extraObject: object = i
            }
        }
        extraFields = extras
        extraObjectField = object
        headerNames = mapping.headers.map { Array(HeaderMapping.displayName($0).utf8) }
        extraNameBytes = headerNames.reduce(0) { $0 + $1.count * 6 + 8 }
        mappedFields = mapped
        realColumns = Array(Set(mapped.map { $0.1 } + [costColumn])).sorted()
        entryCaches = .allocate(capacity: max(1, mapping.headers.count))
        // One cache each: a cache owns the storage it allocates.
        for f in 0..<max(1, mapping.headers.count) { (entryCaches + f).initialize(to: EntryCache()) }
        repaired.reserveCapacity(mapping.headers.count)
        objectCache.initialize(repeating: 0, count: RowNormaliser.objectSlots * 2)
    }

    deinit {
        for f in 0..<max(1, mapping.headers.count) { entryCaches[f].release() }
        entryCaches.deinitialize(count: max(1, mapping.headers.count))
        entryCaches.deallocate()
        resolved.deallocate()
        values.deallocate()
        reals.deallocate()
        objectCache.deallocate()
    }

    package enum Outcome {
        case row
        case rejected(String)
        /// A FOCUS row that exists only in the other metric (an unused commitment in
        /// ActualCost, a commitment purchase in AmortizedCost); its cost here is 0.
        case otherMetric
        /// A row whose billing period is not the one being loaded (`ReadOptions.period`).
        case otherPeriod
    }

    /// Normalises the reader's current record.
    package func normalise<R: RecordFields>(_ reader: R) -> Outcome {
        if let malformed = reader.malformedReason { return .rejected(malformed) }
        let expected = mapping.headers.count
        var present = reader.fieldCount
        if present != expected {
            if present > expected {
                for f in expected..<present where reader.bytes(of: f).count > 0 {
                    return .rejected(
                        "expected \(expected) fields as in the header, found \(present) (field \(f + 1) is not empty)")
                }
                warnings.add("repaired: trailing empty fields trimmed", "\(present - expected) extra")
                present = expected
            } else {
                warnings.add("repaired: short row padded with empty fields", "\(expected - present) missing")
            }
        }
        if R.hasDictionaries && reader.batchSerial != resolvedSerial { resolveBatch(reader) }
        arena.reset()
        // Reserve the worst case up front so the arena never moves while slices point into it.
        arena.reserve(reader.recordByteCount * 6 + reader.fieldCount * 16 + extraNameBytes + 64)
        values.update(repeating: .null, count: columnCount)
        for c in realColumns { reals[c] = nil }
        repaired.removeAll(keepingCapacity: true)
        let resolvedRow = R.hasDictionaries ? resolved + reader.rowInBatch * mappedFields.count : resolved
        for (k, (field, column)) in mappedFields.enumerated() where field < present {
            if R.hasDictionaries && resolvedRow[k].kind != .unknown {
                if let rejection = applyEntry(resolvedRow[k], field, column) { return .rejected(rejection) }
                continue
            }
            // A number the reader holds typed (Parquet; never CSV, whose `number` is nil and
            // compiled away) is taken as it is, where its text would be parsed as a point decimal.
            if let number = reader.number(field), case .real = types[column], !dialect.decimalComma {
                reals[column] = number
                continue
            }
            switch normaliseField(field, column, reader.bytes(of: field), escaped: reader.hasEscapes(field)) {
            case .skip: break
            case .text(let value): values[column] = value
            case .real(let value): reals[column] = value
            case .date(let value, let keepRaw):
                values[column] = value
                if keepRaw { repaired.append(field) }
            case .repair(let kind): repair(field, kind, column)
            case .reject(let reason): return .rejected(reason)
            }
        }
        if values[dateColumn].isNull {
            let field = mapping.fieldOfColumn[dateColumn]
            return .rejected(
                "\(isFocus ? "ChargePeriodStart" : "Date") (column \(field + 1)): a date is required, the field is empty"
            )
        }
        if let period, let other = belongsElsewhere(period) { return other }
        let cost: Double
        if let value = reals[sourceCostColumn] {
            cost = value == 0 ? 0 : value
        } else {
            // An empty cost is a row without a charge, not a row without a meaning.
            warnings.add("repaired: empty cost read as 0", Catalog.columns[sourceCostColumn].name)
            cost = 0
        }
        self.cost = cost
        reals[costColumn] = cost
        if isFocus {
            if let other = focusCharge() { return other }
        } else {
            values[chargeTypeColumn] = chargeTypes.canonical(
                values[chargeTypeColumn], column: "ChargeType", warnings: &warnings)
            values[pricingModelColumn] = pricingModels.canonical(
                values[pricingModelColumn], column: "PricingModel", warnings: &warnings)
        }
        extra =
            extraFields.isEmpty && repaired.isEmpty && extraObjectField == nil ? .null : extraJSON(reader, present: present)
        return .row
    }

    /// What one field's text normalises to.
    enum FieldResult {
        /// Null or blank: the column stays NULL.
        case skip
        case text(ByteSlice)
        case real(Double)
        /// An ISO date; `keepRaw` when the text had a time of day, kept in the extras.
        case date(ByteSlice, keepRaw: Bool)
        /// Unreadable: NULL in its column, the text kept in the extras, counted as `kind`.
        case repair(String)
        /// The row cannot be loaded (its date or cost is unreadable).
        case reject(String)
    }

    /// The rules for one field's text in its canonical column. Slices point into `raw` or
    /// into the arena.
    @inline(__always)
    private func normaliseField(
        _ field: Int, _ column: Int, _ raw: UnsafeBufferPointer<UInt8>, escaped: Bool
    ) -> FieldResult {
        if isFocus && isNullLiteral(raw) { return .skip }
        switch types[column] {
        case .text:
            let value = escaped ? unescaped(raw) : trimmedSlice(raw)
            return value.isNull ? .skip : .text(value)
        case .real:
            guard raw.count > 0, !isBlank(raw) else { return .skip }
            let text = escaped ? unescaped(raw) : ByteSlice(base: raw.baseAddress, count: raw.count)
            let parsed =
                dialect.decimalComma
                ? RowNormaliser.parseDecimalComma(text) : ValueParsers.parseDouble(text.base!, text.count)
            guard let value = parsed else {
                if column == sourceCostColumn {
                    return .reject(
                        "\(Catalog.columns[column].name) (column \(field + 1), `\(mapping.headers[field])`): expected a number, found `\(preview(raw))`"
                    )
                }
                return .repair("repaired: unreadable number")
            }
            return .real(value)
        case .date:
            guard raw.count > 0, !isBlank(raw) else { return .skip }
            guard let (y, m, d) = ValueParsers.parseDate(raw.baseAddress!, raw.count, dayFirst: dayFirst) else {
                if column == dateColumn {
                    return .reject(
                        "\(Catalog.columns[column].name) (column \(field + 1), `\(mapping.headers[field])`): expected a date such as \(dayFirst ? "dd/MM/yyyy" : "MM/dd/yyyy") or yyyy-MM-dd, found `\(preview(raw))`"
                    )
                }
                return .repair("repaired: unreadable date")
            }
            // A FOCUS charge period of hours keeps its time: the row's Date is the day, and
            // the text as given is kept in the extras, which focus_costs returns.
            return .date(
                isoDate(y, m, d), keepRaw: isFocus && column == dateColumn && RowNormaliser.hasTimeOfDay(raw))
        case .jsonObject:
            let text = escaped ? unescaped(raw) : trimmedSlice(raw)
            let object = wrapObject(text)
            if !object.isNull && !isObject(object) { return .repair("repaired: not a JSON object") }
            return object.isNull ? .skip : .text(object)
        }
    }

    /// Normalises the dictionary entries the batch's rows hold, column by column: each
    /// entry once, when a row first holds it (`EntryCache`), and each column's cache used
    /// while it is in the processor's cache, not all of them in turn for every row.
    private func resolveBatch<R: RecordFields>(_ reader: R) {
        resolvedSerial = reader.batchSerial
        if reader.dictionaryEpoch != dictionaryEpoch {
            // A dictionary changed: the caches of its entries are stale.
            dictionaryEpoch = reader.dictionaryEpoch
            for f in 0..<mapping.headers.count {
                let generation = reader.dictionaryGeneration(f)
                if entryCaches[f].generation != generation { entryCaches[f].reset(generation: generation) }
            }
        }
        let rows = reader.batchRows
        let width = mappedFields.count
        if rows * width > resolvedCapacity {
            resolved.deallocate()
            resolvedCapacity = rows * width
            resolved = .allocate(capacity: resolvedCapacity)
        }
        // The entries' own normalisation may use the arena: it is reset before each row.
        arena.reset()
        for (k, (field, column)) in mappedFields.enumerated() {
            let cache = entryCaches + field
            guard field < reader.fieldCount, let slots = reader.entrySlots(field) else {
                for r in 0..<rows { (resolved + r * width + k).initialize(to: EntryCache.Entry()) }
                continue
            }
            var r = 0
            while r < rows {
                let entry = Int(slots[r])
                var value = EntryCache.Entry()
                if entry >= 0 {
                    value = cache.pointee.value(entry)
                    if value.kind == .unknown {
                        let text = reader.entryBytes(field, entry: entry)
                        arena.reset()
                        arena.reserve(text.count * 6 + 64)
                        let result = normaliseField(field, column, text, escaped: false)
                        value = cache.pointee.store(result, entry: entry)
                    }
                }
                (resolved + r * width + k).initialize(to: value)
                r += 1
            }
        }
    }

    /// Applies a field's resolved dictionary entry to the row; the rejection's reason when
    /// the entry makes the row unloadable.
    @inline(__always)
    private func applyEntry(_ cached: EntryCache.Entry, _ field: Int, _ column: Int) -> String? {
        switch cached.kind {
        case .unknown, .skip: return nil
        case .text, .date: values[column] = entryCaches[field].slice(cached)
        case .real: reals[column] = cached.real
        case .dateKeepingRaw:
            values[column] = entryCaches[field].slice(cached)
            repaired.append(field)
        case .repair: repair(field, entryCaches[field].message(cached), column)
        case .reject: return entryCaches[field].message(cached)
        }
        return nil
    }

    // MARK: billing periods

    /// `.otherPeriod` when the row's billing period is known and is not `period`; rows
    /// without one are counted by their Date instead, which may lie outside (late charges).
    private func belongsElsewhere(_ period: [UInt8]) -> Outcome? {
        let billing = values[billingPeriodColumn]
        if !billing.isNull, billing.count >= 7 {
            if RowNormaliser.samePrefix(billing.base!, period, 7) { return nil }
            otherPeriods[String(decoding: UnsafeBufferPointer(start: billing.base!, count: 7), as: UTF8.self), default: 0] += 1
            return .otherPeriod
        }
        let date = values[dateColumn]
        datedRows += 1
        if date.count >= 7, !RowNormaliser.samePrefix(date.base!, period, 7) { datesOutsidePeriod += 1 }
        return nil
    }

    /// Whether the first `count` bytes of `a` are those of `b` (`b` holds at least `count`).
    private static func samePrefix(_ a: UnsafePointer<UInt8>, _ b: [UInt8], _ count: Int) -> Bool {
        for i in 0..<count where a[i] != b[i] { return false }
        return true
    }

    // MARK: FOCUS

    private lazy var focusColumns = (
        category: Catalog.index["ChargeCategory"]!, chargeClass: Catalog.index["ChargeClass"]!,
        status: Catalog.index["CommitmentDiscountStatus"]!, type: Catalog.index["CommitmentDiscountType"]!,
        pricing: Catalog.index["PricingCategory"]!, benefit: Catalog.index["BenefitId"]!,
        description: Catalog.index["ChargeDescription"]!
    )

    /// Sets ChargeType and PricingModel from the FOCUS charge columns, inverting the FinOps
    /// toolkit's Cost Management → FOCUS conversion, and says when the row belongs only to
    /// the other metric. Returns nil for a row of this metric.
    private func focusCharge() -> Outcome? {
        let c = focusColumns
        func key(_ column: Int) -> String { values[column].string.map { CanonicalColumn.normalise($0) } ?? "" }
        let category = key(c.category)
        let status = key(c.status)
        let type = key(c.type)
        let benefit = values[c.benefit].string?.lowercased() ?? ""
        let pricing = key(c.pricing)
        let isSavingsPlan = type.contains("savings") || benefit.contains("/microsoft.billingbenefits/")
        let isCommitment = !type.isEmpty || !benefit.isEmpty || pricing == "committed" || pricing == "commitmentbased"
        var chargeType: String
        switch category {
        case "usage":
            chargeType = status == "unused" ? (isSavingsPlan ? "UnusedSavingsPlan" : "UnusedReservation") : "Usage"
        case "purchase": chargeType = key(c.chargeClass) == "correction" ? "Refund" : "Purchase"
        case "credit": chargeType = "Credit"
        case "tax": chargeType = "Tax"
        case "adjustment":
            // Cost Management's RoundingAdjustment has no FOCUS category of its own; its
            // description says what it is.
            let description = values[c.description].string?.lowercased() ?? ""
            chargeType = description.contains("rounding") ? "RoundingAdjustment" : "Adjustment"
        default: chargeType = ""
        }
        var pricingModel: String?
        switch pricing {
        case "committed", "commitmentbased": pricingModel = isSavingsPlan ? "SavingsPlan" : "Reservation"
        case "standard", "ondemand": pricingModel = "OnDemand"
        case "dynamic": pricingModel = "Spot"
        default: pricingModel = nil
        }
        if (chargeType == "Purchase" || chargeType == "Refund") && isCommitment {
            pricingModel = isSavingsPlan ? "SavingsPlan" : "Reservation"
        }
        if chargeType.isEmpty {
            if !values[c.category].isNull { warnings.add("unknown ChargeCategory", values[c.category].string ?? "") }
            values[chargeTypeColumn] = values[c.category]
        } else {
            values[chargeTypeColumn] = chargeTypes.slice(chargeType)
        }
        values[pricingModelColumn] = pricingModel.map { pricingModels.slice($0) } ?? .null
        guard cost == 0 else { return nil }
        switch focusMetric {
        case .actualCost where status == "unused": return .otherMetric
        case .amortizedCost where isCommitment && (chargeType == "Purchase" || chargeType == "Refund"):
            return .otherMetric
        default: return nil
        }
    }

    // MARK: helpers

    private func repair(_ field: Int, _ kind: String, _ column: Int) {
        warnings.add(kind, Catalog.columns[column].name)
        repaired.append(field)
    }

    /// Whether a date-time's text names a time other than midnight (`2024-09-18 22:00:00`):
    /// a non-zero digit after the date's ten characters.
    static func hasTimeOfDay(_ raw: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < raw.count && raw[i] == 0x20 { i += 1 }
        i += 10
        while i < raw.count {
            let c = raw[i]
            if c >= 0x31 && c <= 0x39 { return true }
            i += 1
        }
        return false
    }

    /// FOCUS exports written from SQL (the FOCUS sample data) spell null as a bare `NULL`.
    @inline(__always)
    private func isNullLiteral(_ raw: UnsafeBufferPointer<UInt8>) -> Bool {
        raw.count == 4 && raw[0] == 0x4E && raw[1] == 0x55 && raw[2] == 0x4C && raw[3] == 0x4C
    }

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

    @inline(__always)
    private func isObject(_ value: ByteSlice) -> Bool {
        let bytes = UnsafeBufferPointer(start: value.base, count: value.count)
        let hash = XXH64.hash(UnsafeRawBufferPointer(bytes))
        let slot = Int(truncatingIfNeeded: hash & UInt64(RowNormaliser.objectSlots - 1)) * 2
        // A value is at least `{}`, so a stored tag is never 0, the empty slot.
        let tag = UInt64(value.count) << 1
        let stored = objectCache[slot + 1]
        if objectCache[slot] == hash && stored & ~1 == tag { return stored & 1 == 1 }
        let valid = JSONText.isObject(bytes)
        objectCache[slot] = hash
        objectCache[slot + 1] = tag | (valid ? 1 : 0)
        return valid
    }

    /// `1.234,56` → 1234.56; `-0,5` → -0.5; a lone `1.234` is a thousands group.
    static func parseDecimalComma(_ text: ByteSlice) -> Double? {
        guard let base = text.base, text.count > 0, text.count < 256 else { return nil }
        var hasComma = false
        for i in 0..<text.count where base[i] == 0x2C { hasComma = true }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: text.count) { out -> Double? in
            var n = 0
            var groupedPoints = !hasComma
            if !hasComma {
                // Without a comma, a point is a thousands separator only in `d{1,3}(.ddd)+`.
                var digits = 0
                var sawPoint = false
                for i in 0..<text.count {
                    let b = base[i]
                    if b >= 0x30 && b <= 0x39 {
                        digits += 1
                    } else if b == 0x2E {
                        if sawPoint ? digits != 3 : digits == 0 || digits > 3 { groupedPoints = false }
                        sawPoint = true
                        digits = 0
                    } else if !(i == 0 && (b == 0x2D || b == 0x2B)) {
                        groupedPoints = false
                    }
                }
                if !sawPoint || digits != 3 { groupedPoints = false }
            }
            for i in 0..<text.count {
                let b = base[i]
                if b == 0x2E && (hasComma || groupedPoints) { continue }
                out[n] = b == 0x2C ? 0x2E : b
                n += 1
            }
            return ValueParsers.parseDouble(UnsafePointer(out.baseAddress!), n)
        }
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
        while count > 0 && (base[0] == 0x20 || base[0] == 0x09) {
            base += 1
            count -= 1
        }
        while count > 0 && (base[count - 1] == 0x20 || base[count - 1] == 0x09) { count -= 1 }
        guard count > 0 else { return .null }
        if base[0] == 0x7B { return ByteSlice(base: base, count: count) }
        let start = arena.used
        arena.append(0x7B)
        arena.append(UnsafeBufferPointer(start: base, count: count))
        arena.append(0x7D)
        return ByteSlice(base: UnsafePointer(arena.storage + start), count: count + 2)
    }

    private func extraJSON<R: RecordFields>(_ reader: R, present: Int) -> ByteSlice {
        let start = arena.used
        arena.append(0x7B)
        var first = true
        func member(_ field: Int, _ name: [UInt8]) {
            if !first { arena.append(0x2C) }
            first = false
            arena.append(0x22)
            _ = name.withUnsafeBufferPointer { JSONText.appendEscaped($0, to: arena) }
            arena.append(0x22)
            arena.append(0x3A)
            arena.append(0x22)
            if field < present {
                let raw = reader.bytes(of: field)
                var nuls = 0
                if reader.hasEscapes(field) {
                    CSVReader.unescape(raw) { nuls = JSONText.appendEscaped($0, to: arena) }
                } else {
                    nuls = JSONText.appendEscaped(raw, to: arena)
                }
                if nuls > 0 {
                    warnings.add(
                        "repaired: NUL character replaced by U+FFFD", String(decoding: name, as: UTF8.self), count: nuls)
                }
            }
            arena.append(0x22)
        }
        if let field = extraObjectField, field < present {
            // The members of costwh's own ExtraColumns object, as they were; anything else in
            // that field is kept as a field of its own.
            var raw: [UInt8] = []
            if reader.hasEscapes(field) {
                CSVReader.unescape(reader.bytes(of: field)) { raw.append(contentsOf: $0) }
            } else {
                raw = Array(reader.bytes(of: field))
            }
            let object = raw.withUnsafeBufferPointer { JSONText.isObject($0) }
            if raw.count > 2, raw.first == 0x7B, raw.last == 0x7D, object {
                raw.withUnsafeBufferPointer { arena.append(UnsafeBufferPointer(rebasing: $0[1..<($0.count - 1)])) }
                first = false
            } else if !raw.isEmpty {
                member(field, Array(Catalog.extraColumns.utf8))
            }
        }
        for (field, name) in extraFields { member(field, name) }
        for field in repaired { member(field, headerNames[field]) }
        if first && extraFields.isEmpty && repaired.isEmpty {
            arena.rewind(to: start)
            return .null
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
package struct Warnings: Sendable, Equatable {
    /// `"unknown ChargeType"` → value → count. Distinct values are capped.
    package private(set) var counts: [String: [String: Int]] = [:]
    package private(set) var total = 0
    static let maxDistinct = 100
    /// Kinds that say how the input was read rather than what was wrong with it: kept in the
    /// ledger, not counted as warnings.
    package static let readFrom = "read from"
    static let notes: Set<String> = [readFrom]

    package init() {}

    package mutating func add(_ kind: String, _ value: String, count: Int = 1) {
        if !Warnings.notes.contains(kind) { total += count }
        var values = counts[kind, default: [:]]
        if values[value] != nil || values.count < Warnings.maxDistinct {
            values[value, default: 0] += count
        } else {
            values["(other values)", default: 0] += count
        }
        counts[kind] = values
    }

    package mutating func merge(_ other: Warnings) {
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

    /// The stored spelling of a known value.
    func slice(_ known: String) -> ByteSlice {
        guard let i = canonical.firstIndex(of: Array(known.utf8)) else { return .null }
        return slices[i]
    }

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
