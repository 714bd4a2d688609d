import CostwhPipeline
import CostwhTestSupport
import Foundation
import Testing

extension CommandLineTests {
    /// `costwh ingest` with `"export"` in its configuration (or `--export DIR`) keeps a lake
    /// current: after the first night every loaded partition is in it; a night that loads
    /// nothing new rewrites nothing.
    @Test func ingestKeepsALakeCurrent() async throws {
        try await withEmulator { fixture in
            let env = environment(fixture)
            let db = fixture.databasePath
            let lake = fixture.directory.appendingPathComponent("lake").path
            let config = fixture.directory.appendingPathComponent("costwh.json").path
            try Data(
                """
                {"export": "\(lake)", "scopes": [{"scope": "\(eaAccount)", "metrics": ["actual", "amortized"]}]}
                """.utf8
            ).write(to: URL(fileURLWithPath: config))
            let first = try runCostwh(["ingest", "--config", config, "--db", db], environment: env)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stderr.contains("export: 4 partition(s) written"), "\(first.stderr)")
            let manifest = try #require(LakeManifest.read(URL(fileURLWithPath: lake)))
            let loaded = try rows(db, sql: "SELECT COUNT(*) AS n FROM partitions")[0]["n"] as Int
            #expect(manifest.partitions.count == loaded && loaded == 4)
            #expect(LakeCheck.manifestProblems(lake).isEmpty)
            // The next night skips the recent loads, and the lake is left as it is.
            let second = try runCostwh(["ingest", "--config", config, "--db", db], environment: env)
            #expect(second.status == 0 && second.stderr.contains("0 partition(s) written"), "\(second.stderr)")
            #expect(second.stderr.contains("4 unchanged"), "\(second.stderr)")
            // --export names another lake for one run.
            let other = fixture.directory.appendingPathComponent("other").path
            let third = try runCostwh(["ingest", "--config", config, "--db", db, "--export", other], environment: env)
            #expect(third.status == 0 && third.stderr.contains("export: 4 partition(s) written"), "\(third.stderr)")
        }
    }
}
