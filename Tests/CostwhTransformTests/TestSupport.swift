import CostwhBytes
import Foundation

@testable import CostwhTransform

/// Reads every record of `text` with a given chunk size, so buffer boundaries fall
/// everywhere; returns the fields, line numbers and malformed reasons.
func readAll(_ bytes: [UInt8], chunkSize: Int = 4 << 20) throws -> [(fields: [String], line: Int, malformed: String?)] {
    let reader = CSVReader(source: MemoryByteSource(name: "test.csv", bytes: bytes), chunkSize: chunkSize)
    var out: [(fields: [String], line: Int, malformed: String?)] = []
    while try reader.next() {
        out.append(((0..<reader.fieldCount).map { reader.string(of: $0) }, reader.lineNumber, reader.malformedReason))
    }
    return out
}

func readAll(_ text: String, chunkSize: Int = 4 << 20) throws -> [(fields: [String], line: Int, malformed: String?)] {
    try readAll(Array(text.utf8), chunkSize: chunkSize)
}

/// Gzip-compresses with the system's gzip (a real encoder, not a canned byte string).
func gzip(_ bytes: [UInt8]) -> [UInt8] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-c"]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try! process.run()
    // Write on another thread so a large input cannot fill both pipes.
    let writer = Thread {
        input.fileHandleForWriting.write(Data(bytes))
        try? input.fileHandleForWriting.close()
    }
    writer.start()
    let compressed = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Array(compressed)
}

func fixturesDirectory() -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
        "Fixtures")
}

func drain(_ source: ByteSource, chunk: Int = 1000) throws -> [UInt8] {
    var out: [UInt8] = []
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 1)
    defer { buffer.deallocate() }
    while true {
        let n = try source.read(into: buffer)
        if n == 0 { return out }
        out.append(contentsOf: buffer.prefix(n))
    }
}
