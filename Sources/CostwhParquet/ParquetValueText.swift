/// A Parquet value as the text the CSV reader and the normalisers read: exact decimals, ISO
/// dates and UTC timestamps, integers, shortest round-tripping floats; strings as they are,
/// quoted for CSV when they need it.
enum ParquetValueText {
    /// Appends value `i`'s text; a string quoted for CSV when `quoted` and it needs it.
    static func append(
        _ values: ColumnValues, _ i: Int, column: LeafColumn, to out: inout [UInt8], quoted quote: Bool = true
    ) throws(ParquetError) {
        switch values {
        case .bools(let v):
            // As Azure spells booleans in its cost files (IsAzureCreditEligible: True), so a
            // file and its Parquet copy load alike.
            ascii(v[i] ? "True" : "False", &out)
        case .int32(let v):
            try integer(Int64(v[i]), bits: 32, column: column, &out)
        case .int64(let v):
            try integer(v[i], bits: 64, column: column, &out)
        case .int96(let v):
            // Impala/Spark timestamps: nanoseconds of the day, then the Julian day.
            // Kept apart (days, then nanoseconds within them): multiplied out, a hostile value
            // would overflow.
            let days = Int64(v[i].julianDay) - 2_440_588
            let nanos = Int64(bitPattern: v[i].nanos)
            guard (0..<86_400_000_000_000).contains(nanos) else {
                throw ParquetError("an INT96 timestamp has \(nanos) nanoseconds in its day")
            }
            let text = timestamp(nanos, perSecond: 1_000_000_000, utc: true)
            ascii(date(days: days) + text.dropFirst(10), &out)
        case .float(let v):
            ascii(v[i].isFinite ? "\(v[i])" : "", &out)
        case .double(let v):
            ascii(v[i].isFinite ? "\(v[i])" : "", &out)
        case .bytes(let storage, let offsets):
            let range = offsets[i]..<offsets[i + 1]
            switch column.kind {
            case .decimal(let scale, _):
                guard range.count <= 16 else {
                    throw ParquetError("a DECIMAL value is \(range.count) bytes wide; Parquet's DECIMAL(38) needs 16 at most")
                }
                guard let first = range.first.map({ storage[$0] }) else {
                    out.append(0x30)
                    break
                }
                var value: UInt128 = first & 0x80 != 0 ? ~0 : 0
                for b in storage[range] { value = value << 8 | UInt128(b) }
                let signed = Int128(bitPattern: value)
                appendDecimal(signed.magnitude, negative: signed < 0, scale: scale, to: &out)
            case .uuid where range.count == 16:
                let hex = storage[range].map { byte in
                    let s = String(byte, radix: 16)
                    return s.count == 1 ? "0" + s : s
                }.joined()
                let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { r in
                    String(hex[hex.index(hex.startIndex, offsetBy: r.lowerBound)..<hex.index(hex.startIndex, offsetBy: r.upperBound)])
                }
                ascii(parts.joined(separator: "-"), &out)
            case .string, .json:
                if quote { quoted(storage[range], &out) } else { out.append(contentsOf: storage[range]) }
            case .none where column.type == .byteArray:
                if quote { quoted(storage[range], &out) } else { out.append(contentsOf: storage[range]) }
            default:
                ascii("0x" + storage[range].map { String(format: "%02x", $0) }.joined(), &out)
            }
        }
    }

    private static func integer(_ value: Int64, bits: Int, column: LeafColumn, _ out: inout [UInt8]) throws(ParquetError) {
        switch column.kind {
        case .decimal(let scale, _):
            appendDecimal(UInt128(value.magnitude), negative: value < 0, scale: scale, to: &out)
        case .date:
            ascii(date(days: value), &out)
        case .timestamp(let unit, let utc):
            ascii(timestamp(value, perSecond: perSecond(unit), utc: utc), &out)
        case .time(let unit):
            let total = value / perSecond(unit)
            let text = [total / 3600, total / 60 % 60, total % 60].map { n in n < 10 ? "0\(n)" : "\(n)" }.joined(separator: ":")
            ascii(text, &out)
        case .integer(_, false):
            ascii(bits == 32 ? "\(UInt32(truncatingIfNeeded: value))" : "\(UInt64(bitPattern: value))", &out)
        default:
            ascii("\(value)", &out)
        }
    }

