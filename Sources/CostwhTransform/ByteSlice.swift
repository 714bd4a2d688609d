/// A borrowed run of bytes: valid only until the reader or normaliser moves on.
public struct ByteSlice {
    public var base: UnsafePointer<UInt8>?
    public var count: Int

    // Public and inlinable: the loader and the stores test and build slices per field from
    // other modules, and Swift 6.3 does not inline a `package` type's members across modules.
    @inlinable
    public static var null: ByteSlice { ByteSlice(base: nil, count: 0) }

    @inlinable @inline(__always)
    public init(base: UnsafePointer<UInt8>?, count: Int) {
        self.base = base
        self.count = count
    }

    @inlinable
    public var isNull: Bool { base == nil }

    package var string: String? {
        guard let base else { return nil }
        return String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self)
    }
}

/// A reusable scratch area for the bytes of one row that do not exist in the input as
/// they must be stored (unescaped quotes, ISO dates, wrapped tags, the extra JSON).
final class ByteArena {
    private(set) var storage: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    private(set) var used = 0
    /// Bumped when the storage moves, so callers know old slices are stale.
    private(set) var generation = 0

    init(capacity: Int = 1 << 16) {
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
    }

    /// Forgets what was appended since `mark` (a value of `used`).
    func rewind(to mark: Int) {
        precondition(mark >= 0 && mark <= used)
        used = mark
    }

    deinit { storage.deallocate() }

    func reset() { used = 0 }

    @inline(__always)
    func reserve(_ n: Int) {
        if used + n > capacity { grow(used + n) }
    }

    private func grow(_ needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        bigger.update(from: storage, count: used)
        storage.deallocate()
        storage = bigger
        capacity = newCapacity
        generation += 1
    }

    @inline(__always)
    func append(_ byte: UInt8) {
        reserve(1)
        storage[used] = byte
        used += 1
    }

    @inline(__always)
    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (storage + used).update(from: base, count: bytes.count)
        used += bytes.count
    }

    func append(_ text: StaticString) {
        text.withUTF8Buffer { append($0) }
    }

    func append(string: String) {
        var s = string
        s.withUTF8 { append($0) }
    }
}
