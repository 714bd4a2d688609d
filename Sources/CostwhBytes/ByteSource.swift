/// A forward-only stream of bytes: a file, a decompressor or a download.
///
/// The transform stage pulls from it into its own buffer, so memory stays bounded by that
/// buffer whatever the size of the source.
package protocol ByteSource: AnyObject {
    /// A name for errors and the ledger: a path or a redacted URL.
    var name: String { get }
    /// Reads up to `buffer.count` bytes; returns 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(BytesError) -> Int
    /// What the ledger should know of the input's form, when it is not plain text (a
    /// Parquet file's codecs and row groups); nil for text.
    var inputForm: String? { get }
    /// A local file its readers open by path and read out of order (Parquet, whose footer
    /// comes last and whose columns lie apart); nil for a stream. Such a source still yields
    /// the file's bytes as they are, so that hashing them records what was read.
    var randomAccessPath: String? { get }
}

extension ByteSource {
    package var inputForm: String? { nil }
    package var randomAccessPath: String? { nil }
}
