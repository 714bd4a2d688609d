import CostwhBytes
import CostwhParquet

/// Opens a local input for the cost and dataset readers, whatever it is: Parquet (from its
/// `PAR1` magic, whatever its name) as a `ParquetFileBytes`, which the readers open by path;
/// anything else as `LocalFiles` opens it (plain or gzip).
package enum CostInput {
    package static func open(path: String, meter: ByteMeter? = nil) throws(BytesError) -> ByteSource {
        if try isParquet(path: path) { return try parquet(path: path) }
        return try LocalFiles.open(path: path, meter: meter)
    }

    /// A blob read behind its download; a Parquet blob once it has arrived whole (its
    /// footer comes last).
    package static func open(spool: Spool, meter: ByteMeter? = nil) throws(BytesError) -> ByteSource {
        try spool.waitUntilCreated()
        let head = try ReplayByteSource.readPrefix(of: try SpoolByteSource(spool), limit: 4)
        if ParquetCSVSource.isParquet(head) {
            try spool.waitUntilComplete()
            return try parquet(path: spool.path, name: spool.name)
        }
        return try LocalFiles.open(spool: spool, meter: meter)
    }

    package static func isParquet(path: String) throws(BytesError) -> Bool {
        let head = try ReplayByteSource.readPrefix(of: try FileByteSource(path: path), limit: 4)
        return ParquetCSVSource.isParquet(head)
    }

    private static func parquet(path: String, name: String? = nil) throws(BytesError) -> ByteSource {
        try ParquetFileBytes(path: path, name: name)
    }
}
