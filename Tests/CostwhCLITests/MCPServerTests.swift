import CostwhTestSupport
import Foundation
import Testing

/// `costwh mcp` on a SQLite warehouse, driven by the official MCP Python SDK as a host would
/// (scripts/mcp-host.py): every tool, the resource, the prompts and the attack list, with the
/// warehouse's folder unchanged byte for byte afterwards.
@Suite(.serialized, .enabled(if: TestPython.available, .init(rawValue: TestPython.skipMessage)))
struct MCPServerTests {
    static let env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]

    @Test func aHostReadsTheDemoWarehouseAndCannotWriteIt() throws {
        let dir = TempDir()
        let scratch = TempDir()
        let db = dir.path("demo.sqlite")
        let demo = try runCostwh(["demo", "--db", db, "--rows-per-month", "300"], environment: Self.env)
        #expect(demo.status == 0, "\(demo.stderr)")
        let before = try MCPHost.footprint(dir.url)
        #expect(before.keys.contains("demo.sqlite-wal"), "costwh keeps the WAL files: \(before.keys.sorted())")
        let problems = try MCPHost.problems(
            db: db, owner: db, period: lastMonth.description, postgres: false, scratch: scratch, environment: Self.env)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        let after = try MCPHost.footprint(dir.url)
        #expect(after.keys.sorted() == before.keys.sorted(), "the folder changed: \(after.keys.sorted())")
        for (name, bytes) in before { #expect(after[name] == bytes, "\(name) was written") }
        #expect(!FileManager.default.fileExists(atPath: scratch.path("stolen.sqlite")))
    }

    /// A typo in --db is an error, never a new empty warehouse; so is a warehouse whose WAL
    /// files another tool removed (a read-only reader would create them).
    @Test func theServerCreatesNothing() throws {
        let dir = TempDir()
        let typo = try runCostwh(["mcp", "--db", dir.path("typo.sqlite")], environment: Self.env)
        #expect(typo.status != 0 && typo.stdout.isEmpty, "\(typo.status): \(typo.stdout)")
        #expect(typo.stderr.contains("typo.sqlite"), "\(typo.stderr)")
        let db = dir.path("w.sqlite")
        #expect(try runCostwh(["migrate", "--db", db], environment: Self.env).status == 0)
        for suffix in ["-wal", "-shm"] { try FileManager.default.removeItem(atPath: db + suffix) }
        let before = try MCPHost.footprint(dir.url)
        let bare = try runCostwh(["mcp", "--db", db], environment: Self.env)
        #expect(bare.status != 0 && bare.stderr.contains("costwh migrate"), "\(bare.stderr)")
        #expect(try MCPHost.footprint(dir.url) == before)
    }
}
