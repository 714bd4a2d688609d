import Foundation

/// HTTP's date format (RFC 9110 IMF-fixdate, `Tue, 24 Nov 2026 05:20:45 GMT`): Azure's `Date`
/// and `Retry-After` headers.
package enum HTTPDate {
    static func formatter() -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter
    }

    package static func format(_ date: Date) -> String { formatter().string(from: date) }

    package static func parse(_ text: String) -> Date? {
        formatter().date(from: text.trimmingCharacters(in: .whitespaces))
    }
}
