import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file that is still being downloaded, shared between the download (which appends to it)
/// and the parser (which reads behind it), so a report is parsed while it arrives.
///
/// The file on disk keeps the guarantees of a finished download: a broken connection
/// resumes by appending, and the reader sees the end only after `finish()`, which the
/// download calls once the byte count has been checked. So a load that reads a spool
/// commits only whole, verified blobs.
package final class Spool: @unchecked Sendable {
    package let path: String
    /// The redacted link, for errors and the ledger.
    package let name: String
    private let condition = NSCondition()
    private var available = 0
    private var created = false
    private var state: State = .arriving

    private enum State {
        case arriving
        case finished
        case failed(String)
        case abandoned
    }

    package init(path: String, name: String) {
        self.path = path
        self.name = name
    }

    // MARK: the download's side

    /// The file exists (empty): readers may open it.
    package func opened() {
        change { $0.created = true }
    }

    /// `bytes` bytes of the file are written and may be read.
    package func advance(to bytes: Int) {
        change { $0.available = bytes }
    }

    /// The download ended whole and checked.
    package func finish() {
        change { $0.state = .finished }
    }

    /// The download failed; a reader behind it fails with `reason`.
    package func fail(_ reason: String) {
        change { spool in
            if case .arriving = spool.state { spool.state = .failed(reason) }
        }
    }

    /// Bytes a reader has already consumed were thrown away (the server ignored a Range
    /// request): the reader cannot go on.
    package func rewound() {
        fail("the download restarted from the beginning while it was being read")
    }

    /// Whether a reader stopped following the spool (the load ended early).
    package var isAbandoned: Bool {
        condition.lock()
        defer { condition.unlock() }
        if case .abandoned = state { return true }
        return false
    }

    // MARK: the reader's side

    /// Whether bytes arrived, or the download ended (whole, failed or abandoned).
    package var hasDataOrEnded: Bool {
        condition.lock()
        defer { condition.unlock() }
        if available > 0 { return true }
        if case .arriving = state { return false }
        return true
    }

    /// Whether the download failed before a single byte arrived.
    package var failedBeforeData: Bool {
        condition.lock()
        defer { condition.unlock() }
        if available == 0, case .failed = state { return true }
        return false
    }

    /// Stops any reader waiting for bytes; the download carries on unless it checks `isAbandoned`.
    package func abandon() {
        change { spool in
            if case .arriving = spool.state { spool.state = .abandoned }
        }
    }

    /// Waits until at least `offset + 1` bytes are readable, or the file is complete.
    /// Returns how many bytes may be read from `offset` (0 at the end).
    func wait(beyond offset: Int) throws(BytesError) -> Int {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if available > offset { return available - offset }
            switch state {
            case .finished: return 0
            case .failed(let reason): throw .readFailed(name: name, reason: reason)
            case .abandoned: throw .readFailed(name: name, reason: "the load stopped reading it")
            case .arriving: condition.wait()
            }
        }
    }

    /// Waits until the download is complete (or failed): for formats that cannot be read
    /// before their end, as Parquet, whose footer comes last.
    package func waitUntilComplete() throws(BytesError) {
        var offset = 0
        while true {
            let more = try wait(beyond: offset)
            if more == 0 { return }
            offset += more
        }
    }

    /// Waits until the file exists.
    package func waitUntilCreated() throws(BytesError) {
        condition.lock()
        defer { condition.unlock() }
        while !created {
            switch state {
            case .failed(let reason): throw .readFailed(name: name, reason: reason)
            case .abandoned: throw .readFailed(name: name, reason: "the load stopped reading it")
            case .finished, .arriving: condition.wait()
            }
        }
    }

    private func change(_ body: (Spool) -> Void) {
        condition.lock()
        body(self)
        condition.broadcast()
        condition.unlock()
    }
}

/// Reads a spool's file behind its download, waiting for bytes that have not arrived yet.
package final class SpoolByteSource: ByteSource {
    package var name: String { spool.name }
    private let spool: Spool
    private let file: FileByteSource
    private var offset = 0

    package init(_ spool: Spool) throws(BytesError) {
        self.spool = spool
        try spool.waitUntilCreated()
        file = try FileByteSource(path: spool.path)
    }

    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(BytesError) -> Int {
        let readable = try spool.wait(beyond: offset)
        guard readable > 0 else { return 0 }
        let n = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer.prefix(min(readable, buffer.count))))
        guard n > 0 else {
            throw .readFailed(name: name, reason: "the file is shorter than the bytes downloaded into it")
        }
        offset += n
        return n
    }
}
