/// A small deterministic generator: the same seed gives the same data on every machine.
package struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    package init(seed: UInt64) { state = seed }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1).
    package mutating func unit() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    package mutating func int(_ upper: Int) -> Int { Int(next() % UInt64(max(upper, 1))) }

    /// A seed derived from text, stable across runs (unlike `Hasher`).
    package static func seed(_ text: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in text.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }
}

extension SplitMix64 {
    /// A GUID-shaped string made from the generator.
    mutating func guid() -> String {
        let hex = Array("0123456789abcdef")
        var out = ""
        for i in 0..<32 {
            if [8, 12, 16, 20].contains(i) { out.append("-") }
            out.append(hex[int(16)])
        }
        return out
    }
}
