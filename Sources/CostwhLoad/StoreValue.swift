/// A value read from or bound into a store, whatever its engine: SQLite's five storage
/// classes, which PostgreSQL's types also map onto for costwh's columns.
package enum StoreValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    package init(_ value: String?) { self = value.map { .text($0) } ?? .null }
    package init(_ value: Int?) { self = value.map { .integer(Int64($0)) } ?? .null }
    package init(_ value: Int64?) { self = value.map { .integer($0) } ?? .null }
    package init(_ value: Double?) { self = value.map { .real($0) } ?? .null }

    package var isNull: Bool { self == .null }

    /// A number as a double: REAL, or an INTEGER widened.
    package var double: Double? {
        switch self {
        case .real(let v): return v
        case .integer(let v): return Double(v)
        default: return nil
        }
    }

    package var int: Int? {
        switch self {
        case .integer(let v): return Int(v)
        case .real(let v): return v.isFinite ? Int(v) : nil
        default: return nil
        }
    }

    package var string: String? {
        if case .text(let v) = self { return v }
        return nil
    }
}
