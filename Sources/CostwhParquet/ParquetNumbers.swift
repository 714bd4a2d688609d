/// A number column's value as the double its text reads as, without making the text: the
/// typed row path's shortcut for plain-encoded numbers, which differ on nearly every row.
///
/// Only where the result is provably the one a correctly rounding parser gives for the
/// value's exact decimal text (costwh's and the CSV path's): a DOUBLE as it is (its text is
/// the shortest that reads back to it), an integer as `Double(_:)` rounds it, a DECIMAL whose
/// significand, without trailing zeros, fits in 53 bits and whose scale is at most 22 (one
/// IEEE division of two exact values, Clinger's fast path), or fits in 64 bits with a scale
/// of 1 to 19 (the quotient computed exactly by one 128-by-64-bit division and rounded to
/// nearest, ties to even: `wide`). Anything else, FLOAT included (its text is the float's
/// shortest, not the double's), returns nil and is parsed as text.
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

    private static let powers64: [UInt64] = (0...19).map { k in
        var p: UInt64 = 1
        for _ in 0..<k { p *= 10 }
        return p
    }

    /// `m / 10^scale` rounded to the nearest double, ties to even (what a correctly rounding
    /// parser reads from the exact text), for m of 54 to 64 bits and a scale of 1 to 19; nil
    /// otherwise. The quotient is taken to 64 bits, Q = ⌊m·2^k / 10^scale⌋ with its top bit
    /// set, by one 128-by-64-bit division; its low 11 bits and the remainder decide the
    /// rounding of the 53 it keeps. m / 10^scale is below 2^61 and above 2^-11, so the result
    /// is a normal double and k is between 3 and 74.
    static func wide(_ m: UInt64, scale: Int) -> Double? {
        guard m >= 1 << 53, scale >= 1, scale <= 19 else { return nil }
        let d = powers64[scale]
        let mBits = 64 - m.leadingZeroBitCount
        let dBits = 64 - d.leadingZeroBitCount
        // m·2^k / d lies in (2^62, 2^64) for this k, and m·2^k < 2^(63 + dBits) ≤ 2^127.
        var k = 63 - mBits + dBits
        var (q, r) = quotient(m, shiftedBy: k, over: d)
        if q < 1 << 63 {
            k += 1
            (q, r) = quotient(m, shiftedBy: k, over: d)
        }
        var mantissa = q >> 11
        let rest = q & 0x7FF
        if rest > 0x400 || (rest == 0x400 && (r != 0 || mantissa & 1 == 1)) { mantissa += 1 }
        // mantissa ≤ 2^53, exact as a double; the power of two scales it exactly.
        return Double(sign: .plus, exponent: 11 - k, significand: Double(mantissa))
    }

    /// ⌊m·2^k / d⌋ and its remainder, for a quotient below 2^64 (m·2^k < d·2^64).
    @inline(__always)
    private static func quotient(_ m: UInt64, shiftedBy k: Int, over d: UInt64) -> (UInt64, UInt64) {
        let wide = UInt128(m) << UInt128(k)
        return d.dividingFullWidth((high: UInt64(truncatingIfNeeded: wide >> 64), low: UInt64(truncatingIfNeeded: wide)))
    }

    /// `magnitude / 10^scale`, signed, when exact to compute; nil otherwise.
    static func decimal(_ magnitude: UInt64, negative: Bool, scale: Int) -> Double? {
        var m = magnitude
        var s = scale
        // Trailing zeros removed eight, then four, then one at a time: `1.000000000000000000`
        // at scale 18 is three steps, not eighteen. (Spelled out: a list of the steps was an
        // array allocated per value.)
        if m != 0 {
            while s >= 8 && m % 100_000_000 == 0 {
                m /= 100_000_000
                s -= 8
            }
            while s >= 4 && m % 10_000 == 0 {
                m /= 10_000
                s -= 4
            }
            while s >= 1 && m % 10 == 0 {
                m /= 10
                s -= 1
            }
        }
        guard m < 1 << 53 else {
            guard let result = wide(m, scale: s) else { return nil }
            return negative ? -result : result
        }
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
