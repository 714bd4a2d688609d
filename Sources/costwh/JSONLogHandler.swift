import CostwhQuery
import Foundation
import Logging

/// `--log-format json`: one JSON object per line on stderr, for log collectors:
/// `{"timestamp": …, "level": …, "label": …, "message": …, "metadata": {…}, "source": …}`.
/// Libraries log structured metadata, never secrets; this only changes the spelling.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        FileHandle.standardError.write(
            Data(
                JSONLogHandler.line(
                    label: label, level: event.level, message: "\(event.message)", metadata: merged,
                    source: event.source
                ).utf8))
    }

    static func line(
        label: String, level: Logger.Level, message: String, metadata: Logger.Metadata, source: String,
        date: Date = Date()
    ) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var fields: [(String, String)] = [
            ("timestamp", JSONOutput.quoted(formatter.string(from: date))),
            ("level", JSONOutput.quoted(level.rawValue)),
            ("label", JSONOutput.quoted(label)), ("message", JSONOutput.quoted(message)),
        ]
        if !metadata.isEmpty {
            let inner = metadata.sorted { $0.key < $1.key }.map { "\(JSONOutput.quoted($0.key)): \(value($0.value))" }
            fields.append(("metadata", "{" + inner.joined(separator: ", ") + "}"))
        }
        fields.append(("source", JSONOutput.quoted(source)))
        return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}\n"
    }

    static func value(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let s): return JSONOutput.quoted(s)
        case .stringConvertible(let c): return JSONOutput.quoted(c.description)
        case .array(let a): return "[" + a.map(Self.value).joined(separator: ", ") + "]"
        case .dictionary(let d):
            return "{"
                + d.sorted { $0.key < $1.key }.map { "\(JSONOutput.quoted($0.key)): \(Self.value($0.value))" }
                .joined(separator: ", ") + "}"
        }
    }
}
