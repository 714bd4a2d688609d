/// Writes Thrift's compact protocol (thrift/doc/specs/thrift-compact-protocol.md): what the
/// Parquet writer's footer and page headers are made of. The mirror of `ThriftCompactReader`;
/// fields must be written in increasing id order within a struct, as the delta encoding of
/// field ids expects.
struct ThriftCompactWriter {
    enum FieldType: UInt8 {
        case boolTrue = 1, boolFalse = 2, i32 = 5, i64 = 6, binary = 8, list = 9, structure = 12
    }

    private(set) var bytes: [UInt8] = []
    /// The last field id written, per open struct.
    private var lastField: [Int16] = [0]

    init() {}

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func zigzag(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    private mutating func header(_ id: Int16, _ type: FieldType) {
        let delta = Int(id) - Int(lastField[lastField.count - 1])
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            zigzag(Int64(id))
        }
        lastField[lastField.count - 1] = id
    }

    mutating func i32(_ id: Int16, _ value: Int32) {
        header(id, .i32)
        zigzag(Int64(value))
    }

    mutating func i64(_ id: Int16, _ value: Int64) {
        header(id, .i64)
        zigzag(value)
    }

    mutating func bool(_ id: Int16, _ value: Bool) {
        header(id, value ? .boolTrue : .boolFalse)
    }

    mutating func binary(_ id: Int16, _ value: [UInt8]) {
        header(id, .binary)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ id: Int16, _ value: String) {
        binary(id, Array(value.utf8))
    }

    /// A struct field: `body` writes its fields.
    mutating func structure(_ id: Int16, _ body: (inout ThriftCompactWriter) -> Void) {
        header(id, .structure)
        element(body)
    }

    /// A struct that is a list element or the top-level value: no field header.
    mutating func element(_ body: (inout ThriftCompactWriter) -> Void) {
        lastField.append(0)
        body(&self)
        bytes.append(0)
        lastField.removeLast()
    }

    /// A list field of `count` elements of `type`; `body` writes them (`element` for structs,
    /// `listI32`'s values…).
    mutating func list(_ id: Int16, of type: FieldType, count: Int, _ body: (inout ThriftCompactWriter) -> Void) {
        header(id, .list)
        if count < 15 {
            bytes.append(UInt8(count) << 4 | type.rawValue)
        } else {
            bytes.append(0xF0 | type.rawValue)
            varint(UInt64(count))
        }
        body(&self)
    }

    mutating func listI32(_ id: Int16, _ values: [Int32]) {
        list(id, of: .i32, count: values.count) { w in for v in values { w.zigzag(Int64(v)) } }
    }

    mutating func listStrings(_ id: Int16, _ values: [String]) {
        list(id, of: .binary, count: values.count) { w in
            for v in values {
                w.varint(UInt64(v.utf8.count))
                w.bytes.append(contentsOf: v.utf8)
            }
        }
    }

    /// Bytes already encoded in this protocol (a struct written on its own).
    mutating func appendBytes(_ encoded: [UInt8]) {
        bytes.append(contentsOf: encoded)
    }

    /// An empty struct field (Parquet's logical-type markers: STRING, DATE, TYPE_ORDER…).
    mutating func empty(_ id: Int16) {
        structure(id) { _ in }
    }
}
