/// The RLE / bit-packing hybrid encoding (Parquet's Encodings.md), for definition levels and
/// dictionary indices: runs of eight or more equal values become RLE runs, the rest are
/// bit-packed eight at a time. The mirror of `HybridDecoder`.
enum HybridEncoder {
    /// A bit-packed run's header counts groups of eight in a varint; runs are kept to 63
    /// groups, so that the header is one byte.
    static let packedLimit = 8 * 63

    static func encode(_ values: [UInt32], bitWidth: Int, into out: inout [UInt8]) {
        values.withUnsafeBufferPointer { encode($0, bitWidth: bitWidth, into: &out) }
    }

    /// Values of any unsigned width: definition levels are encoded from their bytes, not
    /// widened to 32 bits in an array first. Each value must fit in `bitWidth` bits.
    static func encode<Value: FixedWidthInteger & UnsignedInteger>(
        _ values: UnsafeBufferPointer<Value>, bitWidth: Int, into out: inout [UInt8]
    ) {
        precondition((0...32).contains(bitWidth))
        let byteWidth = (bitWidth + 7) / 8
        // Each run of equal values is measured once, and the values waiting to be bit-packed
        // are kept in a buffer of a run's size: a rescan at every position, and an append per
        // value and per byte, made this a tenth of a lake export's instructions. The bytes are
        // the same as that simpler form's (`HybridEncoderTests` keeps it as the reference).
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: packedLimit) { pending in
            var count = 0
            let n = values.count
            var i = 0
            while i < n {
                let v = values[i]
                var j = i + 1
                while j < n && values[j] == v { j += 1 }
                var run = j - i
                while run > 0 {
                    if run >= 8 && count % 8 == 0 {
                        flush(pending, &count, bitWidth: bitWidth, into: &out)
                        varint(UInt64(run) << 1, into: &out)
                        var x = UInt32(truncatingIfNeeded: v)
                        for _ in 0..<byteWidth {
                            out.append(UInt8(truncatingIfNeeded: x))
                            x >>= 8
                        }
                        run = 0
                    } else {
                        pending[count] = UInt32(truncatingIfNeeded: v)
                        count += 1
                        run -= 1
                        if count == packedLimit { flush(pending, &count, bitWidth: bitWidth, into: &out) }
                    }
                }
                i = j
            }
            flush(pending, &count, bitWidth: bitWidth, into: &out)
        }
    }

    /// Writes the `count` pending values as one bit-packed run, padded with zeros to a whole
    /// group of eight (the reader stops at the page's value count), and empties them.
    private static func flush(
        _ pending: UnsafeMutableBufferPointer<UInt32>, _ count: inout Int, bitWidth: Int, into out: inout [UInt8]
    ) {
        guard count > 0 else { return }
        let groups = (count + 7) / 8
        precondition(groups * 8 <= pending.count)
        for k in count..<(groups * 8) { pending[k] = 0 }
        count = 0
        varint(UInt64(groups) << 1 | 1, into: &out)
        guard bitWidth > 0 else { return }
        // Eight values of `bitWidth` bits are `bitWidth` bytes: the run's size is known.
        let start = out.count
        let size = groups * bitWidth
        out.append(contentsOf: repeatElement(0, count: size))
        out.withUnsafeMutableBufferPointer { bytes in
            var at = start
            if bitWidth <= 8 {
                // A group of eight values fits one 64-bit word: `bitWidth` bytes of it.
                for group in 0..<groups {
                    var word: UInt64 = 0
                    for k in 0..<8 { word |= UInt64(pending[group * 8 + k]) << UInt64(k * bitWidth) }
                    precondition(at + bitWidth <= start + size)
                    for b in 0..<bitWidth { bytes[at + b] = UInt8(truncatingIfNeeded: word >> UInt64(8 * b)) }
                    at += bitWidth
                }
                return
            }
            var buffer: UInt64 = 0
            var bits = 0
            for k in 0..<(groups * 8) {
                buffer |= UInt64(pending[k]) << UInt64(bits)
                bits += bitWidth
                while bits >= 8 {
                    precondition(at < start + size)
                    bytes[at] = UInt8(truncatingIfNeeded: buffer)
                    at += 1
                    buffer >>= 8
                    bits -= 8
                }
            }
        }
    }

    static func varint(_ value: UInt64, into out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    /// The bits needed for values up to `max`.
    static func bitWidth(for max: UInt32) -> Int {
        max == 0 ? 0 : 32 - max.leadingZeroBitCount
    }
}
