import CostwhPostgres
import Foundation
import Testing

/// The URL as libpq reads it, and the password kept out of everything printed.
@Suite struct PostgresLocationTests {
    @Test func urlsParseAsLibpqReadsThem() throws {
        let url = try PostgresLocation(
            parsing: "postgresql://ana:s%40cret@db.example.com:6543/finops?sslmode=verify-full&schema=warehouse",
            environment: [:])
        #expect(url.host == "db.example.com" && url.port == 6543 && url.user == "ana" && url.database == "finops")
        #expect(url.password == "s@cret")
        #expect(url.sslMode == .verifyFull && url.schema == "warehouse")
        #expect(url.description == "postgres://ana@db.example.com:6543/finops?sslmode=verify-full&schema=warehouse")
        let defaults = try PostgresLocation(parsing: "postgres://ana@localhost", environment: [:])
        #expect(defaults.port == 5432 && defaults.database == "ana" && defaults.schema == "costwh")
        #expect(defaults.sslMode == .disable && defaults.password == nil)
    }

    @Test func thePasswordComesFromTheURLThenPGPASSWORDThenThePasswordFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pgpass-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("pgpass").path
        try "# comment\nother:5432:*:ana:wrong\ndb:5432:finops:ana:from\\:file\n*:*:*:*:fallback\n".write(
            toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        let url = "postgres://ana@db/finops"
        #expect(try PostgresLocation(parsing: url, environment: ["PGPASSFILE": file]).password == "from:file")
        #expect(
            try PostgresLocation(parsing: url, environment: ["PGPASSFILE": file, "PGPASSWORD": "env"]).password == "env"
        )
        #expect(
            try PostgresLocation(parsing: "postgres://ana:inline@db/finops", environment: ["PGPASSWORD": "env"])
                .password == "inline")
        #expect(
            try PostgresLocation(parsing: "postgres://bo@db/x", environment: ["PGPASSFILE": file]).password
                == "fallback")
        // libpq ignores a password file others can read; so does costwh.
        chmod(file, 0o644)
        #expect(try PostgresLocation(parsing: url, environment: ["PGPASSFILE": file]).password == nil)
    }

    @Test(arguments: [
        ("postgres://", "no host"),
        ("postgres://db/x", "no user"),
        ("postgres://ana:pw-SECRET@db/x?sslmode=prefer", "sslmode must be one of disable, require, verify-full"),
        ("postgres://ana:pw-SECRET@db/x?schema=Drop;Table", "schema must be a plain identifier"),
        ("postgres://ana:pw-SECRET@db/x?password=x", "unknown URL parameter `password`"),
        ("postgres://ana:pw-SECRET@db/x?application_name=a'b", "application_name must be"),
    ])
    func badURLsAreRefusedWithoutRepeatingThem(url: String, expected: String) {
        if url.contains("application_name"), let good = try? PostgresLocation(
            parsing: "postgres://ana@db/x?application_name=nightly-1.2", environment: [:])
        {
            #expect(good.applicationName == "nightly-1.2")
            #expect((try? PostgresLocation(parsing: "postgres://ana@db/x", environment: [:]))?.applicationName == "costwh")
        }
        do {
            _ = try PostgresLocation(parsing: url, environment: [:])
            Issue.record("\(url) was accepted")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
            #expect(!error.description.contains("pw-SECRET"))
        }
    }
}
