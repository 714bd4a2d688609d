import Foundation

/// A `postgres://` or `postgresql://` URL, parsed as libpq reads it, with the password kept
/// out of everything that prints.
///
/// `postgres://user[:password]@host[:port]/database?sslmode=…&schema=…`. The password comes
/// from the URL, else `PGPASSWORD`, else the password file (`PGPASSFILE`, else `~/.pgpass`,
/// in libpq's `host:port:database:user:password` format, ignored unless only its owner can
/// read it). `schema` names the namespace costwh's tables live in (default `costwh`).
package struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    package enum SSLMode: String, Sendable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS, without checking the certificate (libpq's meaning of `require`).
        case require
        /// TLS, the certificate checked against the system's roots and the host name.
        case verifyFull = "verify-full"
    }

    package var host: String
    package var port: Int
    package var user: String
    package var database: String
    package var schema: String
    package var sslMode: SSLMode
    /// What `pg_stat_activity` calls costwh's sessions (`application_name`, as libpq reads it
    /// from the URL); `costwh` unless the URL says otherwise.
    package var applicationName = "costwh"
    /// Never printed; see `description`.
    package var password: String?

    /// True for the URLs this store takes.
    package static func matches(_ location: String) -> Bool {
        let lower = location.lowercased()
        return lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://")
    }

    /// The URL without its password: what messages, logs, the ledger and `runs` show.
    package var description: String {
        var text = "postgres://\(PostgresLocation.encode(user))@\(host.contains(":") ? "[\(host)]" : host):\(port)/"
        text += PostgresLocation.encode(database)
        var query = ["sslmode=\(sslMode.rawValue)"]
        if schema != "costwh" { query.append("schema=\(PostgresLocation.encode(schema))") }
        return text + "?" + query.joined(separator: "&")
    }

    package init(
        host: String, port: Int = 5432, user: String, database: String, schema: String = "costwh",
        sslMode: SSLMode = .disable, password: String? = nil
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.schema = schema
        self.sslMode = sslMode
        self.password = password
    }

    /// Parses a URL; `environment` supplies `PGPASSWORD`, `PGPASSFILE`, `PGUSER` and `HOME`.
    /// Errors never repeat the URL, which may hold a password.
    package init(
        parsing text: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(PostgresError) {
        guard PostgresLocation.matches(text), let components = URLComponents(string: text) else {
            throw .invalidURL("expected postgres://user[:password]@host[:port]/database[?sslmode=…&schema=…]")
        }
        guard let host = components.host, !host.isEmpty else {
            throw .invalidURL("the URL names no host (postgres://user@HOST/database)")
        }
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        self.port = components.port ?? 5432
        let user = components.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? environment["PGUSER"]
        guard let user, !user.isEmpty else {
            throw .invalidURL("the URL names no user (postgres://USER@host/database)")
        }
        self.user = user
        let path = components.percentEncodedPath.dropFirst()
        let database = String(path).removingPercentEncoding ?? String(path)
        self.database = database.isEmpty ? user : database
        schema = "costwh"
        sslMode = .disable
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = SSLMode(rawValue: item.value ?? "") else {
                    throw .invalidURL(
                        "sslmode must be one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sslMode = mode
            case "schema", "search_path", "currentSchema":
                guard let value = item.value, PostgresLocation.isPlainIdentifier(value) else {
                    throw .invalidURL("schema must be a plain identifier: lower-case letters, digits and _")
                }
                schema = value
            case "application_name":
                guard let value = item.value, (1...63).contains(value.utf8.count),
                    value.utf8.allSatisfy({ b in
                        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                            || b == 0x5F || b == 0x2D || b == 0x2E
                    })
                else {
                    throw .invalidURL("application_name must be 1 to 63 letters, digits, `_`, `-` or `.`")
                }
                applicationName = value
            case "connect_timeout":
                continue
            default:
                throw .invalidURL("unknown URL parameter `\(item.name)`; costwh knows sslmode and schema")
            }
        }
        if let given = components.percentEncodedPassword {
            password = given.removingPercentEncoding ?? given
        } else if let env = environment["PGPASSWORD"], !env.isEmpty {
            password = env
        } else {
            password = PostgresLocation.passwordFile(environment: environment).flatMap {
                PostgresLocation.lookUp(in: $0, host: self.host, port: port, database: self.database, user: user)
            }
        }
    }

    /// Identifiers costwh splices into SQL (the schema) are checked, never quoted blindly.
    package static func isPlainIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !text.isEmpty, text.utf8.count <= 63 else { return false }
        guard ("a"..."z").contains(first) || first == "_" else { return false }
        return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// The password file's text, when it exists and only its owner can read it (libpq
    /// ignores a group- or world-readable one, and so does costwh).
    static func passwordFile(environment: [String: String]) -> String? {
        let path =
            environment["PGPASSFILE"] ?? environment["HOME"].map { $0 + "/.pgpass" }
            ?? (NSHomeDirectory() + "/.pgpass")
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & 0o077 == 0,
            let data = FileManager.default.contents(atPath: path)
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The first matching line of a `~/.pgpass` text: `host:port:database:user:password`,
    /// `*` matching anything, `\:` and `\\` escaping.
    package static func lookUp(in text: String, host: String, port: Int, database: String, user: String) -> String? {
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            var fields: [String] = []
            var current = ""
            var escaped = false
            for c in line {
                if escaped {
                    current.append(c)
                    escaped = false
                } else if c == "\\" {
                    escaped = true
                } else if c == ":" && fields.count < 4 {
                    fields.append(current)
                    current = ""
                } else {
                    current.append(c)
                }
            }
            fields.append(current)
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }
}
