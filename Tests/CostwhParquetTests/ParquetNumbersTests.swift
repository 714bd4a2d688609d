import CostwhSynthetic
import Foundation
import Testing

@testable import CostwhParquet

/// The typed load path's shortcuts must give exactly what the text path gives: a decimal's
/// bytes-formatted text equals the String-formatted one, and a number taken without its text
/// is the double a correctly rounding parser reads from that text.
struct ParquetNumbersTests {
    /// Unscaled values that matter: zeros, one digit, the edges of 53, 63, 64 and 127 bits,
    /// money with trailing zeros at scale 18, and random widths.
    static func unscaledValues() -> [Int128] {
        var values: [Int128] = [0, 1, -1, 9, 10, 12_990_518_845 * 100_000_000_000_000, 44_096_000_000_000_003]
        for bits in [52, 53, 54, 62, 63, 64, 65, 100, 126] {
            let edge = Int128(1) << Int128(bits)
            values += [edge - 1, edge, edge + 1, -edge, -(edge - 1)]
        }
        values.append(Int128.max)
        values.append(Int128.min + 1)
        var rng = SplitMix64(seed: 0xC057_D0C5)
        for _ in 0..<3_000 {
            let width = Int(rng.next() % 127) + 1
            var v = Int128(truncatingIfNeeded: UInt128(rng.next()) << 64 | UInt128(rng.next()))
            v >>= Int128(127 - width)
            // Trailing zeros, as money written at a wide scale has.
            for _ in 0..<Int(rng.next() % 20) where v.magnitude < UInt128(Int128.max / 10) { v *= 10 }
            values.append(v)
        }
        return values
    }

    /// The oracle: a decimal's text made the plain way, with `String` (as costwh made it
    /// before it wrote the bytes itself).
    static func decimalText(_ value: Int128, scale: Int) -> String {
        let digits = String(value.magnitude)
        var text: String
        if scale <= 0 {
            text = digits == "0" ? "0" : digits + String(repeating: "0", count: -scale)
        } else if digits.count > scale {
            let point = digits.index(digits.endIndex, offsetBy: -scale)
            text = String(digits[..<point]) + "." + String(digits[point...])
        } else {
            text = "0." + String(repeating: "0", count: scale - digits.count) + digits
        }
        return value < 0 && digits != "0" ? "-" + text : text
    }

    @Test func decimalsFormattedAsBytesReadAsTheirStringForm() {
        for value in Self.unscaledValues() {
            for scale in [-3, 0, 1, 4, 18, 22, 37, 38] {
                var bytes: [UInt8] = []
                ParquetValueText.appendDecimal(value.magnitude, negative: value < 0, scale: scale, to: &bytes)
                var big = [UInt8](repeating: 0, count: 16)
                for k in 0..<16 { big[15 - k] = UInt8(truncatingIfNeeded: UInt128(bitPattern: value) >> UInt128(8 * k)) }
                let expected = Self.decimalText(value, scale: scale)
                #expect(String(decoding: bytes, as: UTF8.self) == expected, "\(value) at scale \(scale)")
            }
        }
    }

    /// Decimals of 54 to 64 significant bits at every scale the exact division takes, and
    /// ties (an odd 54-bit n over 2^s, written as 5^s·n at scale s, lies exactly halfway
    /// between two doubles): each is strtod's double for the text.
    @Test func wideDecimalsAreRoundedAsTheTextReads() {
        var rng = SplitMix64(seed: 0x0D1C_E5ED)
        var cases: [(UInt64, Int)] = []
        for _ in 0..<20_000 {
            let bits = Int(rng.next() % 11) + 54
            let m = (rng.next() >> UInt64(64 - bits)) | (1 << UInt64(bits - 1))
            cases.append((m, Int(rng.next() % 19) + 1))
        }
        for scale in 1...4 {
            var five: UInt64 = 1
            for _ in 0..<scale { five *= 5 }
            for _ in 0..<500 {
                let n = (1 << 53) | (rng.next() & ((1 << 53) - 1)) | 1
                let (m, overflow) = n.multipliedReportingOverflow(by: five)
                if !overflow { cases.append((m, scale)) }
            }
        }
        var ties = 0
        for (m, scale) in cases {
            guard let number = ParquetNumbers.wide(m, scale: scale) else {
                Issue.record("\(m) at scale \(scale) not taken")
                continue
            }
            let text = Self.decimalText(Int128(m), scale: scale)
            #expect(number.bitPattern == strtod(text, nil).bitPattern, "\(text)")
            if scale <= 4, m % 5 == 0 { ties += 1 }
        }
        #expect(ties > 1_000)
        #expect(ParquetNumbers.wide(1 << 52, scale: 3) == nil, "53 bits take the fast path")
        #expect(ParquetNumbers.wide(1 << 60, scale: 20) == nil)
    }

    @Test func numbersTakenWithoutTextAreWhatTheTextReads() throws {
        var checked = 0
        for value in Self.unscaledValues() {
            for scale in [0, 2, 4, 10, 18, 22, 30] {
                let column = LeafColumn(
                    name: "Cost", type: .fixedLenByteArray, typeLength: 16, optional: true,
                    kind: .decimal(scale: scale, precision: 38))
                var big = [UInt8](repeating: 0, count: 16)
                for k in 0..<16 { big[15 - k] = UInt8(truncatingIfNeeded: UInt128(bitPattern: value) >> UInt128(8 * k)) }
                let values = ColumnValues.bytes(storage: big, offsets: [0, 16])
                guard let number = ParquetNumbers.exactDouble(values, 0, column: column) else { continue }
                let text = Self.decimalText(value, scale: scale)
                // strtod rounds correctly: the shortcut must give its very double.
                let parsed = strtod(text, nil)
                #expect(number.bitPattern == parsed.bitPattern || (number == 0 && parsed == 0), "\(text)")
                checked += 1
            }
        }
        // The shortcut is taken for most money values, not never.
        #expect(checked > 2_000)
        let doubles = ColumnValues.double([0.1, -2.5e-300, 1e300, .infinity])
        let real = LeafColumn(name: "Q", type: .double, typeLength: 0, optional: true, kind: .none)
        #expect(ParquetNumbers.exactDouble(doubles, 0, column: real) == 0.1)
        #expect(ParquetNumbers.exactDouble(doubles, 3, column: real) == nil)
        let floats = ColumnValues.float([0.1])
        #expect(ParquetNumbers.exactDouble(floats, 0, column: real) == nil, "a FLOAT's text is its own, not the double's")
    }
}
