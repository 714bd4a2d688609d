import CostwhBytes
import CostwhTransform
import Foundation

/// Runs one input through the CSV reader, the header mapping and the normalisers. Any
/// crash, hang or unbounded allocation here is a bug; refusals and rejected rows are not.
func exercise(_ bytes: [UInt8]) {
    guard let file = try? CostFileReader(source: MemoryByteSource(name: "fuzz", bytes: bytes), chunkSize: 64) else {
        return
    }
    while let outcome = try? file.next() {
        if case .rejected(let reason) = outcome, reason.isEmpty { fatalError("a rejection without a reason") }
    }
}

/// Replays inputs given as files: the corpus in Tests/Fixtures/fuzz-corpus, or cases a
/// fuzzer found. The libFuzzer builds (CSV and Parquet, with AddressSanitizer) are made outside
/// SwiftPM by scripts/fuzz-release from Fuzz/, since SwiftPM renames executables' entry points.
@main
struct ReplayCorpus {
    static func main() {
        var count = 0
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
                exit(1)
            }
            exercise(Array(data))
            count += 1
        }
        print("replayed \(count) inputs")
    }
}
