import CostwhModel
import Foundation

/// Where each partition of a lake lives: Hive-style folders that engines prune by, named
/// after the columns they hold, with one file per partition so that replacing a partition is
/// one atomic rename.
///
/// ```
/// DIR/_manifest.json
/// DIR/cost_details/Scope=<scope>/BillingPeriod=YYYY-MM/Metric=ActualCost|AmortizedCost/data.parquet
/// DIR/focus_costs/Scope=<scope>/BillingPeriod=YYYY-MM/data.parquet
/// ```
///
/// A scope is percent-encoded: every byte but ASCII letters, digits, `-`, `_` and `.` becomes
/// `%XX` (uppercase), as Hive escapes partition values, so `/providers/Microsoft.Billing/…`
/// is one safe folder name that Spark and DuckDB decode back to the scope.
package enum LakeLayout {
    package static let manifest = "_manifest.json"
    package static let lock = "_costwh.lock"
    package static let fileName = "data.parquet"
    package static let costDetails = "cost_details"
    package static let focus = "focus_costs"

    package static func encode(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if byte < 0x80 && (c.isLetter || c.isNumber || c == "-" || c == "_" || c == ".") {
                out.append(c)
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        // "." and ".." are not folder names one can keep.
        if out == "." || out == ".." { return out.replacingOccurrences(of: ".", with: "%2E") }
        return out
    }

    package static func decode(_ name: String) -> String? {
        var bytes: [UInt8] = []
        var i = name.utf8.startIndex
        let utf8 = name.utf8
        while i < utf8.endIndex {
            let b = utf8[i]
            if b == UInt8(ascii: "%") {
                let h = utf8.index(after: i)
                guard h < utf8.endIndex, utf8.index(after: h) < utf8.endIndex else { return nil }
                let l = utf8.index(after: h)
                guard let hi = hex(utf8[h]), let lo = hex(utf8[l]) else { return nil }
                bytes.append(hi << 4 | lo)
                i = utf8.index(after: l)
            } else {
                bytes.append(b)
                i = utf8.index(after: i)
            }
        }
        return String(bytes: bytes, encoding: .utf8)
    }

    private static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    /// The folder of a cost-details partition, relative to the lake.
    package static func folder(scope: String, period: String, metric: String) -> String {
        "\(costDetails)/Scope=\(encode(scope))/BillingPeriod=\(period)/Metric=\(metric)"
    }

    /// The folder of a FOCUS partition (scope × billing period), relative to the lake.
    package static func focusFolder(scope: String, period: String) -> String {
        "\(focus)/Scope=\(encode(scope))/BillingPeriod=\(period)"
    }
}
