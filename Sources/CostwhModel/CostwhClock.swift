import Foundation

/// The calendar costwh reasons about: which month is "last month", when a month settled,
/// when a load finished.
///
/// `COSTWH_NOW` (an ISO 8601 date or date-time, UTC) moves this clock for the whole process
/// and every process started with the same environment, keeping it running from there: the
/// tests and CI pin "today" to a known month so that no result depends on the calendar, and
/// an operator can replay what a nightly job would have done on a given day. Timestamps that
/// belong to the outside world (token expiry, download links, HTTP `Date`) and elapsed times
/// stay on the system clock.
package enum CostwhClock {
    /// The system clock, moved by `COSTWH_NOW` when set.
    package static func now() -> Date {
        Date().addingTimeInterval(offset)
    }

    /// Seconds between the pinned start and the real one, read once per process.
    package static let offset: TimeInterval = {
        guard let text = ProcessInfo.processInfo.environment["COSTWH_NOW"], !text.isEmpty else { return 0 }
        guard let pinned = parse(text) else {
            FileHandle.standardError.write(
                Data("costwh: COSTWH_NOW must be an ISO 8601 date or date-time (2026-10-15 or 2026-10-15T08:00:00Z); ignored\n".utf8))
            return 0
        }
        return pinned.timeIntervalSinceNow
    }()

    /// `yyyy-MM-dd` (noon UTC, so the day is the same in every zone's reading) or a full
    /// ISO 8601 date-time.
    package static func parse(_ text: String) -> Date? {
        let full = ISO8601DateFormatter()
        if let date = full.date(from: text) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        return day.date(from: text).map { $0.addingTimeInterval(12 * 3600) }
    }
}
