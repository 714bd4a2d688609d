import Foundation

/// The summaries every figure prints: the median of the runs, and its spread.
package enum Statistics {
    package static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// `median (min–max)`, three decimals.
    package static func spread(_ values: [Double]) -> String {
        String(format: "%.3f (%.3f–%.3f)", median(values), values.min() ?? 0, values.max() ?? 0)
    }
}
