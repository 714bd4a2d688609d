#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-level parsers for the normalised columns. They work on the reader's buffer so no
/// `String` is made for a value that parses.
package enum ValueParsers {
    /// Parses decimal text (any number of fraction digits) or scientific notation to the
    /// nearest double. Returns nil for anything else, for NaN, infinities and overflow.
    @inline(__always)
    package static func parseDouble(_ p: UnsafePointer<UInt8>, _ count: Int) -> Double? {
        var start = 0
        var end = count
        while start < end && p[start] == 0x20 { start += 1 }
        while end > start && p[end - 1] == 0x20 { end -= 1 }
        guard start < end else { return nil }
        // Fast path (Clinger): at most 15 significant digits and 22 fraction digits are
        // exact in a double, so one division rounds correctly.
        var i = start
        var negative = false
        if p[i] == 0x2D || p[i] == 0x2B {
            negative = p[i] == 0x2D
            i += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var fraction = 0
        var sawDigit = false
        var sawPoint = false
        var simple = true
        while i < end {
            let c = p[i]
            if c >= 0x30 && c <= 0x39 {
                sawDigit = true
                if digits == 0 && c == 0x30 {
                    if sawPoint { fraction += 1 }
                } else {
                    if digits >= 15 {
                        simple = false
                        break
                    }
                    mantissa = mantissa &* 10 &+ UInt64(c &- 0x30)
                    digits += 1
                    if sawPoint { fraction += 1 }
                }
            } else if c == 0x2E && !sawPoint {
                sawPoint = true
            } else {
                simple = false
                break
            }
            i += 1
        }
        if simple {
            guard sawDigit else { return nil }
            if fraction <= 22 {
                let value = Double(mantissa) / powersOfTen[fraction]
                return negative ? -value : value
            }
        }
        return slowParse(p + start, end - start)
    }

    private static let powersOfTen: [Double] = (0...22).map { e in
        var v = 1.0
        for _ in 0..<e { v *= 10 }
        return v
    }

    private static func slowParse(_ p: UnsafePointer<UInt8>, _ count: Int) -> Double? {
        // strtod also takes hex, "nan" and "inf"; only plain decimal syntax is data here.
        var sawDigit = false
        var sawExponent = false
        var exponentDigit = false
        for k in 0..<count {
            let c = p[k]
            switch c {
            case 0x30...0x39:
                if sawExponent { exponentDigit = true } else { sawDigit = true }
            case 0x2E, 0x2B, 0x2D: break
            case 0x45, 0x65:
                if sawExponent || !sawDigit { return nil }
                sawExponent = true
            default: return nil
            }
        }
        guard sawDigit, !sawExponent || exponentDigit, count < 4096 else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer -> Double? in
            for k in 0..<count { buffer[k] = CChar(bitPattern: p[k]) }
            buffer[count] = 0
            var endPointer: UnsafeMutablePointer<CChar>?
            errno = 0
            let value = strtod(buffer.baseAddress!, &endPointer)
            guard let endPointer, buffer.baseAddress!.distance(to: endPointer) == count else { return nil }
            guard value.isFinite else { return nil }
            return value
        }
    }

    /// Parses the date forms cost files carry, ignoring a time part (`T…` or ` …`, with
    /// fractional seconds of any length): `yyyy-MM-dd`, `yyyyMMdd`, `yyyy/MM/dd`,
    /// `M/d/yyyy` and `M/d/yy` (or `d/M/…` when `dayFirst`), and `d.M.yyyy` (always day
    /// first, as German-style locales write it). Two-digit years are 20yy. Returns nil for
    /// anything else or an impossible day.
    @inline(__always)
    package static func parseDate(
        _ p: UnsafePointer<UInt8>, _ count: Int, dayFirst: Bool = false
    ) -> (year: Int, month: Int, day: Int)? {
        var n = count
        var s = 0
        while s < n && p[s] == 0x20 { s += 1 }
        while n > s && p[n - 1] == 0x20 { n -= 1 }
        @inline(__always) func digit(_ k: Int) -> Int? {
            let c = p[k]
            return c >= 0x30 && c <= 0x39 ? Int(c - 0x30) : nil
        }
        @inline(__always) func number(_ from: Int, _ to: Int) -> Int? {
            var v = 0
            for k in from..<to {
                guard let d = digit(k) else { return nil }
                v = v * 10 + d
            }
            return v
        }
        let len = n - s
        var year = 0, month = 0, day = 0
        var dateEnd = 0
        if len >= 10, p[s + 4] == 0x2D, p[s + 7] == 0x2D {
            guard let y = number(s, s + 4), let m = number(s + 5, s + 7), let d = number(s + 8, s + 10) else {
                return nil
            }
            (year, month, day) = (y, m, d)
            dateEnd = s + 10
        } else if len == 8, let v = number(s, s + 8) {
            (year, month, day) = (v / 10000, v / 100 % 100, v % 100)
            dateEnd = s + 8
        } else {
            // Three numbers split by `/` or `.`: a/b/yyyy, a/b/yy, yyyy/MM/dd or d.M.yyyy.
            var k = s
            var parts = (0, 0, 0)
            var widths = (0, 0, 0)
            var separator: UInt8 = 0
            for part in 0..<3 {
                let from = k
                var value = 0
                while k < n, k - from < 4, let d = digit(k) {
                    value = value * 10 + d
                    k += 1
                }
                let width = k - from
                guard width >= 1 else { return nil }
                switch part {
                case 0:
                    parts.0 = value
                    widths.0 = width
                case 1:
                    parts.1 = value
                    widths.1 = width
                default:
                    parts.2 = value
                    widths.2 = width
                }
                if part < 2 {
                    guard k < n, p[k] == 0x2F || p[k] == 0x2E else { return nil }
                    if separator == 0 { separator = p[k] } else if separator != p[k] { return nil }
                    k += 1
                }
            }
            if widths.0 == 4 {
                guard widths.1 <= 2, widths.2 <= 2 else { return nil }
                (year, month, day) = (parts.0, parts.1, parts.2)
            } else {
                guard widths.0 <= 2, widths.1 <= 2, widths.2 == 4 || widths.2 == 2 else { return nil }
                year = widths.2 == 2 ? 2000 + parts.2 : parts.2
                if separator == 0x2E || dayFirst {
                    (day, month) = (parts.0, parts.1)
                } else {
                    (month, day) = (parts.0, parts.1)
                }
            }
            dateEnd = k
        }
        if dateEnd < n {
            // A time part may follow: `T…` or ` …`.
            let c = p[dateEnd]
            guard c == 0x54 || c == 0x20 else { return nil }
        }
        guard year >= 1900, year <= 2999, month >= 1, month <= 12, day >= 1 else { return nil }
        let days: Int
        switch month {
        case 2: days = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: days = 30
        default: days = 31
        }
        guard day <= days else { return nil }
        return (year, month, day)
    }
}
