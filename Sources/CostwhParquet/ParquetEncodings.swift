/// A column's decoded values of one page (or its dictionary), by physical type.
enum ColumnValues {
    case bools([Bool])
    case int32([Int32])
    case int64([Int64])
    case int96([(nanos: UInt64, julianDay: UInt32)])
    case float([Float])
    case double([Double])
    /// BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY: value i is `storage[offsets[i]..<offsets[i + 1]]`.
    case bytes(storage: [UInt8], offsets: [Int])

    var count: Int {
        switch self {
        case .bools(let v): return v.count
        case .int32(let v): return v.count
        case .int64(let v): return v.count
        case .int96(let v): return v.count
        case .float(let v): return v.count
        case .double(let v): return v.count
        case .bytes(_, let offsets): return max(0, offsets.count - 1)
        }
    }
}

/// A bounds-checked cursor over one page's bytes: every read names what it wanted when the
/// page ends first.
struct PageBytes {
    let bytes: [UInt8]
    var position: Int
    let end: Int

    init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        position = start
        self.end = min(end ?? bytes.count, bytes.count)
    }

    var remaining: Int { max(0, end - position) }

    mutating func take(_ count: Int, _ what: String) throws(ParquetError) -> Range<Int> {
        guard count >= 0, count <= remaining else {
            throw ParquetError("the page ends inside \(what) (\(count) bytes wanted, \(remaining) left)")
        }
        defer { position += count }
        return position..<(position + count)
    }

    mutating func uint32LE(_ what: String) throws(ParquetError) -> UInt32 {
        let r = try take(4, what)
        return UInt32(bytes[r.lowerBound]) | UInt32(bytes[r.lowerBound + 1]) << 8 | UInt32(bytes[r.lowerBound + 2]) << 16
            | UInt32(bytes[r.lowerBound + 3]) << 24
    }

    mutating func varint(_ what: String) throws(ParquetError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw ParquetError("the page ends inside \(what)") }
            let b = bytes[position]
            position += 1
            guard shift < 64 else { throw ParquetError("\(what) is a variable-length integer that is too long") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// A varint that counts something, at most `limit`.
    mutating func count(_ what: String, limit: Int) throws(ParquetError) -> Int {
        let raw = try varint(what)
        guard raw <= UInt64(limit) else { throw ParquetError("\(what) is \(raw), over the limit of \(limit)") }
        return Int(raw)
    }

    mutating func zigzag(_ what: String) throws(ParquetError) -> Int64 {
        let raw = try varint(what)
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }
}

enum ParquetEncodings {
    /// The RLE / bit-packing hybrid (levels and dictionary indices): `count` values of
    /// `bitWidth` bits. Runs that claim more values than remain are cut at `count`.
    static func hybrid(_ page: inout PageBytes, bitWidth: Int, count: Int) throws(ParquetError) -> [UInt32] {
        guard (0...32).contains(bitWidth) else { throw ParquetError("a bit width of \(bitWidth) is not valid") }
        var out: [UInt32] = []
        out.reserveCapacity(count)
        let byteWidth = (bitWidth + 7) / 8
        while out.count < count {
            let header = try page.varint("a run header")
            if header & 1 == 0 {
                let run = header >> 1
                let r = try page.take(byteWidth, "a repeated value")
                var value: UInt32 = 0
                for (i, b) in page.bytes[r].enumerated() { value |= UInt32(b) << (8 * UInt32(i)) }
                let n = Int(min(run, UInt64(count - out.count)))
                out.append(contentsOf: repeatElement(value, count: n))
                if run == 0 { throw ParquetError("a run of zero values") }
            } else {
                let groups = header >> 1
                guard groups > 0, groups <= UInt64(ParquetLimits.pageValues / 8) else {
                    throw ParquetError("a bit-packed run claims \(groups) groups")
                }
                // Only the values still wanted must be in the page: some writers end a page
                // inside the padding of its last group.
                let wanted = min(Int(groups) * 8, count - out.count)
                let needed = (wanted * bitWidth + 7) / 8
                let available = min(Int(groups) * bitWidth, page.remaining)
                guard needed <= available else {
                    throw ParquetError("a bit-packed run claims more bytes than the page has")
                }
                let r = try page.take(available, "a bit-packed run")
                var bit = 0
                let base = r.lowerBound
                for _ in 0..<wanted {
                    var value: UInt32 = 0
                    for k in 0..<bitWidth {
                        let b = bit + k
                        if page.bytes[base + b >> 3] >> UInt8(b & 7) & 1 == 1 { value |= 1 << UInt32(k) }
                    }
                    bit += bitWidth
                    out.append(value)
                }
            }
        }
        return out
    }

    static func bitWidth(_ max: Int) -> Int {
        max <= 0 ? 0 : Int.bitWidth - max.leadingZeroBitCount
    }

