/// Why a Parquet file cannot be read: where (the file, and the row group, column and page
/// when known) and what was expected. Messages never quote the file's bytes.
package struct ParquetError: Error, CustomStringConvertible, Sendable {
    package var file: String
    package var rowGroup: Int?
    package var column: String?
    package var reason: String

    package init(file: String = "", rowGroup: Int? = nil, column: String? = nil, _ reason: String) {
        self.file = file
        self.rowGroup = rowGroup
        self.column = column
        self.reason = reason
    }

    package var description: String {
        var place = file
        if let rowGroup { place += ", row group \(rowGroup + 1)" }
        if let column { place += ", column \(column)" }
        return "\(place): \(reason)"
    }

    /// The description without the file's name, for messages that name it already.
    package var reasonWithoutFile: String {
        var place: [String] = []
        if let rowGroup { place.append("row group \(rowGroup + 1)") }
        if let column { place.append("column \(TextSafety.quoted(column))") }
        return (place.isEmpty ? "" : place.joined(separator: ", ") + ": ") + "Parquet: " + reason
    }

    /// The same error, placed in a row group and a column.
    func at(file: String, rowGroup: Int? = nil, column: String? = nil) -> ParquetError {
        var copy = self
        if copy.file.isEmpty { copy.file = file }
        if copy.rowGroup == nil { copy.rowGroup = rowGroup }
        if copy.column == nil { copy.column = column }
        return copy
    }
}

/// Limits on what a file may claim, checked before anything is allocated for it: a hostile
/// footer or page header cannot make costwh allocate gigabytes or recurse without end.
package enum ParquetLimits {
    /// The footer (file metadata) at most.
    package static let footerBytes = 64 << 20
    /// One page, compressed or not.
    package static let pageBytes = 256 << 20
    /// Nesting of Thrift structures, and of the schema.
    package static let depth = 64
    /// Elements of one Thrift list (schema elements, row groups, columns…).
    package static let listElements = 1 << 20
    /// Values of one page.
    package static let pageValues = 1 << 26
}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` for a body that throws `ParquetError` (the standard one rethrows
    /// untyped errors).
    func parquetBytes<T>(_ body: (UnsafeRawBufferPointer) throws(ParquetError) -> T) throws(ParquetError) -> T {
        let result: Result<T, ParquetError> = withUnsafeBytes { raw in
            Result { () throws(ParquetError) -> T in try body(raw) }
        }
        return try result.get()
    }

    mutating func parquetMutableBytes<T>(
        _ body: (UnsafeMutableRawBufferPointer) throws(ParquetError) -> T
    ) throws(ParquetError) -> T {
        let result: Result<T, ParquetError> = withUnsafeMutableBytes { raw in
            Result { () throws(ParquetError) -> T in try body(raw) }
        }
        return try result.get()
    }
}