    static func perSecond(_ unit: LogicalKind.TimeUnit) -> Int64 {
        switch unit {
        case .millis: return 1_000
        case .micros: return 1_000_000
        case .nanos: return 1_000_000_000
        }
    }

    /// `yyyy-MM-dd` of a count of days since 1970-01-01 (H. Hinnant's civil_from_days).
    static func date(days: Int64) -> String {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let year = y >= 0 && y < 10_000 ? String(repeating: "0", count: 4 - "\(y)".count) + "\(y)" : "\(y)"
        return "\(year)-\(two(m))-\(two(d))"
    }

    /// An ISO 8601 timestamp of a count of units since the epoch, with its fraction.
    static func timestamp(_ value: Int64, perSecond: Int64, utc: Bool) -> String {
        var seconds = value / perSecond
        var fraction = value % perSecond
        if fraction < 0 {
            fraction += perSecond
            seconds -= 1
        }
        var days = seconds / 86_400
        var rest = seconds % 86_400
        if rest < 0 {
            rest += 86_400
            days -= 1
        }
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var text = "\(date(days: days))T\(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60))"
        if fraction > 0 {
            let digits = String(perSecond).count - 1
            var f = String(fraction)
            f = String(repeating: "0", count: digits - f.count) + f
            while f.hasSuffix("0") { f.removeLast() }
            text += "." + f
        }
        return utc ? text + "Z" : text
    }

    /// The exact decimal text of `magnitude / 10^scale`, as `place` spells it, written as
    /// bytes: a plain-encoded decimal column is formatted once per row.
    static func appendDecimal(_ magnitude: UInt128, negative: Bool, scale: Int, to out: inout [UInt8]) {
        // The digits, least significant first: 39 at most for 128 bits.
        var storage: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &storage) { raw in
            let digits = raw.bindMemory(to: UInt8.self)
            var count = 0
            /// Writes `v`'s digits; exactly `width` of them (zeros included) when given.
            func put(_ value: UInt64, width: Int?) {
                var v = value
                var produced = 0
                while width.map({ produced < $0 }) ?? (v > 0 || produced == 0) {
                    digits[count] = UInt8(0x30 + v % 10)
                    v /= 10
                    count += 1
                    produced += 1
                }
            }
            if magnitude <= UInt128(UInt64.max) {
                put(UInt64(magnitude), width: nil)
            } else {
                let tenNineteen: UInt128 = 10_000_000_000_000_000_000
                let (high, low) = magnitude.quotientAndRemainder(dividingBy: tenNineteen)
                put(UInt64(low), width: 19)
                if high <= UInt128(UInt64.max) {
                    put(UInt64(high), width: nil)
                } else {
                    let (top, middle) = high.quotientAndRemainder(dividingBy: tenNineteen)
                    put(UInt64(middle), width: 19)
                    put(UInt64(top), width: nil)
                }
            }
            let isZero = count == 1 && digits[0] == 0x30
            if negative && !isZero { out.append(0x2D) }
            if scale <= 0 {
                for i in stride(from: count - 1, through: 0, by: -1) { out.append(digits[i]) }
                if !isZero { out.append(contentsOf: repeatElement(0x30, count: -scale)) }
            } else if count > scale {
                for i in stride(from: count - 1, through: scale, by: -1) { out.append(digits[i]) }
                out.append(0x2E)
                for i in stride(from: scale - 1, through: 0, by: -1) { out.append(digits[i]) }
            } else {
                out.append(0x30)
                out.append(0x2E)
                out.append(contentsOf: repeatElement(0x30, count: scale - count))
                for i in stride(from: count - 1, through: 0, by: -1) { out.append(digits[i]) }
            }
        }
    }

    private static func ascii(_ text: String, _ out: inout [UInt8]) {
        out.append(contentsOf: text.utf8)
    }

    /// A string field, quoted when it holds a comma, a quote or a line break.
    static func quoted(_ bytes: ArraySlice<UInt8>, _ out: inout [UInt8]) {
        let needs = bytes.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
        if !needs {
            out.append(contentsOf: bytes)
            return
        }
        out.append(0x22)
        for b in bytes {
            out.append(b)
            if b == 0x22 { out.append(0x22) }
        }
        out.append(0x22)
    }
}
