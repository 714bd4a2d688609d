import CostwhLoad
import Foundation

/// A load's progress as one line for people: `loading part: 42.0 % · 312,000 rows · 24 of 57
/// MiB · 95 MiB/s · 3 s left`; without a known size, rows and MiB read.
package enum ProgressText {
    package static func line(verb: String, _ p: LoadProgress, elapsed: TimeInterval) -> String {
        let rows = p.rows.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US")))
        let read = p.readBytes > 0 ? p.readBytes : p.bytes
        var fields = ["\(rows) rows"]
        let mib = { (bytes: Int) in String(format: "%.0f", Double(bytes) / 1_048_576) }
        if let fraction = p.fraction, let total = p.totalBytes {
            fields.insert(String(format: "%.1f %%", fraction * 100), at: 0)
            fields.append("\(mib(read)) of \(mib(total)) MiB")
        } else {
            fields.append("\(mib(read)) MiB")
        }
        if elapsed >= 0.5 {
            let rate = Double(read) / elapsed
            fields.append(String(format: "%.0f MiB/s", rate / 1_048_576))
            if let total = p.totalBytes, rate > 0, read > 0 {
                fields.append(duration(max(0, Double(total - read) / rate)) + " left")
            }
        }
        return "\(verb) \(p.part): " + fields.joined(separator: " · ")
    }

    package static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded(.up))
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min \(s % 60) s" }
        return "\(s / 3600) h \(s % 3600 / 60) min"
    }
}
