import CostwhEmulator
import CostwhTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `costwh doctor` against the emulator: a healthy configuration passes every check, and
/// each fault gets its own line with its fix.
@Suite struct DoctorTests {
    static let ea = "/providers/Microsoft.Billing/billingAccounts/8611537"
    static let mca =
        "/providers/Microsoft.Billing/billingAccounts/1234:5678_2019-05-31/billingProfiles/AB12-CD34-BG7-TGB"

    static func environment(_ fixture: EmulatorFixture, secret: String? = nil) -> [String: String] {
        let c = fixture.emulator.configuration
        return [
            "PATH": "/usr/bin:/bin", "HOME": fixture.directory.path, "TMPDIR": fixture.directory.path,
            "COSTWH_ARM_ENDPOINT": fixture.emulator.baseURL, "AZURE_AUTHORITY_HOST": fixture.emulator.baseURL,
            "AZURE_TENANT_ID": c.tenantId, "AZURE_CLIENT_ID": c.clientId,
            "AZURE_CLIENT_SECRET": secret ?? c.clientSecret,
        ]
    }

    static func lines(_ result: CommandResult, _ check: String) -> [String] {
        result.stdout.split(separator: "\n").map(String.init).filter { $0.contains(" \(check)") }
    }

    @Test func aHealthyConfigurationPassesEveryCheck() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        try await withEmulator { fixture in
            let config = fixture.directory.appendingPathComponent("costwh.json").path
            let db = fixture.directory.appendingPathComponent("night.sqlite").path
            try """
            {"database": "\(db)", "scopes": [{"scope": "\(DoctorTests.ea)", "name": "Contoso EA"}, {"scope": "\(DoctorTests.mca)"}]}
            """.write(toFile: config, atomically: true, encoding: .utf8)
            let result = try runCostwh(["doctor", "--config", config], environment: DoctorTests.environment(fixture))
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(
                DoctorTests.lines(result, "sign-in").first?.contains("service principal") == true, "\(result.stdout)")
            #expect(DoctorTests.lines(result, "scope").count == 2 && !result.stdout.contains("PROBLEM"))
            #expect(DoctorTests.lines(result, "clock").first?.hasPrefix("ok") == true, "\(result.stdout)")
            #expect(DoctorTests.lines(result, "database").first?.contains("writable") == true)
            #expect(DoctorTests.lines(result, "permissions").first?.hasPrefix("ok") == true, "\(result.stdout)")
            #expect(DoctorTests.lines(result, "disk").first?.contains("free") == true)
            #expect(fixture.emulator.statistics["exports"] == 2, "one cheap read per scope")
            #expect(!result.stdout.contains(fixture.emulator.configuration.clientSecret))
        }
    }

    @Test func aWrongSecretIsOneProblemWithItsFix() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        try await withEmulator { fixture in
            let db = fixture.directory.appendingPathComponent("d.sqlite").path
            let result = try runCostwh(
                ["doctor", "--scope", DoctorTests.ea, "--db", db],
                environment: DoctorTests.environment(fixture, secret: "not-the-secret"))
            #expect(result.status == 1)
            let signIn = DoctorTests.lines(result, "sign-in")
            #expect(
                signIn.count == 1 && signIn[0].hasPrefix("PROBLEM") && signIn[0].contains("Fix: "), "\(result.stdout)")
            #expect(!result.stdout.contains("not-the-secret") && !result.stderr.contains("not-the-secret"))
            // The local checks still run.
            #expect(DoctorTests.lines(result, "database").first?.hasPrefix("ok") == true)
        }
    }

    /// A scope the identity has no role on, a skewed clock, and a world-readable database:
    /// three problems, each on its line with what to do.
    @Test func aForbiddenScopeASkewedClockAndAnOpenDatabaseAreEachReported() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        var faults = EmulatorFaults()
        faults.forbiddenScopes = [DoctorTests.mca]
        faults.clockSkew = -900
        try await withEmulator(faults: faults) { fixture in
            let db = fixture.directory.appendingPathComponent("open.sqlite").path
            let migrate = try runCostwh(["migrate", "--db", db], environment: DoctorTests.environment(fixture))
            try #require(migrate.status == 0, "\(migrate.stderr)")
            #expect(chmod(db, 0o644) == 0)
            let result = try runCostwh(
                ["doctor", "--scope", DoctorTests.ea, "--scope", DoctorTests.mca, "--db", db, "--format", "json"],
                environment: DoctorTests.environment(fixture))
            #expect(result.status == 1)
            let checks = result.stdout.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            func check(_ name: String) -> [String: Any]? { checks.first { ($0["check"] as? String) == name } }
            #expect(check("scope \(DoctorTests.ea)")?["outcome"] as? String == "ok", "\(result.stdout)")
            let forbidden = check("scope \(DoctorTests.mca)")
            #expect(forbidden?["outcome"] as? String == "problem")
            #expect((forbidden?["fix"] as? String)?.contains("Cost Management Reader") == true, "\(result.stdout)")
            let clock = check("clock")
            #expect(clock?["outcome"] as? String == "problem")
            #expect((clock?["detail"] as? String)?.contains("ahead of Azure's") == true, "\(result.stdout)")
            #expect((clock?["fix"] as? String)?.contains("timedatectl") == true)
            let permissions = check("permissions")
            #expect(
                permissions?["outcome"] as? String == "problem" && permissions?["fix"] as? String == "chmod 600 \(db)")
            #expect(checks.filter { $0["outcome"] as? String == "problem" }.count == 3, "\(result.stdout)")
        }
    }
}
