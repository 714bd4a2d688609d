import CostwhLoad

/// A partition's cost per currency, added up row by row as the lake's files are written (the
/// manifest's totals). The running currency is kept as bytes: rows come in runs of one
/// currency, and a `String` and a hash per row were a tenth of an export's time. The sums
/// are made in row order, as a plain `[String: Double]` would make them.
struct CurrencyTotals {
    private var totals: [String: Double] = [:]
    private var currency: [UInt8]?
    private var running = 0.0

    /// Adds the row's cost (`money`) in its currency (`currency`, none: ""); a row without a
    /// numeric cost adds nothing.
    mutating func add(_ cursor: any RowCursor, money: Int?, currency column: Int?) {
        guard let money else { return }
        let amount: Double
        switch cursor.number(money) {
        case .real(let v): amount = v
        case .integer(let v): amount = Double(v)
        case .null, .other: return
        }
        // `withCell`: one call into the store (`withBytes` was three); a NULL's bytes are none.
        let same =
            column.map { c in cursor.withCell(c) { _, bytes in currency.map { $0.elementsEqual(bytes) } ?? false } }
            ?? (currency == [])
        if !same {
            settle()
            let bytes = column.map { c in cursor.withCell(c) { _, bytes in Array(bytes) } } ?? []
            currency = bytes
            running = totals[String(decoding: bytes, as: UTF8.self)] ?? 0
        }
        running += amount
    }

    private mutating func settle() {
        if let currency { totals[String(decoding: currency, as: UTF8.self)] = running }
    }

    /// The totals so far.
    var all: [String: Double] {
        var copy = self
        copy.settle()
        return copy.totals
    }
}
