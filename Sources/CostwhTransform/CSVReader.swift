import CostwhBytes

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One field of the current record: a byte range in the reader's buffer.
package struct CSVField: Sendable {
    package var start: Int
    package var end: Int
    /// The field was quoted and holds doubled quotes that `unescaped` removes.
    package var hasEscapes: Bool
}

/// A streaming RFC 4180 reader over raw UTF-8 bytes, with a configurable delimiter.
///
/// It keeps one growing buffer and hands out byte ranges into it, so no `String` is made
/// per field and memory stays flat whatever the file size. It handles quoted fields with
/// commas, doubled quotes and newlines, LF and CRLF endings and a UTF-8 BOM. A record that
/// breaks the quoting rules is still returned, with `malformedReason` set, so the caller
/// can quarantine it and go on.
package final class CSVReader {
    package let name: String
    /// The field separator: `,` unless the file's dialect says otherwise.
    package let delimiter: UInt8
    private let source: ByteSource
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private let maxRecordBytes: Int
    /// Valid bytes are `buffer[0..<filled]`; parsing resumes at `position`.
    private var filled = 0
    private var position = 0
    private var sourceEnded = false
    private var atStart = true

    private var fieldStorage: UnsafeMutablePointer<CSVField>
    private var fieldCapacity = 128

    /// Number of fields in the current record.
    package private(set) var fieldCount = 0
    /// The 1-based physical line on which the current record starts.
    package private(set) var lineNumber = 0
    /// Physical lines consumed so far.
    private var linesSeen = 0
    /// Why the current record breaks the CSV rules, or nil.
    package private(set) var malformedReason: String?
    /// Offsets of the current record in the buffer, line terminator excluded.
    package private(set) var recordStart = 0
    package private(set) var recordEnd = 0
    /// Bytes of the source consumed by the records returned so far.
    package private(set) var bytesConsumed = 0
    private var bufferBase = 0

    package init(source: ByteSource, delimiter: UInt8 = 0x2C, chunkSize: Int = 4 << 20, maxRecordBytes: Int = 64 << 20) {
        self.name = source.name
        self.delimiter = delimiter
        self.source = source
        self.capacity = max(chunkSize, 4)
        self.maxRecordBytes = max(maxRecordBytes, 64)
        self.buffer = .allocate(capacity: capacity + 1)
        self.fieldStorage = .allocate(capacity: fieldCapacity)
    }

    deinit {
        buffer.deallocate()
        fieldStorage.deallocate()
    }

    @inline(__always)
    package func field(_ index: Int) -> CSVField { fieldStorage[index] }

    /// The raw bytes of a field, still escaped when `hasEscapes` is set.
    @inline(__always)
    package func bytes(of index: Int) -> UnsafeBufferPointer<UInt8> {
        let f = fieldStorage[index]
        return UnsafeBufferPointer(start: buffer + f.start, count: f.end - f.start)
    }

    /// The field's text with doubled quotes collapsed.
    package func string(of index: Int) -> String {
        let f = fieldStorage[index]
        let raw = UnsafeBufferPointer(start: buffer + f.start, count: f.end - f.start)
        if !f.hasEscapes { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        CSVReader.unescape(raw) { out.append(contentsOf: $0) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Calls `sink` with runs of unescaped bytes (`""` becomes `"`).
    @inline(__always)
    package static func unescape(_ raw: UnsafeBufferPointer<UInt8>, _ sink: (UnsafeBufferPointer<UInt8>) -> Void) {
        var runStart = 0
        var i = 0
        let n = raw.count
        while i < n {
            if raw[i] == 0x22 && i + 1 < n && raw[i + 1] == 0x22 {
                sink(UnsafeBufferPointer(rebasing: raw[runStart...i]))
                i += 2
                runStart = i
            } else {
                i += 1
            }
        }
        if runStart < n { sink(UnsafeBufferPointer(rebasing: raw[runStart..<n])) }
    }

    /// The raw text of the current record, for quarantine.
    package func recordText(limit: Int = 65_536) -> String {
        let count = min(recordEnd - recordStart, limit)
        return String(decoding: UnsafeBufferPointer(start: buffer + recordStart, count: count), as: UTF8.self)
    }

    package var recordByteCount: Int { recordEnd - recordStart }

    /// Moves to the next record. Returns false at the end of the input.
    package func next() throws(TransformError) -> Bool {
        while true {
            if position >= filled {
                if sourceEnded { return false }
                try refill()
                if position >= filled && sourceEnded { return false }
                continue
            }
            switch parseRecord() {
            case .complete:
                if fieldCount == 1 && fieldStorage[0].end == fieldStorage[0].start && malformedReason == nil
                    && !lastFieldWasQuoted
                {
                    // A blank line: not a record.
                    continue
                }
                return true
            case .needMore:
                if sourceEnded {
                    // Only reached for an unterminated quote at the very end.
                    return true
                }
                try refill()
            }
        }
    }

    private enum Outcome { case complete, needMore }
    private var lastFieldWasQuoted = false

    /// Parses one record starting at `position`. On `.needMore` nothing is consumed.
    @inline(__always)
    private func parseRecord() -> Outcome {
        let start = position
        var p = start
        let end = filled
        let buf = buffer
        let delim = delimiter
        var count = 0
        var lines = 1
        var reason: String?
        lastFieldWasQuoted = false
        // A sentinel after the data lets the unquoted scan test for the end only at delimiters.
        buf[end] = 0x0A

        while true {
            if count == fieldCapacity { growFields() }
            if p < end && buf[p] == 0x22 {
                // Quoted field.
                p += 1
                let contentStart = p
                var escapes = false
                var closed = false
                while p < end {
                    guard let q = memchr(buf + p, 0x22, end - p) else {
                        p = end
                        break
                    }
                    let qi = buf.distance(to: q.assumingMemoryBound(to: UInt8.self))
                    lines += countNewlines(buf + p, qi - p)
                    if qi + 1 < end && buf[qi + 1] == 0x22 {
                        escapes = true
                        p = qi + 2
                        continue
                    }
                    if qi + 1 >= end && !sourceEnded {
                        p = end
                        break
                    }
                    p = qi + 1
                    closed = true
                    break
                }
                if !closed {
                    if !sourceEnded { return .needMore }
                    // Unterminated quote at the end of the input.
                    fieldStorage[count] = CSVField(start: contentStart, end: end, hasEscapes: escapes)
                    count += 1
                    finish(
                        start: start, end: end, next: end, count: count, lines: lines,
                        reason: "unterminated quoted field in column \(count)")
                    return .complete
                }
                let contentEnd = p - 1
                fieldStorage[count] = CSVField(start: contentStart, end: contentEnd, hasEscapes: escapes)
                count += 1
                lastFieldWasQuoted = true
                if p == end {
                    finish(start: start, end: end, next: end, count: count, lines: lines, reason: reason)
                    return .complete
                }
                var c = buf[p]
                if c == 0x0D && p + 1 < end && buf[p + 1] == 0x0A {
                    p += 1
                    c = 0x0A
                } else if c == 0x0D && p + 1 >= end && !sourceEnded {
                    return .needMore
                }
                if c == delim {
                    p += 1
                    continue
                }
                if c == 0x0A {
                    let recordEnd = buf[p - 1] == 0x0D ? p - 1 : p
                    finish(start: start, end: recordEnd, next: p + 1, count: count, lines: lines, reason: reason)
                    return .complete
                }
                // Text after a closing quote: keep it in the field and flag the record.
                if reason == nil { reason = "unexpected character after the closing quote in column \(count)" }
                count -= 1
                let fieldStart = contentStart
                while true {
                    let b = buf[p]
                    if b == delim || b == 0x0A { break }
                    p += 1
                }
                if p >= end && !sourceEnded { return .needMore }
                fieldStorage[count] = CSVField(start: fieldStart, end: min(p, end), hasEscapes: false)
                count += 1
            } else {
                let fieldStart = p
                // The sentinel at buf[end] stops this loop.
                while true {
                    let b = buf[p]
                    if b == delim || b == 0x0A { break }
                    p += 1
                }
                if p >= end {
                    if !sourceEnded { return .needMore }
                    var fe = end
                    if fe > fieldStart && buf[fe - 1] == 0x0D { fe -= 1 }
                    fieldStorage[count] = CSVField(start: fieldStart, end: fe, hasEscapes: false)
                    count += 1
                    finish(start: start, end: fe, next: end, count: count, lines: lines, reason: reason)
                    return .complete
                }
                var fe = p
                if buf[p] == 0x0A && fe > fieldStart && buf[fe - 1] == 0x0D { fe -= 1 }
                fieldStorage[count] = CSVField(start: fieldStart, end: fe, hasEscapes: false)
                count += 1
                lastFieldWasQuoted = false
            }
            if buf[p] == delim {
                p += 1
                continue
            }
            // Newline.
            let recordEnd = (p > start && p <= end && buf[p - 1] == 0x0D) ? p - 1 : min(p, end)
            finish(start: start, end: recordEnd, next: min(p + 1, end), count: count, lines: lines, reason: reason)
            return .complete
        }
    }

    @inline(__always)
    private func finish(start: Int, end: Int, next: Int, count: Int, lines: Int, reason: String?) {
        fieldCount = count
        recordStart = start
        recordEnd = end
        lineNumber = linesSeen + 1
        linesSeen += lines
        malformedReason = reason
        bytesConsumed = bufferBase + next
        position = next
    }

    @inline(__always)
    private func countNewlines(_ p: UnsafeMutablePointer<UInt8>, _ n: Int) -> Int {
        var count = 0
        var cursor = p
        var left = n
        while left > 0, let hit = memchr(cursor, 0x0A, left) {
            count += 1
            let h = hit.assumingMemoryBound(to: UInt8.self)
            left -= cursor.distance(to: h) + 1
            cursor = h + 1
        }
        return count
    }

    private func growFields() {
        let bigger = UnsafeMutablePointer<CSVField>.allocate(capacity: fieldCapacity * 2)
        bigger.moveInitialize(from: fieldStorage, count: fieldCapacity)
        fieldStorage.deallocate()
        fieldStorage = bigger
        fieldCapacity *= 2
    }

    /// Keeps the unparsed tail, then reads more; grows the buffer for a record larger than it.
    private func refill() throws(TransformError) {
        let tail = filled - position
        if position > 0 {
            if tail > 0 { memmove(buffer, buffer + position, tail) }
            bufferBase += position
            position = 0
            filled = tail
        }
        if filled == capacity {
            guard capacity < maxRecordBytes else {
                throw .recordTooLong(file: name, line: linesSeen + 1, limit: maxRecordBytes)
            }
            let newCapacity = min(capacity * 2, maxRecordBytes)
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity + 1)
            bigger.update(from: buffer, count: filled)
            buffer.deallocate()
            buffer = bigger
            capacity = newCapacity
        }
        let n: Int
        do {
            n = try source.read(into: UnsafeMutableRawBufferPointer(start: buffer + filled, count: capacity - filled))
        } catch {
            throw .source(error)
        }
        if n == 0 {
            sourceEnded = true
        } else {
            filled += n
        }
        if atStart && filled >= 3 {
            atStart = false
            if buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { position = 3 }
        } else if atStart && sourceEnded {
            atStart = false
        }
    }
}
