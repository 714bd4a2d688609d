import CostwhBytes

/// Turns UTF-16 (either byte order) or Windows-1252 text into UTF-8 as it streams, so the
/// CSV reader and everything after it only ever sees UTF-8. Excel's "Unicode text" is
/// UTF-16 LE, and files re-saved on Windows in the "ANSI" code page are Windows-1252.
package final class TranscodingByteSource: ByteSource {
    package var name: String { inner.name }
    package let encoding: TextEncoding
    private let inner: ByteSource
    private let raw: UnsafeMutableRawBufferPointer
    /// Decoded UTF-8 not yet handed out: `output[outputStart..<outputEnd]`.
    private var output: UnsafeMutablePointer<UInt8>
    private var outputCapacity: Int
    private var outputStart = 0
    private var outputEnd = 0
    /// A byte of a UTF-16 code unit split across reads, and a high surrogate waiting for its pair.
    private var carry: UInt8?
    private var highSurrogate: UInt32?
    private var ended = false

    package init(wrapping inner: ByteSource, encoding: TextEncoding, chunkSize: Int = 1 << 18) {
        precondition(encoding != .utf8, "UTF-8 needs no transcoding")
        self.inner = inner
        self.encoding = encoding
        raw = .allocate(byteCount: chunkSize, alignment: 8)
        // Worst cases: a Windows-1252 byte becomes 3 UTF-8 bytes, a UTF-16 unit 3 as well.
        outputCapacity = chunkSize * 3 + 8
        output = .allocate(capacity: outputCapacity)
    }

    deinit {
        raw.deallocate()
        output.deallocate()
    }

    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(BytesError) -> Int {
        while outputStart == outputEnd {
            if ended { return 0 }
            try fill()
        }
        let n = min(buffer.count, outputEnd - outputStart)
        buffer.baseAddress!.copyMemory(from: output + outputStart, byteCount: n)
        outputStart += n
        return n
    }

    private func fill() throws(BytesError) {
        outputStart = 0
        outputEnd = 0
        let n = try inner.read(into: raw)
        if n == 0 {
            ended = true
            // A dangling half unit or surrogate at the very end is not text.
            if carry != nil || highSurrogate != nil { put(0xFFFD) }
            carry = nil
            highSurrogate = nil
            return
        }
        let bytes = raw.bindMemory(to: UInt8.self)
        switch encoding {
        case .windows1252:
            for i in 0..<n {
                let b = bytes[i]
                if b < 0x80 {
                    output[outputEnd] = b
                    outputEnd += 1
                } else {
                    put(UInt32(TranscodingByteSource.windows1252High[Int(b) - 0x80]))
                }
            }
        case .utf16LE, .utf16BE:
            let littleEndian = encoding == .utf16LE
            var i = 0
            while i < n {
                let first: UInt8
                if let pending = carry {
                    first = pending
                    carry = nil
                } else {
                    first = bytes[i]
                    i += 1
                    if i == n {
                        carry = first
                        break
                    }
                }
                let second = bytes[i]
                i += 1
                let unit = littleEndian ? UInt32(first) | UInt32(second) << 8 : UInt32(first) << 8 | UInt32(second)
                decode(unit)
            }
        case .utf8:
            break
        }
    }

    @inline(__always)
    private func decode(_ unit: UInt32) {
        if let high = highSurrogate {
            highSurrogate = nil
            if unit >= 0xDC00 && unit <= 0xDFFF {
                put(0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00))
                return
            }
            put(0xFFFD)
        }
        if unit >= 0xD800 && unit <= 0xDBFF {
            highSurrogate = unit
        } else if unit >= 0xDC00 && unit <= 0xDFFF {
            put(0xFFFD)
        } else {
            put(unit)
        }
    }

    @inline(__always)
    private func put(_ scalar: UInt32) {
        if outputEnd + 4 > outputCapacity {
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: outputCapacity * 2)
            bigger.update(from: output, count: outputEnd)
            output.deallocate()
            output = bigger
            outputCapacity *= 2
        }
        let o = output + outputEnd
        switch scalar {
        case 0..<0x80:
            o[0] = UInt8(scalar)
            outputEnd += 1
        case 0x80..<0x800:
            o[0] = UInt8(0xC0 | scalar >> 6)
            o[1] = UInt8(0x80 | scalar & 0x3F)
            outputEnd += 2
        case 0x800..<0x10000:
            o[0] = UInt8(0xE0 | scalar >> 12)
            o[1] = UInt8(0x80 | scalar >> 6 & 0x3F)
            o[2] = UInt8(0x80 | scalar & 0x3F)
            outputEnd += 3
        default:
            o[0] = UInt8(0xF0 | scalar >> 18)
            o[1] = UInt8(0x80 | scalar >> 12 & 0x3F)
            o[2] = UInt8(0x80 | scalar >> 6 & 0x3F)
            o[3] = UInt8(0x80 | scalar & 0x3F)
            outputEnd += 4
        }
    }

    /// Windows-1252 bytes 0x80–0xFF as Unicode scalars. The five bytes the code page leaves
    /// undefined map to the C1 controls of the same value, as Windows' own decoder does.
    static let windows1252High: [UInt16] =
        [
            0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152,
            0x008D, 0x017D, 0x008F,
            0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153,
            0x009D, 0x017E, 0x0178,
        ] + (0xA0...0xFF).map { UInt16($0) }
}