    /// PLAIN values of a physical type.
    static func plain(
        _ page: inout PageBytes, type: PhysicalType, typeLength: Int, count: Int
    ) throws(ParquetError) -> ColumnValues {
        switch type {
        case .boolean:
            let r = try page.take((count + 7) / 8, "the booleans")
            return .bools((0..<count).map { page.bytes[r.lowerBound + $0 >> 3] >> UInt8($0 & 7) & 1 == 1 })
        case .int32:
            let r = try page.take(count * 4, "the INT32 values")
            return .int32((0..<count).map { i in Int32(bitPattern: le32(page.bytes, r.lowerBound + 4 * i)) })
        case .int64:
            let r = try page.take(count * 8, "the INT64 values")
            return .int64((0..<count).map { i in Int64(bitPattern: le64(page.bytes, r.lowerBound + 8 * i)) })
        case .int96:
            let r = try page.take(count * 12, "the INT96 values")
            return .int96(
                (0..<count).map { i in (le64(page.bytes, r.lowerBound + 12 * i), le32(page.bytes, r.lowerBound + 12 * i + 8)) })
        case .float:
            let r = try page.take(count * 4, "the FLOAT values")
            return .float((0..<count).map { i in Float(bitPattern: le32(page.bytes, r.lowerBound + 4 * i)) })
        case .double:
            let r = try page.take(count * 8, "the DOUBLE values")
            return .double((0..<count).map { i in Double(bitPattern: le64(page.bytes, r.lowerBound + 8 * i)) })
        case .byteArray:
            // Each value is a 4-byte length and its bytes, every one checked against the page's
            // end; the page read through one pointer (a slice per value retained the page).
            // What is reserved is bounded by the page's bytes, not by the count it claims.
            var storage: [UInt8] = []
            storage.reserveCapacity(max(0, page.remaining - 4 * min(count, page.remaining / 4)))
            var offsets = [0]
            offsets.reserveCapacity(min(count, page.remaining / 4) + 1)
            let bytes = page.bytes
            let end = page.end
            var p = page.position
            try bytes.withUnsafeBufferPointer { (all) throws(ParquetError) in
                for _ in 0..<count {
                    guard end - p >= 4 else {
                        throw ParquetError("the page ends inside a string's length (4 bytes wanted, \(max(0, end - p)) left)")
                    }
                    let length = Int(UInt32(all[p]) | UInt32(all[p + 1]) << 8 | UInt32(all[p + 2]) << 16 | UInt32(all[p + 3]) << 24)
                    p += 4
                    guard length <= end - p else {
                        throw ParquetError("the page ends inside a string (\(length) bytes wanted, \(end - p) left)")
                    }
                    storage.append(contentsOf: UnsafeBufferPointer(rebasing: all[p..<(p + length)]))
                    p += length
                    offsets.append(storage.count)
                }
            }
            page.position = p
            return .bytes(storage: storage, offsets: offsets)
        case .fixedLenByteArray:
            guard typeLength > 0 else { throw ParquetError("a FIXED_LEN_BYTE_ARRAY column has no length") }
            let r = try page.take(count * typeLength, "the fixed-length values")
            return .bytes(
                storage: Array(page.bytes[r]), offsets: (0...count).map { $0 * typeLength })
        }
    }

    /// DELTA_BINARY_PACKED: blocks of miniblocks of bit-packed deltas.
    static func deltaBinaryPacked(_ page: inout PageBytes, count: Int) throws(ParquetError) -> [Int64] {
        // Each count is checked against its limit before it becomes an Int: a hostile varint
        // may be any 64-bit value (found by the fuzzer: Int(UInt64) traps past Int.max).
        let blockSize = try page.count("the block size", limit: 1 << 20)
        let miniblocks = try page.count("the miniblock count", limit: 1 << 20)
        let total = try page.count("the value count", limit: ParquetLimits.pageValues)
        var last = try page.zigzag("the first value")
        guard blockSize > 0, blockSize % 128 == 0, miniblocks > 0, blockSize % miniblocks == 0,
            (blockSize / miniblocks) % 32 == 0, blockSize <= 1 << 20
        else { throw ParquetError("a DELTA_BINARY_PACKED header is not valid") }
        guard total >= 0, total <= ParquetLimits.pageValues else { throw ParquetError("a DELTA_BINARY_PACKED page claims \(total) values") }
        let perMiniblock = blockSize / miniblocks
        var out: [Int64] = []
        out.reserveCapacity(min(total, count))
        if total > 0 { out.append(last) }
        while out.count < total {
            let minDelta = try page.zigzag("a block's minimum delta")
            let widths = try page.take(miniblocks, "a block's bit widths")
            for m in 0..<miniblocks where out.count < total {
                let width = Int(page.bytes[widths.lowerBound + m])
                guard width <= 64 else { throw ParquetError("a miniblock bit width of \(width)") }
                let r = try page.take(perMiniblock * width / 8, "a miniblock")
                var bit = 0
                for _ in 0..<perMiniblock {
                    var delta: UInt64 = 0
                    for k in 0..<width {
                        let b = bit + k
                        if page.bytes[r.lowerBound + b >> 3] >> UInt8(b & 7) & 1 == 1 { delta |= 1 << UInt64(k) }
                    }
                    bit += width
                    if out.count < total {
                        last = last &+ minDelta &+ Int64(bitPattern: delta)
                        out.append(last)
                    }
                }
            }
        }
        return out
    }

