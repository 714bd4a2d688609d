import Testing

@testable import CostwhParquet

/// The RLE / bit-packing hybrid encoder writes the bytes of the plain form it replaced (kept
/// here as the reference: a run measured at every position, a value and a byte appended at a
/// time), from 32-bit values and from bytes, and `HybridDecoder` reads every value back, for
/// runs of every length around the thresholds (8 for RLE, 504 for a bit-packed run) and every
/// bit width.
@Suite struct HybridEncoderTests {
    static func reference(_ values: [UInt32], bitWidth: Int) -> [UInt8] {
        var out: [UInt8] = []
        let byteWidth = (bitWidth + 7) / 8
        var pending: [UInt32] = []
        func flush() {
            guard !pending.isEmpty else { return }
            let groups = (pending.count + 7) / 8
            while pending.count < groups * 8 { pending.append(0) }
            HybridEncoder.varint(UInt64(groups) << 1 | 1, into: &out)
            if bitWidth > 0 {
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
            }
            pending.removeAll()
        }
        var i = 0
        while i < values.count {
            var j = i + 1
            while j < values.count && values[j] == values[i] { j += 1 }
            if j - i >= 8 && pending.count % 8 == 0 {
                flush()
                HybridEncoder.varint(UInt64(j - i) << 1, into: &out)
                var v = values[i]
                for _ in 0..<byteWidth {
                    out.append(UInt8(v & 0xFF))
                    v >>= 8
                }
                i = j
            } else {
                pending.append(values[i])
                i += 1
                if pending.count == 8 * 63 { flush() }
            }
        }
        flush()
        return out
    }

    /// Runs of lengths 1-20, 500-510 and 1,000, in a pattern that leaves the pending values
    /// at every offset within a group of eight when a long run starts.
    static func values(bitWidth: Int, seed: UInt64) -> [UInt32] {
        var state = seed
        func random() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let top = bitWidth == 0 ? 0 : UInt64(1) << UInt64(bitWidth) - 1
        let lengths = Array(1...20) + Array(500...510) + [1000]
        var out: [UInt32] = []
        for _ in 0..<300 {
            let length = lengths[Int(random() % UInt64(lengths.count))]
            let value = top == 0 ? 0 : UInt32(random() % (top + 1))
            out += Array(repeating: value, count: length)
        }
        return out
    }

    @Test(arguments: [0, 1, 2, 3, 5, 7, 8, 9, 13, 16, 17, 24, 31, 32])
    func bytesAreThePlainFormsAndReadBack(bitWidth: Int) throws {
        for seed: UInt64 in [1, 2, 3] {
            let values = Self.values(bitWidth: bitWidth, seed: seed)
            var encoded: [UInt8] = [0xAB]  // bytes already in the page stay
            HybridEncoder.encode(values, bitWidth: bitWidth, into: &encoded)
            #expect(encoded.first == 0xAB)
            let body = Array(encoded.dropFirst())
            let reference = Self.reference(values, bitWidth: bitWidth)
            let firstDifference = zip(body, reference).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            #expect(
                body.count == reference.count && firstDifference == nil,
                "bit width \(bitWidth), seed \(seed): \(body.count) bytes against \(reference.count), first difference at \(firstDifference ?? -1)")
            if bitWidth <= 8 {
                // Definition levels are encoded from their bytes: the same bytes again.
                var fromBytes: [UInt8] = []
                values.map { UInt8($0) }.withUnsafeBufferPointer { HybridEncoder.encode($0, bitWidth: bitWidth, into: &fromBytes) }
                #expect(fromBytes == body, "bit width \(bitWidth), seed \(seed): from bytes")
            }
            var decoder = try HybridDecoder(PageBytes(body), bitWidth: bitWidth)
            var wrong = 0
            for value in values {
                if try decoder.next() != value { wrong += 1 }
            }
            #expect(wrong == 0, "bit width \(bitWidth), seed \(seed): \(wrong) values read back differently")
        }
    }

    @Test func nothingEncodesToNothing() {
        var out: [UInt8] = []
        HybridEncoder.encode([], bitWidth: 3, into: &out)
        #expect(out.isEmpty)
    }
}
