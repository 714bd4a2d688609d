import CostwhBytes
import CostwhModel
import CostwhTransform
import Foundation

/// Computes the 128-bit key of a run of values, as the dimension tables store them.
package struct DimensionHasher {
    private var scratch: UnsafeMutablePointer<UInt8>
    private var capacity = 8_192

    package init() { scratch = .allocate(capacity: capacity) }

    package func deallocate() { scratch.deallocate() }

    /// nil when every value is NULL: such rows point at no dimension row.
    @inline(__always)
    package mutating func hash(_ values: UnsafePointer<ByteSlice>, count: Int) -> Hash128? {
        var size = 0
        var anyValue = false
        for i in 0..<count {
            size += 4 + values[i].count
            if !values[i].isNull { anyValue = true }
        }
        guard anyValue else { return nil }
        if size > capacity {
            scratch.deallocate()
            capacity = max(size, capacity * 2)
            scratch = .allocate(capacity: capacity)
        }
        var offset = 0
        for i in 0..<count {
            let v = values[i]
            // A length prefix keeps ("ab", "c") apart from ("a", "bc"); all-ones marks NULL.
            var length: UInt32 = v.isNull ? .max : UInt32(truncatingIfNeeded: v.count)
            withUnsafeBytes(of: &length) {
                (scratch + offset).update(from: $0.bindMemory(to: UInt8.self).baseAddress!, count: 4)
            }
            offset += 4
            if let base = v.base, v.count > 0 {
                (scratch + offset).update(from: base, count: v.count)
                offset += v.count
            }
        }
        return Hash128(UnsafeRawBufferPointer(start: scratch, count: offset))
    }
}
