import CSnappy
import CZstd
import Foundation

/// Compresses a writer's pages, one at a time, on the thread that encodes them. It keeps
/// what every page would otherwise allocate again: ZSTD's context (its tables are about a
/// megabyte, allocated and zeroed by each `ZSTD_compress` call) and the output buffer (a page
/// of a megabyte bound to a fresh, zero-filled array each time). Both were most of the export
/// encoding thread's time in the kernel (page faults on fresh memory).
final class PageCompressor {
    let compression: ParquetCompression
    /// ZSTD's level: 1, its fastest standard level. On the benchmark's 1 M-row partition
    /// level 3 (ZSTD's default) made the file 6 % smaller (63.8 against 67.6 MB, both well
    /// under a tenth of the CSV) and cost the encoding thread 15–20 % more time.
    static let zstdLevel: Int32 = 1
    private var context: OpaquePointer?
    private var scratch: UnsafeMutableRawBufferPointer

    init(_ compression: ParquetCompression) {
        self.compression = compression
        scratch = .allocate(byteCount: 1 << 16, alignment: 16)
    }

    deinit {
        if let context { ZSTD_freeCCtx(context) }
        scratch.deallocate()
    }

    /// Compresses `input`; `body` gets the compressed bytes, valid until the next call.
    func compress<R>(
        _ input: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws(ParquetError) -> R
    ) throws(ParquetError) -> R {
        switch compression {
        case .none:
            return try body(input)
        case .snappy:
            var length = snappy_max_compressed_length(input.count)
            reserve(length)
            let status = snappy_compress(
                input.baseAddress?.assumingMemoryBound(to: CChar.self), input.count,
                scratch.baseAddress!.assumingMemoryBound(to: CChar.self), &length)
            guard status == SNAPPY_OK else { throw ParquetError("snappy could not compress a page") }
            return try body(UnsafeRawBufferPointer(rebasing: scratch[0..<length]))
        case .zstd:
            if context == nil { context = ZSTD_createCCtx() }
            guard let context else { throw ParquetError("zstd could not allocate its context") }
            let bound = ZSTD_compressBound(input.count)
            reserve(bound)
            let written = ZSTD_compressCCtx(context, scratch.baseAddress, bound, input.baseAddress, input.count, Self.zstdLevel)
            guard ZSTD_isError(written) == 0 else { throw ParquetError("zstd could not compress a page") }
            return try body(UnsafeRawBufferPointer(rebasing: scratch[0..<written]))
        }
    }

    /// The buffer a page's body is built in, empty, with the capacity of the last: a page body
    /// is up to a row group's values of a column (a megabyte of doubles), which as a fresh array
    /// was mapped and faulted in for every page. `prefix` is put first (the levels).
    func body(_ prefix: [UInt8] = []) -> [UInt8] {
        var body = spareBodies.popLast() ?? []
        body.removeAll(keepingCapacity: true)
        body.append(contentsOf: prefix)
        return body
    }

    /// Takes a body back once its page is written (two are kept: a plain text page gathers
    /// its values in one before they follow the levels in another).
    func keep(_ body: inout [UInt8]) {
        guard spareBodies.count < 2 else { return }
        var kept: [UInt8] = []
        swap(&kept, &body)
        spareBodies.append(kept)
    }

    private var spareBodies: [[UInt8]] = []

    /// Grows the output buffer to `count` bytes (it never shrinks: a writer's pages are of
    /// about one size).
    private func reserve(_ count: Int) {
        guard count > scratch.count else { return }
        scratch.deallocate()
        scratch = .allocate(byteCount: max(count, scratch.count * 2), alignment: 16)
    }
}
