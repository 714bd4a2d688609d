import CostwhBytes
import CostwhParquet

/// A Parquet file as a load part: its footer checked when it is opened, its bytes as they
/// are for the content hash, and its path for the readers, which read it out of order
/// (`ParquetRows` for cost files, `ParquetCSVSource` for the other datasets).
package final class ParquetFileBytes: ByteSource {
    package let name: String
    package let path: String
    package let inputForm: String?
    private let file: FileByteSource

    package init(path: String, name: String? = nil) throws(BytesError) {
        self.path = path
        self.name = name ?? path
        do {
            inputForm = try ParquetCSVSource(path: path, name: name).summary
        } catch {
            throw .readFailed(name: name ?? path, reason: error.reasonWithoutFile)
        }
        file = try FileByteSource(path: path)
    }

    package var randomAccessPath: String? { path }

    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(BytesError) -> Int {
        try file.read(into: buffer)
    }
}
