/// A calendar month, `YYYY-MM`: the billing-period part of a partition key.
package struct BillingPeriod: Hashable, Sendable, Comparable, CustomStringConvertible {
    package let year: Int
    package let month: Int

    package init(year: Int, month: Int) throws(BillingPeriodError) {
        guard (2000...2999).contains(year), (1...12).contains(month) else {
            throw .invalid("\(year)-\(month)")
        }
        self.year = year
        self.month = month
    }

    /// Accepts `YYYY-MM` and Azure's `YYYYMM`.
    package init(parsing text: String) throws(BillingPeriodError) {
        let t = text.trimmingWhitespace()
        let digits: [UInt8]
        let bytes = Array(t.utf8)
        if bytes.count == 7, bytes[4] == UInt8(ascii: "-") {
            digits = Array(bytes[0..<4] + bytes[5..<7])
        } else if bytes.count == 6 {
            digits = bytes
        } else {
            throw .invalid(text)
        }
        guard digits.allSatisfy({ (0x30...0x39).contains($0) }) else { throw .invalid(text) }
        let value = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        do {
            try self.init(year: value / 100, month: value % 100)
        } catch {
            throw .invalid(text)
        }
    }

    package var description: String {
        String(year) + "-" + (month < 10 ? "0" : "") + String(month)
    }

    /// `YYYYMM`, as the EA `billingPeriod` body field wants it.
    package var compact: String { String(year * 100 + month) }

    package var daysInMonth: Int { CalendarDate.daysIn(year: year, month: month) }
    package var firstDay: CalendarDate { CalendarDate(uncheckedYear: year, month: month, day: 1) }
    package var lastDay: CalendarDate { CalendarDate(uncheckedYear: year, month: month, day: daysInMonth) }

    /// Months since January of year 0: consecutive periods have consecutive numbers.
    package var monthNumber: Int { year * 12 + month - 1 }

    package func adding(months: Int) -> BillingPeriod {
        let index = year * 12 + (month - 1) + months
        return BillingPeriod(unchecked: index / 12, index % 12 + 1)
    }

    init(unchecked year: Int, _ month: Int) {
        self.year = year
        self.month = month
    }

    /// Every month from `from` to `to`, both included.
    package static func range(from: BillingPeriod, to: BillingPeriod) -> [BillingPeriod] {
        guard from <= to else { return [] }
        var out: [BillingPeriod] = []
        var p = from
        while p <= to {
            out.append(p)
            p = p.adding(months: 1)
        }
        return out
    }

    package static func < (lhs: BillingPeriod, rhs: BillingPeriod) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }
}

package enum BillingPeriodError: Error, Equatable, CustomStringConvertible {
    case invalid(String)
    package var description: String {
        switch self {
        case .invalid(let text): return "invalid billing period `\(text)`: expected YYYY-MM (for example 2024-03)"
        }
    }
}

/// A day without time or zone, as cost-details files count them.
package struct CalendarDate: Hashable, Sendable, Comparable, CustomStringConvertible {
    package let year: Int
    package let month: Int
    package let day: Int

    package init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...CalendarDate.daysIn(year: year, month: month)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    init(uncheckedYear year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    package static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    package var billingPeriod: BillingPeriod { BillingPeriod(unchecked: year, month) }

    package var description: String {
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    package static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

extension CalendarDate {
    /// `yyyy-MM-dd`.
    package init?(iso text: String) {
        let parts = text.prefix(10).split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }
}
