import Foundation

/// Removes secrets from text that may reach a log, an error or the ledger.
///
/// SAS links carry their signature in `sig=`; tokens travel in headers and JSON bodies.
/// Every URL costwh prints goes through `redact(url:)`.
package enum Redaction {
    /// Query parameters whose values are secrets.
    static let secretParameters: Set<String> = [
        "sig", "signature", "code", "client_secret", "access_token", "token", "skoid", "sktid",
    ]

    package static func redact(url: String) -> String {
        guard let q = url.firstIndex(of: "?") else { return url }
        let base = url[..<q]
        let query = url[url.index(after: q)...]
        let parts = query.split(separator: "&", omittingEmptySubsequences: false).map { part -> String in
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pieces.count == 2 else { return String(part) }
            return secretParameters.contains(pieces[0].lowercased()) ? "\(pieces[0])=REDACTED" : String(part)
        }
        return base + "?" + parts.joined(separator: "&")
    }

    /// Removes every occurrence of known secret values, and anything shaped like a bearer
    /// token or JWT, from free text.
    package static func scrub(_ text: String, secrets: [String] = []) -> String {
        var out = text
        for secret in secrets where secret.count >= 4 {
            out = out.replacingOccurrences(of: secret, with: "REDACTED")
        }
        // JWTs: three base64url segments, the first starting with eyJ.
        var result = ""
        var index = out.startIndex
        while let start = out[index...].range(of: "eyJ") {
            result += out[index..<start.lowerBound]
            var end = start.lowerBound
            var dots = 0
            while end < out.endIndex, out[end].isLetter || out[end].isNumber || "-_.".contains(out[end]) {
                if out[end] == "." { dots += 1 }
                end = out.index(after: end)
            }
            if dots >= 2 {
                result += "REDACTED-JWT"
            } else {
                result += out[start.lowerBound..<end]
            }
            index = end
        }
        result += out[index...]
        // sig=… inside a URL embedded in text.
        return redactSignatures(result)
    }

    static func redactSignatures(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let range = rest.range(of: "sig=", options: .caseInsensitive) {
            out += rest[..<range.upperBound]
            var end = range.upperBound
            while end < rest.endIndex, !"&\"' \n\t<>".contains(rest[end]) { end = rest.index(after: end) }
            out += "REDACTED"
            rest = rest[end...]
        }
        return out + rest
    }
}
