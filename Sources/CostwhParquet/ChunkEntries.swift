/// A text column chunk's distinct values as the encoder reads them: the chunk's own
/// dictionary, or a writer's registered values that the chunk names by handle. Registered
/// values (a dimension's text, registered once per file) are read where they are rather than
/// copied into every row group's dictionary: the copies were 9 % of a lake export's samples,
/// and memory held twice while a row group waited to be encoded.
///
/// The registered dictionary is the gathering buffer's, shared (its arrays are copy on
/// write): values are only ever appended to it, so a handle names the same bytes for as long
/// as the chunk lives, and a value registered while the chunk is encoded copies the arrays
/// rather than moving what the chunk reads.
struct ChunkEntries {
    let own: ByteDictionary
    /// Entry `i` is `registered`'s entry `handles[i]` where `isShared`; `own` is then empty.
    let registered: ByteDictionary
    let handles: [Int32]
    var isShared: Bool { !handles.isEmpty }

    var count: Int { isShared ? handles.count : own.count }

    func withEntry<T>(_ entry: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        isShared ? try registered.withEntry(Int(handles[entry]), body) : try own.withEntry(entry, body)
    }

    func length(_ entry: Int) -> Int {
        isShared ? registered.length(Int(handles[entry])) : own.length(entry)
    }

    /// Entry `a` sorts before entry `b` as unsigned bytes.
    func precedes(_ a: Int, _ b: Int) -> Bool {
        isShared ? registered.precedes(Int(handles[a]), Int(handles[b])) : own.precedes(a, b)
    }
}
