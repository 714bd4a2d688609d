// libFuzzer entry point for the CSV path: the reader, the header mapping and the normalisers,
// as `costwh-fuzz` replays them. Built outside SwiftPM (its executables' renamed entry point
// clashes with libFuzzer's `main`) by scripts/fuzz-release, with AddressSanitizer.
import CostwhBytes
import CostwhTransform

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    guard let file = try? CostFileReader(source: MemoryByteSource(name: "fuzz", bytes: bytes), chunkSize: 64) else {
        return 0
    }
    while let outcome = try? file.next() {
        if case .rejected(let reason) = outcome, reason.isEmpty { fatalError("a rejection without a reason") }
    }
    return 0
}
