import CostwhLoad
import CostwhModel
import Foundation

/// How a column's values are shown to people (tables and Markdown): money with its currency's
/// minor units and code, percentages with one decimal, counts and ids exactly. CSV and JSON
/// never go through this: they keep full precision.
enum CellFormat: Equatable {
    /// Money in the currency named by the row's value in column `currency` (nil: no code).
    case money(currency: Int?)
    /// A percentage; `scale` is 100 for a ratio such as 0.107.
    case percent(scale: Double)
    /// Hours and other quantities: two decimals.
    case quantity
    case text

    /// The format of each column of `table`, from its name and values.
    static func of(_ table: ResultTable) -> [CellFormat] {
        let currency = ["Currency", "BillingCurrency", "Currencies"].lazy.compactMap {
            table.columns.firstIndex(of: $0)
        }
        .first
        return table.columns.indices.map { i in
            let name = table.columns[i]
            let values = table.rows.lazy.map { $0[i] }.filter { !$0.isNull }
            guard !values.isEmpty, values.allSatisfy({ $0.double != nil }) else { return .text }
            if name.hasSuffix("Percent") { return .percent(scale: 1) }
            if name.hasSuffix("Rate") { return .percent(scale: 100) }
            if name.contains("Hours") || name.contains("Quantity") { return .quantity }
            // Rows, counts and ids are integers and stay exact.
            if values.allSatisfy({ if case .integer = $0 { return true } else { return false } }) { return .text }
            return .money(currency: currency)
        }
    }

    /// The text of `value` in this format; `row` supplies the currency code.
    func text(_ value: StoreValue, row: [StoreValue]) -> String {
        guard let number = value.double else { return TableFormatter.text(value) }
        switch self {
        case .text: return TableFormatter.text(value)
        case .quantity: return CellFormat.grouped(number, decimals: 2)
        case .percent(let scale): return CellFormat.grouped(number * scale, decimals: 1) + " %"
        case .money(let column):
            guard let column, case .text(let code) = row[column], CellFormat.isCurrencyCode(code) else {
                return CellFormat.grouped(number, decimals: 2)
            }
            return CellFormat.grouped(number, decimals: CellFormat.minorUnits(code)) + " " + code
        }
    }

    var isNumeric: Bool { self != .text }

    static func isCurrencyCode(_ s: String) -> Bool {
        s.utf8.count == 3 && s.utf8.allSatisfy { $0 >= 0x41 && $0 <= 0x5A }
    }

    /// ISO 4217 minor units: most currencies have 2; these have 0 or 3.
    static func minorUnits(_ code: String) -> Int {
        switch code {
        case "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF",
            "XOF", "XPF":
            return 0
        case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND": return 3
        default: return 2
        }
    }

    /// `1234567.891` with 2 decimals is `1,234,567.89`; a value that rounds to zero has no sign.
    static func grouped(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return String(value) }
        var text = String(format: "%.\(decimals)f", value)
        if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { text.removeFirst() }
        let negative = text.hasPrefix("-")
        if negative { text.removeFirst() }
        let parts = text.split(separator: ".", maxSplits: 1)
        var whole = ""
        for (n, digit) in parts[0].reversed().enumerated() {
            if n > 0 && n % 3 == 0 { whole.append(",") }
            whole.append(digit)
        }
        var out = (negative ? "-" : "") + String(whole.reversed())
        if parts.count > 1 { out += "." + parts[1] }
        return out
    }
}
