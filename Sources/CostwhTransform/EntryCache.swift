/// One field's dictionary entries as `RowNormaliser` normalised them: a Parquet column holds
/// a few thousand distinct values for a million rows, so each is normalised once and then
/// copied per row. Texts are kept in the cache's own storage, by offset, so they outlive the
/// row they were made in; the cache is emptied when the field's dictionary changes.
///
/// A struct kept in place by its owner (a pointer per field, not an array of objects: the
/// normaliser reaches it for every field of every row, without reference counting), so it
/// frees its storage when told to (`release`).
struct EntryCache {
    enum Kind: UInt8 {
        case unknown, skip, text, real, date, dateKeepingRaw, repair, reject
    }

    struct Entry {
        var kind = Kind.unknown
        var offset: Int32 = 0
        var count: Int32 = 0
        /// A repair's kind or a rejection's reason, in `messages`.
        var message: Int32 = 0
        var real = 0.0
    }

    private(set) var generation = -1
    private var entries: UnsafeMutablePointer<Entry>
    private var capacity = 0
    private var text: UnsafeMutablePointer<UInt8>
    private var textCapacity = 256
    private var textUsed = 0
    private var messages: [String] = []

    init() {
        entries = .allocate(capacity: 1)
        text = .allocate(capacity: textCapacity)
    }

    func release() {
        entries.deinitialize(count: capacity)
        entries.deallocate()
        text.deallocate()
    }

    /// Forgets every entry: the field's dictionary is now `generation`.
    mutating func reset(generation: Int) {
        self.generation = generation
        for i in 0..<capacity { entries[i] = Entry() }
        textUsed = 0
        messages.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    func value(_ entry: Int) -> Entry {
        entry < capacity ? entries[entry] : Entry()
    }

    @inline(__always)
    func slice(_ entry: Entry) -> ByteSlice {
        ByteSlice(base: UnsafePointer(text + Int(entry.offset)), count: Int(entry.count))
    }

    func message(_ entry: Entry) -> String { messages[Int(entry.message)] }

    /// Keeps `result` as entry `entry`'s value, its text copied; returns what was kept.
    mutating func store(_ result: RowNormaliser.FieldResult, entry: Int) -> Entry {
        if entry >= capacity { grow(entry + 1) }
        var kept = Entry()
        switch result {
        case .skip: kept.kind = .skip
        case .text(let value):
            kept = keep(value)
            kept.kind = .text
        case .real(let value):
            kept.kind = .real
            kept.real = value
        case .date(let value, let keepRaw):
            kept = keep(value)
            kept.kind = keepRaw ? .dateKeepingRaw : .date
        case .repair(let kind):
            kept.kind = .repair
            kept.message = Int32(messages.count)
            messages.append(kind)
        case .reject(let reason):
            kept.kind = .reject
            kept.message = Int32(messages.count)
            messages.append(reason)
        }
        entries[entry] = kept
        return kept
    }

    private mutating func keep(_ value: ByteSlice) -> Entry {
        let n = value.count
        if textUsed + n > textCapacity {
            var bigger = textCapacity * 2
            while bigger < textUsed + n { bigger *= 2 }
            precondition(bigger <= Int(Int32.max), "a dictionary's normalised text passed 2 GiB")
            let storage = UnsafeMutablePointer<UInt8>.allocate(capacity: bigger)
            storage.update(from: text, count: textUsed)
            text.deallocate()
            text = storage
            textCapacity = bigger
        }
        if n > 0, let base = value.base { (text + textUsed).update(from: base, count: n) }
        var entry = Entry()
        entry.offset = Int32(textUsed)
        entry.count = Int32(n)
        textUsed += n
        return entry
    }

    private mutating func grow(_ needed: Int) {
        var bigger = max(capacity * 2, 64)
        while bigger < needed { bigger *= 2 }
        let storage = UnsafeMutablePointer<Entry>.allocate(capacity: bigger)
        storage.initialize(from: entries, count: capacity)
        (storage + capacity).initialize(repeating: Entry(), count: bigger - capacity)
        entries.deinitialize(count: capacity)
        entries.deallocate()
        entries = storage
        capacity = bigger
    }
}
