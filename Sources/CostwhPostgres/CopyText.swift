import CostwhTransform
import NIOCore

/// Rows in COPY's text format, which is all postgres-nio's `copyFrom` offers: fields
/// separated by tabs, rows by newlines, NULL as `\N`, and backslash, tab, newline and
/// carriage return escaped with a backslash.
struct CopyText {
    private(set) var buffer: ByteBuffer
    private var atRowStart = true

    init(capacity: Int = 1 << 20) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    var byteCount: Int { buffer.readableBytes }

    /// Takes the encoded bytes, leaving an empty buffer of the same capacity.
    mutating func take() -> ByteBuffer {
        let out = buffer
        buffer = ByteBufferAllocator().buffer(capacity: max(out.capacity, 1 << 16))
        atRowStart = true
        return out
    }

    @inline(__always)
    private mutating func separate() {
        if atRowStart { atRowStart = false } else { buffer.writeInteger(UInt8(ascii: "\t")) }
    }

    mutating func endRow() {
        buffer.writeInteger(UInt8(ascii: "\n"))
        atRowStart = true
    }

    mutating func null() {
        separate()
        buffer.writeStaticString("\\N")
    }

    mutating func text(_ slice: ByteSlice) {
        guard let base = slice.base else { return null() }
        separate()
        let bytes = UnsafeBufferPointer(start: base, count: slice.count)
        // Most fields need no escape: write them in one go.
        var plain = true
        var ascii = true
        for b in bytes {
            if b == 0x5C || b == 0x09 || b == 0x0A || b == 0x0D || b == 0 { plain = false }
            if b >= 0x80 { ascii = false }
        }
        if !ascii {
            // PostgreSQL accepts valid UTF-8 only, where SQLite keeps any bytes: an invalid
            // sequence becomes U+FFFD here (the ledger's warnings count such rows on load).
            let decoded = String(decoding: bytes, as: UTF8.self)
            if !decoded.utf8.elementsEqual(bytes) {
                var repaired = decoded
                repaired.withUTF8 { write(UnsafeBufferPointer(start: $0.baseAddress, count: $0.count), plain: false) }
                return
            }
        }
        write(bytes, plain: plain)
    }

    @inline(__always)
    private mutating func write(_ bytes: UnsafeBufferPointer<UInt8>, plain: Bool) {
        if plain {
            buffer.writeBytes(bytes)
            return
        }
        for b in bytes {
            switch b {
            case 0x5C: buffer.writeStaticString("\\\\")
            case 0x09: buffer.writeStaticString("\\t")
            case 0x0A: buffer.writeStaticString("\\n")
            case 0x0D: buffer.writeStaticString("\\r")
            // PostgreSQL text cannot hold NUL.
            case 0x00: buffer.writeBytes([0xEF, 0xBF, 0xBD])
            default: buffer.writeInteger(b)
            }
        }
    }

    mutating func text(_ string: String?) {
        guard var string else { return null() }
        string.withUTF8 { text(ByteSlice(base: $0.baseAddress, count: $0.count)) }
    }

    mutating func integer(_ value: Int64?) {
        guard let value else { return null() }
        separate()
        buffer.writeString(String(value))
    }

    /// Shortest text that reads back as the same double.
    mutating func real(_ value: Double?) {
        guard let value, value.isFinite else { return null() }
        separate()
        buffer.writeString(value.description)
    }
}