    /// DELTA_LENGTH_BYTE_ARRAY: the lengths delta-encoded, then the bytes one after another.
    static func deltaLengthByteArray(_ page: inout PageBytes, count: Int) throws(ParquetError) -> ColumnValues {
        let lengths = try deltaBinaryPacked(&page, count: count)
        var storage: [UInt8] = []
        var offsets = [0]
        for length in lengths.prefix(count) {
            guard length >= 0, length <= Int64(page.remaining) else { throw ParquetError("a string length of \(length)") }
            let r = try page.take(Int(length), "a string")
            storage.append(contentsOf: page.bytes[r])
            offsets.append(storage.count)
        }
        return .bytes(storage: storage, offsets: offsets)
    }

    /// DELTA_BYTE_ARRAY: each value the previous one's prefix plus a suffix.
    static func deltaByteArray(_ page: inout PageBytes, count: Int) throws(ParquetError) -> ColumnValues {
        let prefixes = try deltaBinaryPacked(&page, count: count)
        guard case .bytes(let suffixes, let suffixOffsets) = try deltaLengthByteArray(&page, count: count) else {
            return .bytes(storage: [], offsets: [0])
        }
        var storage: [UInt8] = []
        var offsets = [0]
        var previous: ArraySlice<UInt8> = []
        for i in 0..<min(count, prefixes.count, suffixOffsets.count - 1) {
            let prefix = prefixes[i]
            guard prefix >= 0, prefix <= Int64(previous.count) else { throw ParquetError("a prefix longer than the value before it") }
            var value = Array(previous.prefix(Int(prefix)))
            value.append(contentsOf: suffixes[suffixOffsets[i]..<suffixOffsets[i + 1]])
            storage.append(contentsOf: value)
            offsets.append(storage.count)
            previous = ArraySlice(value)
        }
        return .bytes(storage: storage, offsets: offsets)
    }

    /// BYTE_STREAM_SPLIT: byte k of every value, then byte k + 1…
    static func byteStreamSplit(
        _ page: inout PageBytes, type: PhysicalType, typeLength: Int, count: Int
    ) throws(ParquetError) -> ColumnValues {
        let width: Int
        switch type {
        case .float, .int32: width = 4
        case .double, .int64: width = 8
        case .fixedLenByteArray: width = typeLength
        default: throw ParquetError("BYTE_STREAM_SPLIT is not defined for this physical type")
        }
        let r = try page.take(count * width, "the split values")
        var joined = [UInt8](repeating: 0, count: count * width)
        for i in 0..<count {
            for k in 0..<width { joined[i * width + k] = page.bytes[r.lowerBound + k * count + i] }
        }
        var plain = PageBytes(joined)
        return try ParquetEncodings.plain(&plain, type: type, typeLength: typeLength, count: count)
    }

    static func le32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }

    static func le64(_ b: [UInt8], _ i: Int) -> UInt64 {
        UInt64(le32(b, i)) | UInt64(le32(b, i + 4)) << 32
    }
}

/// The RLE / bit-packing hybrid read one value at a time, so a page of a million levels or
/// dictionary indices costs a few bytes of state, not an array of them.
struct HybridDecoder {
    private let bytes: [UInt8]
    private var position: Int
    private let end: Int
    private let bitWidth: Int
    private var remaining = 0
    private var repeated = true
    private var value: UInt32 = 0
    private var packedBase = 0
    private var packedBits = 0
    private var packedIndex = 0

    init(_ page: PageBytes, bitWidth: Int) throws(ParquetError) {
        guard (0...32).contains(bitWidth) else { throw ParquetError("a bit width of \(bitWidth) is not valid") }
        bytes = page.bytes
        position = page.position
        end = page.end
        self.bitWidth = bitWidth
    }

    mutating func next() throws(ParquetError) -> UInt32 {
        while remaining == 0 { try run() }
        remaining -= 1
        if repeated { return value }
        let first = packedIndex * bitWidth
        packedIndex += 1
        guard first + bitWidth <= packedBits else {
            throw ParquetError("a bit-packed run claims more bytes than the page has")
        }
        var out: UInt32 = 0
        for k in 0..<bitWidth {
            let b = first + k
            if bytes[packedBase + b >> 3] >> UInt8(b & 7) & 1 == 1 { out |= 1 << UInt32(k) }
        }
        return out
    }

