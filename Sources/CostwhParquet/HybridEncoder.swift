/// The RLE / bit-packing hybrid encoding (Parquet's Encodings.md), for definition levels and
/// dictionary indices: runs of eight or more equal values become RLE runs, the rest are
/// bit-packed eight at a time. The mirror of `HybridDecoder`.
enum HybridEncoder {
    static func encode(_ values: [UInt32], bitWidth: Int, into out: inout [UInt8]) {
        let byteWidth = (bitWidth + 7) / 8
        var pending: [UInt32] = []
        pending.reserveCapacity(64)
        var i = 0
        while i < values.count {
            var j = i + 1
            while j < values.count && values[j] == values[i] { j += 1 }
            let run = j - i
            if run >= 8 && pending.count % 8 == 0 {
                flush(&pending, bitWidth: bitWidth, into: &out)
                varint(UInt64(run) << 1, into: &out)
                var v = values[i]
                for _ in 0..<byteWidth {
                    out.append(UInt8(v & 0xFF))
                    v >>= 8
                }
                i = j
            } else {
                pending.append(values[i])
                i += 1
                // A bit-packed run's header counts groups in a varint; keep runs moderate.
                if pending.count == 8 * 63 { flush(&pending, bitWidth: bitWidth, into: &out) }
            }
        }
        flush(&pending, bitWidth: bitWidth, into: &out)
    }

    /// Writes the pending values as one bit-packed run, padded with zeros to a whole group
    /// of eight (the reader stops at the page's value count).
    private static func flush(_ pending: inout [UInt32], bitWidth: Int, into out: inout [UInt8]) {
        guard !pending.isEmpty else { return }
        let groups = (pending.count + 7) / 8
        while pending.count < groups * 8 { pending.append(0) }
        varint(UInt64(groups) << 1 | 1, into: &out)
        guard bitWidth > 0 else {
            pending.removeAll(keepingCapacity: true)
            return
        }
        var buffer: UInt64 = 0
        var bits = 0
        for value in pending {
            buffer |= UInt64(value) << UInt64(bits)
            bits += bitWidth
            while bits >= 8 {
                out.append(UInt8(buffer & 0xFF))
                buffer >>= 8
                bits -= 8
            }
        }
        if bits > 0 { out.append(UInt8(buffer & 0xFF)) }
        pending.removeAll(keepingCapacity: true)
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
