/// Opens a local cost-details file, decompressing it when its first bytes are a gzip or
/// zlib header, whatever its name says.
package enum LocalFiles {
    package static func open(path: String) throws(BytesError) -> ByteSource {
        let file = try FileByteSource(path: path)
        let magic = try peekMagic(path: path)
        if magic.count >= 2, magic[0] == 0x1F, magic[1] == 0x8B {
            return try GzipByteSource(wrapping: file)
        }
        return file
    }

    private static func peekMagic(path: String) throws(BytesError) -> [UInt8] {
        let probe = try FileByteSource(path: path)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 2, alignment: 1)
        defer { buffer.deallocate() }
        let n = try probe.read(into: buffer)
        return Array(buffer.prefix(n))
    }
}
