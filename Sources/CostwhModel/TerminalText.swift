/// Text from files and from Azure that is about to be shown to a person: control characters
/// are made visible (`\u{1B}`), so a hostile header or cell cannot retitle, clear or recolour
/// the terminal. CSV and JSON output are escaped by their own rules instead and stay exact.
package enum TerminalText {
    @inline(__always)
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0)
    }

    /// Every C0 and C1 control character and DEL as a visible `\u{XX}`; `keepingNewlines`
    /// leaves line breaks and tabs of multi-line messages alone.
    package static func neutralised(_ text: String, keepingNewlines: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isControl(scalar) && !(keepingNewlines && (scalar == "\n" || scalar == "\t")) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}
