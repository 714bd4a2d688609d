/// Small JSON helpers for the columns that hold JSON text.
package enum JSONText {
    /// A JSON string literal: quotes, backslashes and control characters escaped (C0, DEL and
    /// C1 too, so the text is safe on a terminal); `/` and everything else as it is.
    package static func quoted(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let s where s.value < 0x20 || s.value == 0x7F || (0x80...0x9F).contains(s.value):
                // Control characters, escaped so the output is safe on a terminal too.
                let hex = String(s.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Appends `bytes` as the body of a JSON string (no quotes), escaping as RFC 8259 asks.
    /// A NUL byte becomes U+FFFD: `\u0000` is valid JSON, but PostgreSQL's jsonb refuses it,
    /// and one such value would break every tag query of its month. Returns the NULs replaced.
    @discardableResult
    static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to arena: ByteArena) -> Int {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var nuls = 0
        for b in bytes {
            switch b {
            case 0x00:
                nuls += 1
                arena.append(0xEF)
                arena.append(0xBF)
                arena.append(0xBD)
            case 0x22:
                arena.append(0x5C)
                arena.append(0x22)
            case 0x5C:
                arena.append(0x5C)
                arena.append(0x5C)
            case 0x0A:
                arena.append(0x5C)
                arena.append(0x6E)
            case 0x0D:
                arena.append(0x5C)
                arena.append(0x72)
            case 0x09:
                arena.append(0x5C)
                arena.append(0x74)
            case 0..<0x20:
                arena.append(0x5C)
                arena.append(0x75)
                arena.append(0x30)
                arena.append(0x30)
                arena.append(hex[Int(b >> 4)])
                arena.append(hex[Int(b & 0xF)])
            default: arena.append(b)
            }
        }
        return nuls
    }

    /// True when the bytes are one valid JSON object (RFC 8259), so SQLite's JSON
    /// functions will not raise on it.
    package static func isObject(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var parser = Validator(bytes: bytes)
        parser.skipSpace()
        guard parser.peek() == 0x7B, parser.value(depth: 0) else { return false }
        parser.skipSpace()
        return parser.i == bytes.count
    }

    private struct Validator {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        func peek() -> UInt8? { i < bytes.count ? bytes[i] : nil }

        mutating func skipSpace() {
            while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        }

        mutating func literal(_ word: String) -> Bool {
            for b in word.utf8 {
                guard peek() == b else { return false }
                i += 1
            }
            return true
        }

        mutating func value(depth: Int) -> Bool {
            guard depth < 64 else { return false }
            skipSpace()
            guard let c = peek() else { return false }
            switch c {
            case 0x7B:
                i += 1
                skipSpace()
                if peek() == 0x7D {
                    i += 1
                    return true
                }
                while true {
                    skipSpace()
                    guard peek() == 0x22, string() else { return false }
                    skipSpace()
                    guard peek() == 0x3A else { return false }
                    i += 1
                    guard value(depth: depth + 1) else { return false }
                    skipSpace()
                    if peek() == 0x2C {
                        i += 1
                        continue
                    }
                    if peek() == 0x7D {
                        i += 1
                        return true
                    }
                    return false
                }
            case 0x5B:
                i += 1
                skipSpace()
                if peek() == 0x5D {
                    i += 1
                    return true
                }
                while true {
                    guard value(depth: depth + 1) else { return false }
                    skipSpace()
                    if peek() == 0x2C {
                        i += 1
                        continue
                    }
                    if peek() == 0x5D {
                        i += 1
                        return true
                    }
                    return false
                }
            case 0x22: return string()
            case 0x74: return literal("true")
            case 0x66: return literal("false")
            case 0x6E: return literal("null")
            default: return number()
            }
        }

        mutating func string() -> Bool {
            i += 1
            while let c = peek() {
                i += 1
                if c == 0x22 { return true }
                if c < 0x20 { return false }
                if c == 0x5C {
                    guard let e = peek() else { return false }
                    i += 1
                    if e == 0x75 {
                        var code: UInt32 = 0
                        for _ in 0..<4 {
                            guard let h = peek(), h.isHex else { return false }
                            code = code << 4 | UInt32(h.hexValue)
                            i += 1
                        }
                        // PostgreSQL's jsonb refuses \u0000: such an object is not kept as JSON.
                        if code == 0 { return false }
                    } else if ![0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74].contains(e) {
                        return false
                    }
                }
            }
            return false
        }

        mutating func number() -> Bool {
            let start = i
            if peek() == 0x2D { i += 1 }
            var digits = 0
            while let c = peek(), c >= 0x30 && c <= 0x39 {
                i += 1
                digits += 1
            }
            guard digits > 0 else { return false }
            if peek() == 0x2E {
                i += 1
                var f = 0
                while let c = peek(), c >= 0x30 && c <= 0x39 {
                    i += 1
                    f += 1
                }
                guard f > 0 else { return false }
            }
            if peek() == 0x65 || peek() == 0x45 {
                i += 1
                if peek() == 0x2B || peek() == 0x2D { i += 1 }
                var e = 0
                while let c = peek(), c >= 0x30 && c <= 0x39 {
                    i += 1
                    e += 1
                }
                guard e > 0 else { return false }
            }
            return i > start
        }
    }
}

extension UInt8 {
    fileprivate var isHex: Bool {
        (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self)
    }

    /// The value of a hex digit (`isHex` checked first).
    fileprivate var hexValue: UInt8 {
        self <= 0x39 ? self - 0x30 : (self | 0x20) - 0x61 + 10
    }
}
