/// A number column's value as the double its text reads as, without making the text: the
/// typed row path's shortcut for plain-encoded numbers, which differ on nearly every row.
///
/// Only where the result is provably the one a correctly rounding parser gives for the
/// value's exact decimal text (costwh's and the CSV path's): a DOUBLE as it is (its text is
/// the shortest that reads back to it), an integer as `Double(_:)` rounds it, a DECIMAL whose
/// significand, without trailing zeros, fits in 53 bits and whose scale is at most 22 (one
/// IEEE division of two exact values, Clinger's fast path). Anything else, FLOAT included
/// (its text is the float's shortest, not the double's), returns nil and is parsed as text.
enum ParquetNumbers {
    static func exactDouble(_ values: ColumnValues, _ i: Int, column: LeafColumn) -> Double? {
        switch values {
        case .double(let v):
            return v[i].isFinite ? v[i] : nil
        case .int32(let v):
            return integer(Int64(v[i]), bits: 32, column: column)
        case .int64(let v):
            return integer(v[i], bits: 64, column: column)
        case .bytes(let storage, let offsets):
            guard case .decimal(let scale, _) = column.kind else { return nil }
            let count = offsets[i + 1] - offsets[i]
            guard count > 0, count <= 16 else { return nil }
            var value: UInt128
            if count == 16 {
                // DECIMAL(38) as most writers store it: two big-endian words.
                value = storage.withUnsafeBytes { raw in
                    let high = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offsets[i], as: UInt64.self))
                    let low = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offsets[i] + 8, as: UInt64.self))
                    return UInt128(high) << 64 | UInt128(low)
                }
            } else {
                value = storage[offsets[i]] & 0x80 != 0 ? ~0 : 0
                for k in offsets[i]..<offsets[i + 1] { value = value << 8 | UInt128(storage[k]) }
            }
            let signed = Int128(bitPattern: value)
            var magnitude = signed.magnitude
            var places = scale
            if magnitude > UInt128(UInt64.max) {
                // A wide decimal (DECIMAL(38, 18) of 1,299,051.8845) is mostly trailing zeros:
                // as many as its binary ones at most, removed in one 128-bit division when
                // that many are there, else in up to three tries with fewer.
                var k = min(magnitude.trailingZeroBitCount, max(places, 0), 38)
                var tries = 0
                while k > 0 && tries < 4 {
                    let (quotient, remainder) = magnitude.quotientAndRemainder(dividingBy: powers128[k])
                    if remainder == 0 {
                        magnitude = quotient
                        places -= k
                        break
                    }
                    k -= 1
                    tries += 1
                }
                guard magnitude <= UInt128(UInt64.max) else { return nil }
            }
            return decimal(UInt64(magnitude), negative: signed < 0, scale: places)
        default:
            return nil
        }
    }

    private static func integer(_ value: Int64, bits: Int, column: LeafColumn) -> Double? {
        switch column.kind {
        case .decimal(let scale, _):
            return decimal(value.magnitude, negative: value < 0, scale: scale)
        case .integer(_, false):
            return bits == 32 ? Double(UInt32(truncatingIfNeeded: value)) : Double(UInt64(bitPattern: value))
        case .none, .integer(_, true):
            return Double(value)
        default:
            return nil
        }
    }

    private static let powers128: [UInt128] = (0...38).map { k in
        var p: UInt128 = 1
        for _ in 0..<k { p *= 10 }
        return p
    }

    private static let exactPowers: [Double] = (0...22).map { k in
        var p = 1.0
        for _ in 0..<k { p *= 10 }
        return p
    }

    /// `magnitude / 10^scale`, signed, when exact to compute; nil otherwise.
    static func decimal(_ magnitude: UInt64, negative: Bool, scale: Int) -> Double? {
        var m = magnitude
        var s = scale
        // Trailing zeros removed eight, then four, then one at a time: `1.000000000000000000`
        // at scale 18 is three steps, not eighteen.
        if m != 0 {
            for (step, power) in [(8, 100_000_000 as UInt64), (4, 10_000), (1, 10)] {
                while s >= step && m % power == 0 {
                    m /= power
                    s -= step
                }
            }
        }
        guard m < 1 << 53 else { return nil }
        var result: Double
        if s >= 0 {
            guard s <= 22 else { return m == 0 ? 0 : nil }
            result = Double(m) / exactPowers[s]
        } else {
            guard -s <= 15 else { return nil }
            let (product, overflow) = m.multipliedReportingOverflow(by: UInt64(exactPowers[-s]))
            guard !overflow, product < 1 << 53 else { return nil }
            result = Double(product)
        }
        // The text of a zero has no sign (`0.00`): it reads as +0.
        return negative && m != 0 ? -result : result
    }
}