    /// Fills `out` with the next `out.count` values: a repeated run as a fill, a bit-packed
    /// one eight bytes at a time. The typed row path decodes a batch of levels or indices
    /// per column this way instead of a call per value.
    mutating func next(into out: UnsafeMutableBufferPointer<UInt32>) throws(ParquetError) {
        var done = 0
        let mask: UInt64 = bitWidth == 32 ? 0xFFFF_FFFF : (1 << UInt64(bitWidth)) - 1
        while done < out.count {
            while remaining == 0 { try run() }
            let n = min(remaining, out.count - done)
            if repeated {
                for k in 0..<n { out[done + k] = value }
            } else {
                let first = packedIndex * bitWidth
                // Every bit to be read lies within the run's bytes, checked once for the batch.
                guard first + n * bitWidth <= packedBits else {
                    throw ParquetError("a bit-packed run claims more bytes than the page has")
                }
                try bytes.withUnsafeBufferPointer { (all) throws(ParquetError) in
                    let runEnd = packedBase + (packedBits + 7) / 8
                    guard packedBase >= 0, runEnd <= all.count else {
                        throw ParquetError("a bit-packed run lies outside its page")
                    }
                    var bit = first
                    for k in 0..<n {
                        let byte = packedBase + bit >> 3
                        var word: UInt64 = 0
                        if byte + 8 <= runEnd {
                            word = UnsafeRawPointer(all.baseAddress! + byte).loadUnaligned(as: UInt64.self)
                            word = UInt64(littleEndian: word)
                        } else {
                            for j in 0..<(runEnd - byte) { word |= UInt64(all[byte + j]) << UInt64(8 * j) }
                        }
                        out[done + k] = UInt32(truncatingIfNeeded: (word >> UInt64(bit & 7)) & mask)
                        bit += bitWidth
                    }
                }
                packedIndex += n
            }
            remaining -= n
            done += n
        }
    }

    /// Skips the next `count` values when they lie in one repeated run of `expected`; false,
    /// with nothing read, otherwise. A column without nulls has its definition levels in one
    /// such run, so a batch of its rows needs no level decoded one by one.
    mutating func skip(_ count: Int, ifAll expected: UInt32) throws(ParquetError) -> Bool {
        if remaining == 0 { try run() }
        guard repeated, value == expected, remaining >= count else { return false }
        remaining -= count
        return true
    }

    /// How many of the next `count` values equal `expected`, read past: a repeated run is
    /// counted whole, a bit-packed one value by value. Any value above `limit` is an error.
    mutating func count(_ count: Int, equalTo expected: UInt32, limit: UInt32) throws(ParquetError) -> Int {
        var left = count
        var found = 0
        var batch = [UInt32](repeating: 0, count: 256)
        while left > 0 {
            while remaining == 0 { try run() }
            let n = min(left, remaining)
            if repeated {
                guard value <= limit else { throw ParquetError("a definition level is above the column's maximum (\(limit))") }
                if value == expected { found += n }
                remaining -= n
                left -= n
                continue
            }
            let k = min(n, batch.count)
            try batch.withUnsafeMutableBufferPointer { (out) throws(ParquetError) in
                try next(into: UnsafeMutableBufferPointer(rebasing: out[0..<k]))
            }
            for level in batch[0..<k] {
                guard level <= limit else { throw ParquetError("a definition level is above the column's maximum (\(limit))") }
                if level == expected { found += 1 }
            }
            left -= k
        }
        return found
    }

    private mutating func run() throws(ParquetError) {
        var page = PageBytes(bytes, from: position, to: end)
        let header = try page.varint("a run header")
        if header & 1 == 0 {
            let count = header >> 1
            guard count > 0, count <= UInt64(ParquetLimits.pageValues) else {
                throw ParquetError("a run claims \(count) values")
            }
            let r = try page.take((bitWidth + 7) / 8, "a repeated value")
            var v: UInt32 = 0
            for (i, b) in bytes[r].enumerated() { v |= UInt32(b) << (8 * UInt32(i)) }
            repeated = true
            value = v
            remaining = Int(count)
        } else {
            let groups = header >> 1
            guard groups > 0, groups <= UInt64(ParquetLimits.pageValues / 8) else {
                throw ParquetError("a bit-packed run claims \(groups) groups")
            }
            // Some writers end a page inside the padding of its last group: only the values
            // read must be there (checked in `next`).
            let available = min(Int(groups) * bitWidth, page.remaining)
            let r = try page.take(available, "a bit-packed run")
            repeated = false
            packedBase = r.lowerBound
            packedBits = available * 8
            packedIndex = 0
            remaining = Int(groups) * 8
        }
        position = page.position
    }
}
