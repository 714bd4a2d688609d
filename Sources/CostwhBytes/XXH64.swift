/// XXH64 (Yann Collet's xxHash, 64-bit), streaming. Used for content hashes and for the
/// dimension keys: fast enough not to show in a profile, and stable across runs and
/// machines, unlike Swift's seeded `Hasher`.
package struct XXH64 {
    static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    private var v1: UInt64, v2: UInt64, v3: UInt64, v4: UInt64
    private let seed: UInt64
    private var total: UInt64 = 0
    private var tail: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var tailCount = 0

    package init(seed: UInt64 = 0) {
        self.seed = seed
        v1 = seed &+ XXH64.p1 &+ XXH64.p2
        v2 = seed &+ XXH64.p2
        v3 = seed
        v4 = seed &- XXH64.p1
    }

    @inline(__always)
    static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        var a = acc &+ input &* p2
        a = (a << 31) | (a >> 33)
        return a &* p1
    }

    @inline(__always)
    static func merge(_ acc: UInt64, _ val: UInt64) -> UInt64 {
        let v = round(0, val)
        return (acc ^ v) &* p1 &+ p4
    }

    @inline(__always)
    static func load64(_ p: UnsafeRawPointer) -> UInt64 { UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)) }
    @inline(__always)
    static func load32(_ p: UnsafeRawPointer) -> UInt64 {
        UInt64(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)))
    }

    package mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard var p = buffer.baseAddress, buffer.count > 0 else { return }
        var n = buffer.count
        total &+= UInt64(n)
        if tailCount > 0 {
            withUnsafeMutableBytes(of: &tail) { t in
                let take = min(32 - tailCount, n)
                (t.baseAddress! + tailCount).copyMemory(from: p, byteCount: take)
                tailCount += take
                p += take
                n -= take
            }
            if tailCount < 32 { return }
            withUnsafeBytes(of: tail) { t in consume(t.baseAddress!) }
            tailCount = 0
        }
        while n >= 32 {
            consume(p)
            p += 32
            n -= 32
        }
        if n > 0 {
            withUnsafeMutableBytes(of: &tail) { t in t.baseAddress!.copyMemory(from: p, byteCount: n) }
            tailCount = n
        }
    }

    @inline(__always)
    private mutating func consume(_ p: UnsafeRawPointer) {
        v1 = XXH64.round(v1, XXH64.load64(p))
        v2 = XXH64.round(v2, XXH64.load64(p + 8))
        v3 = XXH64.round(v3, XXH64.load64(p + 16))
        v4 = XXH64.round(v4, XXH64.load64(p + 24))
    }

    package func finalize() -> UInt64 {
        var h: UInt64
        if total >= 32 {
            h =
                ((v1 << 1) | (v1 >> 63)) &+ ((v2 << 7) | (v2 >> 57)) &+ ((v3 << 12) | (v3 >> 52))
                &+ ((v4 << 18) | (v4 >> 46))
            h = XXH64.merge(h, v1)
            h = XXH64.merge(h, v2)
            h = XXH64.merge(h, v3)
            h = XXH64.merge(h, v4)
        } else {
            h = seed &+ XXH64.p5
        }
        h &+= total
        var t = tail
        let count = tailCount
        withUnsafeBytes(of: &t) { raw in
            var p = raw.baseAddress!
            var left = count
            while left >= 8 {
                let k = XXH64.round(0, XXH64.load64(p))
                h ^= k
                h = ((h << 27) | (h >> 37)) &* XXH64.p1 &+ XXH64.p4
                p += 8
                left -= 8
            }
            if left >= 4 {
                h ^= XXH64.load32(p) &* XXH64.p1
                h = ((h << 23) | (h >> 41)) &* XXH64.p2 &+ XXH64.p3
                p += 4
                left -= 4
            }
            while left > 0 {
                h ^= UInt64(p.load(as: UInt8.self)) &* XXH64.p5
                h = ((h << 11) | (h >> 53)) &* XXH64.p1
                p += 1
                left -= 1
            }
        }
        h ^= h >> 33
        h &*= XXH64.p2
        h ^= h >> 29
        h &*= XXH64.p3
        h ^= h >> 32
        return h
    }

    /// The hashes of one buffer under two seeds, in one pass and without the streaming
    /// state's tail copies: the same values as `hash(buffer, seed:)` twice. Every row of a
    /// load hashes its six dimensions' values this way (`Hash128`), mostly short texts.
    package static func hashPair(_ buffer: UnsafeRawBufferPointer, _ seedA: UInt64, _ seedB: UInt64) -> (
        UInt64, UInt64
    ) {
        let count = buffer.count
        guard let base = buffer.baseAddress, count > 0 else {
            return (avalanche(seedA &+ p5), avalanche(seedB &+ p5))
        }
        var p = base
        let end = base + count
        var a: UInt64, b: UInt64
        if count >= 32 {
            var a1 = seedA &+ p1 &+ p2, a2 = seedA &+ p2, a3 = seedA, a4 = seedA &- p1
            var b1 = seedB &+ p1 &+ p2, b2 = seedB &+ p2, b3 = seedB, b4 = seedB &- p1
            while end - p >= 32 {
                let w1 = load64(p), w2 = load64(p + 8), w3 = load64(p + 16), w4 = load64(p + 24)
                a1 = round(a1, w1)
                a2 = round(a2, w2)
                a3 = round(a3, w3)
                a4 = round(a4, w4)
                b1 = round(b1, w1)
                b2 = round(b2, w2)
                b3 = round(b3, w3)
                b4 = round(b4, w4)
                p += 32
            }
            a = ((a1 << 1) | (a1 >> 63)) &+ ((a2 << 7) | (a2 >> 57)) &+ ((a3 << 12) | (a3 >> 52)) &+ ((a4 << 18) | (a4 >> 46))
            a = merge(merge(merge(merge(a, a1), a2), a3), a4)
            b = ((b1 << 1) | (b1 >> 63)) &+ ((b2 << 7) | (b2 >> 57)) &+ ((b3 << 12) | (b3 >> 52)) &+ ((b4 << 18) | (b4 >> 46))
            b = merge(merge(merge(merge(b, b1), b2), b3), b4)
        } else {
            a = seedA &+ p5
            b = seedB &+ p5
        }
        a &+= UInt64(count)
        b &+= UInt64(count)
        while end - p >= 8 {
            let k = round(0, load64(p))
            a ^= k
            a = ((a << 27) | (a >> 37)) &* p1 &+ p4
            b ^= k
            b = ((b << 27) | (b >> 37)) &* p1 &+ p4
            p += 8
        }
        if end - p >= 4 {
            let k = load32(p) &* p1
            a ^= k
            a = ((a << 23) | (a >> 41)) &* p2 &+ p3
            b ^= k
            b = ((b << 23) | (b >> 41)) &* p2 &+ p3
            p += 4
        }
        while p < end {
            let k = UInt64(p.load(as: UInt8.self)) &* p5
            a ^= k
            a = ((a << 11) | (a >> 53)) &* p1
            b ^= k
            b = ((b << 11) | (b >> 53)) &* p1
            p += 1
        }
        return (avalanche(a), avalanche(b))
    }

    @inline(__always)
    static func avalanche(_ value: UInt64) -> UInt64 {
        var h = value
        h ^= h >> 33
        h &*= p2
        h ^= h >> 29
        h &*= p3
        h ^= h >> 32
        return h
    }

    package static func hash(_ buffer: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        var h = XXH64(seed: seed)
        h.update(buffer)
        return h.finalize()
    }
}
