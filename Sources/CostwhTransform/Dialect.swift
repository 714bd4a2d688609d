/// How a delimited text file is written: what people's spreadsheets and other tools do to
/// cost files. Decided once per file from its first block (see `DialectDetector`), then
/// fixed for the whole file, so the hot path never guesses row by row.
package struct Dialect: Sendable, Equatable {
    package var encoding: TextEncoding
    /// `,`, `;`, tab or `|`.
    package var delimiter: UInt8
    /// Numbers are written `1234,56` (German or French Excel).
    package var decimalComma: Bool
    /// How `a/b/yyyy` dates are read: month first (Azure's own files) or day first.
    package var dateOrder: DateOrder

    package init(
        encoding: TextEncoding = .utf8, delimiter: UInt8 = 0x2C, decimalComma: Bool = false,
        dateOrder: DateOrder = .monthFirst
    ) {
        self.encoding = encoding
        self.delimiter = delimiter
        self.decimalComma = decimalComma
        self.dateOrder = dateOrder
    }

    /// Azure's own files: UTF-8, commas, decimal points, month-first dates.
    package static let azure = Dialect()

    /// The delimiters detection chooses from.
    package static let delimiters: [UInt8] = [0x2C, 0x3B, 0x09, 0x7C]

    package static func delimiterName(_ byte: UInt8) -> String {
        switch byte {
        case 0x2C: return "comma"
        case 0x3B: return "semicolon"
        case 0x09: return "tab"
        case 0x7C: return "pipe"
        default: return "byte \(byte)"
        }
    }

    /// For the ledger: what was detected or given, only where it differs from Azure's own files.
    package var summary: String {
        var parts = ["encoding \(encoding.rawValue)", "delimiter \(Dialect.delimiterName(delimiter))"]
        if decimalComma { parts.append("decimal comma") }
        parts.append("dates \(dateOrder.rawValue)")
        return parts.joined(separator: ", ")
    }
}

package enum TextEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case utf16LE = "utf-16le"
    case utf16BE = "utf-16be"
    case windows1252 = "windows-1252"

    /// Accepts the spellings people type: `utf8`, `UTF-16`, `cp1252`, `latin1`…
    package init?(name: String) {
        switch name.lowercased().filter({ $0 != "-" && $0 != "_" }) {
        case "utf8": self = .utf8
        case "utf16", "utf16le", "unicode": self = .utf16LE
        case "utf16be": self = .utf16BE
        case "windows1252", "cp1252", "latin1", "iso88591", "ansi": self = .windows1252
        default: return nil
        }
    }
}

package enum DateOrder: String, Sendable, CaseIterable {
    case monthFirst = "mdy"
    case dayFirst = "dmy"
}

/// What a user or caller says about a file, overriding detection field by field.
package struct DialectOverrides: Sendable, Equatable {
    package var encoding: TextEncoding?
    package var delimiter: UInt8?
    package var decimalComma: Bool?
    package var dateOrder: DateOrder?

    package init(
        encoding: TextEncoding? = nil, delimiter: UInt8? = nil, decimalComma: Bool? = nil, dateOrder: DateOrder? = nil
    ) {
        self.encoding = encoding
        self.delimiter = delimiter
        self.decimalComma = decimalComma
        self.dateOrder = dateOrder
    }

    package static let none = DialectOverrides()

    /// `,` `;` `tab` `\t` `|` and their names.
    package static func delimiter(named text: String) -> UInt8? {
        switch text.lowercased() {
        case ",", "comma": return 0x2C
        case ";", "semicolon": return 0x3B
        case "\t", "\\t", "tab": return 0x09
        case "|", "pipe": return 0x7C
        default: return nil
        }
    }
}
