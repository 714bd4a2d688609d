import CostwhBytes
import Foundation
import Testing

/// The byte sources every input goes through: files, gzip (detected from the bytes), the
/// replay that detection uses, and the hash the ledger records.
@Suite struct ByteSourceTests {
    static func readAll(_ source: ByteSource, chunk: Int = 7) throws -> [UInt8] {
        var out: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 1)
        defer { buffer.deallocate() }
        while true {
            let n = try source.read(into: buffer)
            if n == 0 { return out }
            out += buffer.prefix(n)
        }
    }

    static func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("costwh-bytes-\(UUID().uuidString)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func gzipIsDetectedFromTheBytesWhateverTheName() throws {
        let text = Array(String(repeating: "Date,Cost\n09/01/2026,1.5\n", count: 1000).utf8)
        let plain = try ByteSourceTests.temporaryFile(text)
        defer { try? FileManager.default.removeItem(atPath: plain) }
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", "-S", ".csv", plain]  // plain.csv: compressed, with a name that does not say so
        try gzip.run()
        gzip.waitUntilExit()
        defer { try? FileManager.default.removeItem(atPath: plain + ".csv") }
        #expect(try ByteSourceTests.readAll(try LocalFiles.open(path: plain + ".csv")) == text)
        #expect(try ByteSourceTests.readAll(try LocalFiles.open(path: plain)) == text)
    }

    @Test func aMissingFileIsNamed() {
        #expect(throws: BytesError.cannotOpen(path: "/nonexistent/costwh.csv", reason: "No such file or directory")) {
            try LocalFiles.open(path: "/nonexistent/costwh.csv")
        }
    }

    @Test(arguments: [0, 1, 5, 100])
    func replayHandsOutThePrefixThenTheRest(prefixLength: Int) throws {
        let bytes = (0..<100).map { UInt8($0) }
        let source = MemoryByteSource(name: "m", bytes: bytes)
        let prefix = try ReplayByteSource.readPrefix(of: source, limit: prefixLength)
        #expect(prefix == Array(bytes.prefix(prefixLength)))
        #expect(try ByteSourceTests.readAll(ReplayByteSource(prefix: prefix, then: source), chunk: 3) == bytes)
    }

    @Test func theHashCoversEveryByteReadInAnyChunking() throws {
        let bytes = Array("xxhash me".utf8)
        var digests: Set<UInt64> = []
        for chunk in [1, 2, 4, 64] {
            let hashing = HashingByteSource(MemoryByteSource(name: "m", bytes: bytes))
            _ = try ByteSourceTests.readAll(hashing, chunk: chunk)
            #expect(hashing.byteCount == bytes.count)
            digests.insert(hashing.digest)
        }
        #expect(digests == [bytes.withUnsafeBytes { XXH64.hash($0) }])
    }
}
