// libFuzzer entry point for the Parquet reader: a file of the fuzzer's bytes read whole, as the
// CSV text the datasets' readers take and as the rows the cost loader takes. Any crash, hang, sanitizer report or unbounded allocation is a bug;
// a ParquetError is not. Built outside SwiftPM by scripts/fuzz-release, with AddressSanitizer.
import CostwhBytes
import CostwhParquet
import Foundation

private let path = "/dev/shm/costwh-fuzz-\(getpid()).parquet"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParquet(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { return 0 }
    _ = write(fd, data, count)
    close(fd)
    if let source = try? ParquetCSVSource(path: path) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 1)
        defer { buffer.deallocate() }
        while let n = try? source.read(into: buffer), n > 0 {}
    }
    // The load path: every field of every row as ParquetRows hands it to the normaliser.
    if let rows = try? ParquetRows(path: path) {
        while (try? rows.next()) == true {
            for f in 0..<rows.fieldCount {
                _ = rows.bytes(of: f)
                _ = rows.number(f)
            }
        }
    }
    return 0
}
