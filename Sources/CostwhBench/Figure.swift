import Foundation

/// One named figure: how long a step took for how many rows and bytes, its peak RSS, and a
/// note (its target, or a ratio measured beside it).
package struct Figure: Sendable {
    package let name: String
    package let seconds: Double
    package let rows: Int
    package let bytes: Int
    package let rssMiB: Double
    package var note = ""

    package init(name: String, seconds: Double, rows: Int, bytes: Int, rssMiB: Double, note: String = "") {
        self.name = name
        self.seconds = seconds
        self.rows = rows
        self.bytes = bytes
        self.rssMiB = rssMiB
        self.note = note
    }

    /// The figure's line: name, seconds, rows/s, MB/s, peak RSS, note.
    package var line: String {
        let rowsPerSecond = Double(rows) / seconds
        let mbPerSecond = Double(bytes) / 1e6 / seconds
        let padded = name.count < 44 ? name + String(repeating: " ", count: 44 - name.count) : name
        return padded
            + String(
                format: " %8.2f s %12.0f rows/s %9.1f MB/s %8.1f MiB  ", seconds, rowsPerSecond, mbPerSecond, rssMiB)
            + note
    }
}
