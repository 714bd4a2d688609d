import Foundation

/// A Parquet file opened for reading: its footer checked and decoded, its schema's columns
/// (flat, and nested ones read as JSON), and positioned reads of its pages (pread, so nothing holds the whole file).
package final class ParquetFileReader {
    package let path: String
    package let metadata: FileMetadata
    /// The leaf columns, one column chunk each, in schema order.
    let columns: [LeafColumn]
    /// The top-level columns, flat or nested, and the leaves each reads.
    let fields: [ReadField]
    private let fd: Int32
    /// Where the column data ends: the footer starts here.
    let dataEnd: Int

    package static let magic: [UInt8] = Array("PAR1".utf8)

    package init(path: String) throws(ParquetError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ParquetError(file: path, "cannot open: \(String(cString: strerror(errno)))") }
        self.fd = fd
        do throws(ParquetError) {
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw ParquetError("cannot read its size") }
            let size = Int(info.st_size)
            guard size >= 12 else { throw ParquetError("the file is \(size) bytes, too short for Parquet (at least 12)") }
            let head = try ParquetFileReader.pread(fd, at: 0, count: 4)
            let tail = try ParquetFileReader.pread(fd, at: size - 8, count: 8)
            guard head == ParquetFileReader.magic else { throw ParquetError("the file does not begin with Parquet's magic `PAR1`") }
            if Array(tail[4...]) == Array("PARE".utf8) {
                throw ParquetError("the file is encrypted (its footer is `PARE`); costwh reads unencrypted Parquet files")
            }
            guard Array(tail[4...]) == ParquetFileReader.magic else {
                throw ParquetError("the file does not end with Parquet's magic `PAR1`: it is truncated or not Parquet")
            }
            let footerLength = Int(ParquetEncodings.le32(tail, 0))
            guard footerLength > 0, footerLength <= size - 12, footerLength <= ParquetLimits.footerBytes else {
                throw ParquetError(
                    "the footer claims \(footerLength) bytes, which do not fit in the file's \(size) (or pass the \(ParquetLimits.footerBytes)-byte limit)"
                )
            }
            dataEnd = size - 8 - footerLength
            let footer = try ParquetFileReader.pread(fd, at: dataEnd, count: footerLength)
            let fields = try footer.parquetBytes { (raw) throws(ParquetError) -> [Int16: ThriftValue] in
                var reader = ThriftCompactReader(raw)
                return try reader.structure()
            }
            metadata = try FileMetadata(fields, file: path)
            let read = try ParquetFields.read(metadata.schema)
            self.fields = read.fields
            columns = read.leaves
            for (index, group) in metadata.rowGroups.enumerated() {
                guard group.columns.count == columns.count else {
                    throw ParquetError(
                        rowGroup: index,
                        "the row group has \(group.columns.count) column chunks, the schema \(columns.count) columns")
                }
            }
        } catch {
            close(fd)
            throw error.at(file: path)
        }
    }

    deinit { close(fd) }

    /// A cursor on each column chunk of row group `group`; an error names the column.
    func cursors(group: Int) throws(ParquetError) -> [ColumnCursor] {
        var open: [ColumnCursor] = []
        for (column, chunk) in zip(columns, metadata.rowGroups[group].columns) {
            do {
                open.append(try ColumnCursor(column: column, chunk: chunk, file: self))
            } catch {
                throw error.at(file: "", rowGroup: group, column: column.name)
            }
        }
        return open
    }

    func read(at offset: Int, count: Int) throws(ParquetError) -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= dataEnd, count <= dataEnd - offset else {
            throw ParquetError("a page at \(offset) of \(count) bytes lies outside the file's data")
        }
        return try ParquetFileReader.pread(fd, at: offset, count: count)
    }

    /// The page header at `offset`, and its length.
    func pageHeader(at offset: Int, limit: Int) throws(ParquetError) -> (PageHeader, Int) {
        let available = min(limit, dataEnd) - offset
        guard available > 0 else { throw ParquetError("a page header lies outside the column chunk") }
        // Headers are small; statistics can make them a few KiB.
        var window = min(available, 4096)
        while true {
            let bytes = try read(at: offset, count: window)
            do {
                let (fields, used) = try bytes.parquetBytes { (raw) throws(ParquetError) -> ([Int16: ThriftValue], Int) in
                    var reader = ThriftCompactReader(raw)
                    let fields = try reader.structure()
                    return (fields, reader.position)
                }
                return (try PageHeader(fields), used)
            } catch {
                guard window < available, window < ParquetLimits.footerBytes else {
                    throw ParquetError("the page header at byte \(offset) is damaged (\(error.reason))")
                }
                window = min(available, window * 8)
            }
        }
    }

    static func pread(_ fd: Int32, at offset: Int, count: Int) throws(ParquetError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = buffer.withUnsafeMutableBytes { Glibc.pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw ParquetError("the file ends before byte \(offset + count)") }
            done += n
        }
        return buffer
    }
}
