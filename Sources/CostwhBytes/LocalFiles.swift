/// Opens a local cost-details file, decompressing it when its first bytes are a gzip or
/// zlib header, whatever its name says.
package enum LocalFiles {
    package static func open(path: String, meter: ByteMeter? = nil) throws(BytesError) -> ByteSource {
        let plain = try FileByteSource(path: path)
        let file: ByteSource = meter.map { MeteredByteSource(plain, meter: $0) } ?? plain
        let magic = try peekMagic(path: path)
        if magic.count >= 2, magic[0] == 0x1F, magic[1] == 0x8B {
            return try GzipByteSource(wrapping: file)
        }
        return file
    }

    /// A file still being downloaded, read behind its download; gzip detected the same way.
    package static func open(spool: Spool, meter: ByteMeter? = nil) throws(BytesError) -> ByteSource {
        let probe = try SpoolByteSource(spool)
        let magic = try peek(probe)
        let plain = try SpoolByteSource(spool)
        let file: ByteSource = meter.map { MeteredByteSource(plain, meter: $0) } ?? plain
        if magic.count >= 2, magic[0] == 0x1F, magic[1] == 0x8B {
            return try GzipByteSource(wrapping: file)
        }
        return file
    }

    private static func peekMagic(path: String) throws(BytesError) -> [UInt8] {
        try peek(try FileByteSource(path: path))
    }

    private static func peek(_ probe: ByteSource) throws(BytesError) -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 2, alignment: 1)
        defer { buffer.deallocate() }
        var n = 0
        while n < 2 {
            let got = try probe.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[n...]))
            if got == 0 { break }
            n += got
        }
        return Array(buffer.prefix(n))
    }
}
