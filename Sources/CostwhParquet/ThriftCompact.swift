/// A Thrift value as the compact protocol carries it. Parquet's metadata (the footer, page
/// headers) is Thrift; decoding it into this tree first, with every length and count
/// checked, keeps the typed reading (`ParquetMetadata`) free of byte arithmetic.
indirect enum ThriftValue: Sendable {
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case binary([UInt8])
    case list([ThriftValue])
    case map([(ThriftValue, ThriftValue)])
    case structure([Int16: ThriftValue])

    var int: Int64? { if case .int(let v) = self { return v } else { return nil } }
    var bool: Bool? { if case .bool(let v) = self { return v } else { return nil } }
    var binary: [UInt8]? { if case .binary(let v) = self { return v } else { return nil } }
    var list: [ThriftValue]? { if case .list(let v) = self { return v } else { return nil } }
    var fields: [Int16: ThriftValue]? { if case .structure(let v) = self { return v } else { return nil } }
    var string: String? { binary.map { String(decoding: $0, as: UTF8.self) } }
}

/// Reads Thrift's compact protocol (thrift/doc/specs/thrift-compact-protocol.md) from a byte
/// buffer. Every read is checked against the end of the buffer; lengths and counts against
/// the bytes that remain and `ParquetLimits`; nesting against `ParquetLimits.depth`.
struct ThriftCompactReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var position = 0

    init(_ bytes: UnsafeRawBufferPointer, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var remaining: Int { bytes.count - position }

    mutating func byte() throws(ParquetError) -> UInt8 {
        guard position < bytes.count else { throw ParquetError("the metadata ends in the middle of a value") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func varint() throws(ParquetError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw ParquetError("a variable-length integer of the metadata is too long") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func zigzag() throws(ParquetError) -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    mutating func length(_ what: String) throws(ParquetError) -> Int {
        let raw = try varint()
        guard raw <= UInt64(remaining) else {
            throw ParquetError("a \(what) of the metadata claims \(raw) bytes, more than the \(remaining) that remain")
        }
        return Int(raw)
    }

    mutating func bytes(_ count: Int) throws(ParquetError) -> [UInt8] {
        guard count >= 0, count <= remaining else { throw ParquetError("the metadata ends inside a string") }
        defer { position += count }
        return Array(UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)]))
    }

    /// A struct: its fields by id, until STOP.
    mutating func structure(depth: Int = 0) throws(ParquetError) -> [Int16: ThriftValue] {
        guard depth < ParquetLimits.depth else { throw ParquetError("the metadata is nested deeper than \(ParquetLimits.depth)") }
        var fields: [Int16: ThriftValue] = [:]
        var last: Int16 = 0
        while true {
            let header = try byte()
            let type = header & 0x0F
            if type == 0 { return fields }
            let delta = header >> 4
            let id: Int16
            if delta == 0 {
                let raw = try zigzag()
                guard let narrow = Int16(exactly: raw) else { throw ParquetError("a field id of the metadata is out of range") }
                id = narrow
            } else {
                id = last &+ Int16(delta)
            }
            last = id
            fields[id] = try value(type: type, depth: depth)
        }
    }

    mutating func value(type: UInt8, depth: Int) throws(ParquetError) -> ThriftValue {
        switch type {
        case 1: return .bool(true)
        case 2: return .bool(false)
        case 3: return .int(Int64(Int8(bitPattern: try byte())))
        case 4, 5, 6: return .int(try zigzag())
        case 7:
            guard remaining >= 8 else { throw ParquetError("the metadata ends inside a double") }
            var raw: UInt64 = 0
            for i in 0..<8 { raw |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
            position += 8
            return .double(Double(bitPattern: raw))
        case 8: return .binary(try bytes(try length("string")))
        case 9, 10:
            let header = try byte()
            var count = Int(header >> 4)
            if count == 15 {
                let raw = try varint()
                guard raw <= UInt64(ParquetLimits.listElements), raw <= UInt64(remaining) else {
                    throw ParquetError("a list of the metadata claims \(raw) elements")
                }
                count = Int(raw)
            }
            let element = header & 0x0F
            var items: [ThriftValue] = []
            items.reserveCapacity(count)
            for _ in 0..<count {
                if element == 1 || element == 2 {
                    items.append(.bool(try byte() == 1))
                } else {
                    items.append(try value(type: element, depth: depth + 1))
                }
            }
            return .list(items)
        case 11:
            let raw = try varint()
            guard raw <= UInt64(ParquetLimits.listElements), raw <= UInt64(remaining) else {
                throw ParquetError("a map of the metadata claims \(raw) entries")
            }
            guard raw > 0 else { return .map([]) }
            let types = try byte()
            var entries: [(ThriftValue, ThriftValue)] = []
            for _ in 0..<raw {
                let key = try value(type: types >> 4, depth: depth + 1)
                entries.append((key, try value(type: types & 0x0F, depth: depth + 1)))
            }
            return .map(entries)
        case 12: return .structure(try structure(depth: depth + 1))
        default: throw ParquetError("the metadata holds an unknown Thrift type \(type)")
        }
    }
}
