import Foundation

/// Warns about a file others can read that should be private: the warehouse (costwh creates
/// it 0600, but an existing one keeps its mode), and a configuration or token file that
/// holds a secret or a password.
package enum FileExposure {
    /// A warning for `path` when group or others may read it, else nil. A missing file, or a
    /// location that is not a file (a postgres:// URL), gives nil.
    package static func warning(for path: String, what: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        let mode = info.st_mode & 0o777
        guard mode & 0o044 != 0 else { return nil }
        return "\(what) \(path) can be read by \(mode & 0o004 != 0 ? "every user" : "its group") (mode \(String(mode, radix: 8))); run chmod 600 \(path)"
    }

    /// Whether a configuration file's text holds a secret: a password in a database URL, or
    /// a key named like a secret.
    package static func holdsSecret(_ text: String) -> Bool {
        if text.range(of: #"postgres(ql)?://[^:@/\s"]+:[^@/\s"]+@"#, options: .regularExpression) != nil { return true }
        return text.range(
            of: #""(clientSecret|eaApiKey|password|accessToken)"\s*:"#, options: [.regularExpression, .caseInsensitive])
            != nil
    }
}
