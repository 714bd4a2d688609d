import CostwhEmulator
import CostwhTestSupport
import Foundation
import GRDB
import Testing

/// Many tenants in one nightly job: each scope signs in with its own credential, against an
/// emulator serving two tenants whose tokens work only on their own scopes.
@Suite struct TenantTests {
    static let contosoTenant = "00000000-0000-0000-0000-0000000000aa"
    static let fabrikamTenant = "11111111-1111-1111-1111-1111111111cc"
    static let fabrikamClient = "11111111-1111-1111-1111-1111111111dd"
    static let fabrikamSecret = "fabrikam-Secret-7f3a9c"
    static let contosoSecretValue = "emulator-secret"
    static let other = "/providers/Microsoft.Billing/billingAccounts/7654321"

    /// The emulator with a second tenant owning the MCA profile and a second EA account.
    static func withTwoTenants<T>(faults: EmulatorFaults = EmulatorFaults(), _ body: (EmulatorFixture) async throws -> T)
        async throws -> T
    {
        try await withEmulator(faults: faults) { configuration in
            configuration.tenants = [
                EmulatorTenant(
                    tenantId: fabrikamTenant, clientId: fabrikamClient, clientSecret: fabrikamSecret,
                    scopes: [mcaProfile, other])
            ]
        } _: { fixture in try await body(fixture) }
    }

    /// A configuration with two credentials, a secret in the environment and one in a 0600
    /// file, and three scopes in two tenants.
    static func configuration(
        _ fixture: EmulatorFixture, fabrikamSecret secret: String = fabrikamSecret, fileMode: mode_t = 0o600,
        extra: String = ""
    ) throws -> (config: String, db: String) {
        let dir = fixture.directory.path
        let secretFile = dir + "/fabrikam.secret"
        try (secret + "\n").write(toFile: secretFile, atomically: true, encoding: .utf8)
        chmod(secretFile, fileMode)
        let db = dir + "/tenants.sqlite"
        let config = dir + "/costwh.json"
        let c = fixture.emulator.configuration
        try """
            {
              "database": "\(db)",
              "window": {"months": 1},
              "parallel": 3,
              "credentials": {
                "contoso": {"tenantId": "\(c.tenantId)", "clientId": "\(c.clientId)", "clientSecretEnv": "CONTOSO_SECRET"\(extra)},
                "fabrikam": {"tenantId": "\(fabrikamTenant)", "clientId": "\(fabrikamClient)", "clientSecretFile": "\(secretFile)"}
              },
              "scopes": [
                {"scope": "\(eaAccount)", "name": "Contoso EA", "metrics": ["actual"], "credential": "contoso"},
                {"scope": "\(mcaProfile)", "name": "Fabrikam MCA", "metrics": ["actual"], "credential": "fabrikam"},
                {"scope": "\(other)", "name": "Fabrikam EA", "metrics": ["actual"], "credential": "fabrikam"}
              ]
            }
            """.write(toFile: config, atomically: true, encoding: .utf8)
        chmod(config, 0o600)
        return (config, db)
    }

    /// No AZURE_* variables: every sign-in comes from the configuration.
    static func environment(_ fixture: EmulatorFixture) -> [String: String] {
        [
            "PATH": "/usr/bin:/bin", "HOME": fixture.directory.path, "TMPDIR": fixture.directory.path,
            "COSTWH_ARM_ENDPOINT": fixture.emulator.baseURL, "AZURE_AUTHORITY_HOST": fixture.emulator.baseURL,
            "CONTOSO_SECRET": contosoSecretValue,
        ]
    }

    /// Every byte under a folder, for a search for leaked secrets.
    static func contents(of folder: String) -> [(String, Data)] {
        var out: [(String, Data)] = []
        let walker = FileManager.default.enumerator(atPath: folder)
        while let name = walker?.nextObject() as? String {
            let path = folder + "/" + name
            if name.hasSuffix(".secret") { continue }
            if let data = FileManager.default.contents(atPath: path) { out.append((name, data)) }
        }
        return out
    }

    @Test func threeScopesInTwoTenantsSignInOncePerTenantWithTheRightTokens() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        try await Self.withTwoTenants { fixture in
            let (config, db) = try Self.configuration(fixture)
            let result = try runCostwh(
                ["ingest", "--config", config, "--log-level", "trace", "--format", "json"],
                environment: Self.environment(fixture))
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("\"loaded\": 3"), "\(result.stdout)")
            // One sign-in per tenant, though two scopes (and partitions at once) use fabrikam.
            #expect(fixture.emulator.signIns == [Self.contosoTenant: 1, Self.fabrikamTenant: 1])
            // Every Resource Manager request carried its scope's tenant's token and costwh's ClientType.
            let arm = fixture.emulator.requests.filter { $0.path.lowercased().contains("/providers/microsoft.costmanagement/") }
            #expect(arm.count >= 6)
            for request in arm {
                let expected = request.path.lowercased().hasPrefix(eaAccount.lowercased()) ? Self.contosoTenant : Self.fabrikamTenant
                #expect(request.tenant == expected, "\(request.path)")
                #expect(request.clientType?.hasPrefix("costwh/") == true, "\(request.path)")
            }
            let partitions = try DatabaseQueue(path: db).read {
                try String.fetchAll($0, sql: "SELECT Scope FROM partitions ORDER BY Scope")
            }
            #expect(Set(partitions) == [eaAccount, mcaProfile, Self.other])
            // No secret or token anywhere: output at trace level, the database, temporary files.
            let secrets = [Self.fabrikamSecret, Self.contosoSecretValue] + fixture.emulator.issuedSecrets
            for secret in secrets {
                #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret))
            }
            for (name, data) in Self.contents(of: fixture.directory.path) {
                for secret in secrets where data.range(of: Data(secret.utf8)) != nil {
                    Issue.record("\(name) holds a secret")
                }
            }
        }
    }

    @Test func aWrongSecretFailsOnlyItsTenantsScopes() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        try await Self.withTwoTenants { fixture in
            let (config, db) = try Self.configuration(fixture, fabrikamSecret: "not-the-Secret-1b2c")
            // One partition at a time, so that fabrikam's second scope asks after its first was refused.
            let result = try runCostwh(
                ["ingest", "--config", config, "--parallel", "1"], environment: Self.environment(fixture))
            #expect(result.status == 2, "\(result.stderr)")
            #expect(result.stderr.contains("credential `fabrikam`"), "\(result.stderr)")
            #expect(result.stderr.contains("1 loaded") && result.stderr.contains("2 failed"), "\(result.stderr)")
            #expect(!result.stderr.contains("not-the-Secret-1b2c") && !result.stdout.contains("not-the-Secret-1b2c"))
            // The refused sign-in was tried once for both of its scopes, not once per partition.
            #expect(fixture.emulator.statistics["token"] == 2, "\(fixture.emulator.statistics)")
            let loaded = try DatabaseQueue(path: db).read { try String.fetchAll($0, sql: "SELECT Scope FROM partitions") }
            #expect(loaded == [eaAccount])
        }
    }

    /// A token of one tenant is refused on the other's scope, as Azure refuses it; the
    /// emulator holds costwh to that.
    @Test func aTokenOfAnotherTenantIsRefused() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        try await Self.withTwoTenants { fixture in
            let db = fixture.directory.path + "/wrong.sqlite"
            var environment = Self.environment(fixture)
            let c = fixture.emulator.configuration
            environment["AZURE_TENANT_ID"] = c.tenantId
            environment["AZURE_CLIENT_ID"] = c.clientId
            environment["AZURE_CLIENT_SECRET"] = c.clientSecret
            let period = lastMonth.description
            let result = try runCostwh(
                ["reload", "--scope", mcaProfile, "--period", period, "--metric", "actual", "--db", db],
                environment: environment)
            #expect(result.status == 2)
            #expect(result.stderr.contains("InvalidAuthenticationTokenTenant") || result.stderr.contains("wrong issuer"), "\(result.stderr)")
            // The same scope with its own credential, from the configuration.
            let (config, _) = try Self.configuration(fixture)
            let right = try runCostwh(
                ["reload", "--scope", mcaProfile, "--period", period, "--metric", "actual", "--db", db,
                 "--config", config, "--credential", "fabrikam"],
                environment: environment)
            #expect(right.status == 0, "\(right.stderr)")
        }
    }

    @Test func secretsInTheConfigurationAndSharedSecretFilesAreRefused() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        try await Self.withTwoTenants { fixture in
            let inline = try Self.configuration(fixture, extra: ", \"clientSecret\": \"inline-Secret-99\"")
            let refused = try runCostwh(["ingest", "--config", inline.config], environment: Self.environment(fixture))
            #expect(refused.status == 64, "\(refused.stderr)")
            #expect(refused.stderr.contains("credentials.contoso.clientSecret") && refused.stderr.contains("clientSecretEnv"))
            #expect(!refused.stderr.contains("inline-Secret-99"))
            let shared = try Self.configuration(fixture, fileMode: 0o644)
            let open = try runCostwh(["ingest", "--config", shared.config], environment: Self.environment(fixture))
            #expect(open.status == 64, "\(open.stderr)")
            #expect(open.stderr.contains("chmod 600"), "\(open.stderr)")
            #expect(!open.stderr.contains(Self.fabrikamSecret))
            #expect(fixture.emulator.statistics["token"] == nil, "nothing signed in")
        }
    }

    @Test func doctorChecksEachCredentialWithItsScopes() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        try await Self.withTwoTenants { fixture in
            let (config, _) = try Self.configuration(fixture)
            let result = try runCostwh(["doctor", "--config", config], environment: Self.environment(fixture))
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            let lines = result.stdout.split(separator: "\n").map(String.init)
            let contoso = lines.first { $0.contains("sign-in `contoso`") }
            let fabrikam = lines.first { $0.contains("sign-in `fabrikam`") }
            #expect(contoso?.hasPrefix("ok") == true && contoso?.contains(eaAccount) == true, "\(result.stdout)")
            #expect(fabrikam?.hasPrefix("ok") == true && fabrikam?.contains(Self.other) == true, "\(result.stdout)")
            #expect(lines.filter { $0.contains(" scope ") && $0.hasPrefix("ok") }.count == 3, "\(result.stdout)")
            #expect(fixture.emulator.signIns == [Self.contosoTenant: 1, Self.fabrikamTenant: 1])
            // A wrong secret: one problem, on fabrikam's line, with its fix; contoso still checked.
            let (wrong, _) = try Self.configuration(fixture, fabrikamSecret: "not-the-Secret-1b2c")
            let bad = try runCostwh(["doctor", "--config", wrong], environment: Self.environment(fixture))
            #expect(bad.status == 1)
            let badLines = bad.stdout.split(separator: "\n").map(String.init)
            #expect(badLines.first { $0.contains("sign-in `fabrikam`") }?.hasPrefix("PROBLEM") == true, "\(bad.stdout)")
            #expect(badLines.first { $0.contains("sign-in `contoso`") }?.hasPrefix("ok") == true, "\(bad.stdout)")
            #expect(!bad.stdout.contains("not-the-Secret-1b2c"))
        }
    }

    /// An EA enrollment read through the EA Reporting API with its own key, from the
    /// credential's environment variable; no key in the environment's usual place.
    @Test func anEAKeyComesFromItsCredential() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        try await Self.withTwoTenants { fixture in
            let dir = fixture.directory.path
            let config = dir + "/ea.json"
            let db = dir + "/ea.sqlite"
            try """
                {"database": "\(db)", "window": {"months": 1},
                 "credentials": {"enrollment": {"eaApiKeyEnv": "EA_KEY_ENROLLMENT_1"}},
                 "scopes": [{"scope": "\(eaAccount)", "metrics": ["actual"], "source": "ea-reporting", "credential": "enrollment"}]}
                """.write(toFile: config, atomically: true, encoding: .utf8)
            var environment = Self.environment(fixture)
            environment["COSTWH_EA_ENDPOINT"] = fixture.emulator.baseURL
            environment["EA_KEY_ENROLLMENT_1"] = fixture.emulator.configuration.eaApiKey
            let result = try runCostwh(["ingest", "--config", config], environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(!result.stderr.contains(fixture.emulator.configuration.eaApiKey))
            environment["EA_KEY_ENROLLMENT_1"] = nil
            let missing = try runCostwh(["ingest", "--config", config, "--force"], environment: environment)
            #expect(missing.status == 2, "\(missing.stderr)")
            #expect(missing.stderr.contains("credential `enrollment`") && missing.stderr.contains("EA_KEY_ENROLLMENT_1"), "\(missing.stderr)")
        }
    }

    /// One tenant's throttling does not hold up the other's scopes: partitions run at once,
    /// and each waits only on its own 429s.
    @Test func oneTenantsThrottlingDoesNotSlowTheOther() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        var faults = EmulatorFaults()
        faults.throttle = 2
        faults.throttleSeconds = 3
        faults.throttleTenant = Self.fabrikamTenant
        try await Self.withTwoTenants(faults: faults) { fixture in
            let (config, _) = try Self.configuration(fixture)
            let result = try runCostwh(["ingest", "--config", config], environment: Self.environment(fixture))
            #expect(result.status == 0, "\(result.stderr)")
            #expect(fixture.emulator.statistics["throttled"] == 2)
            let requests = fixture.emulator.requests
            let firstFabrikam = try #require(requests.first { $0.tenant == Self.fabrikamTenant }?.at)
            let lastContoso = try #require(requests.last { $0.tenant == Self.contosoTenant }?.at)
            let lastFabrikam = try #require(requests.last { $0.tenant == Self.fabrikamTenant }?.at)
            #expect(lastContoso.timeIntervalSince(firstFabrikam) < 3, "contoso waited on fabrikam's 429s")
            #expect(lastFabrikam.timeIntervalSince(firstFabrikam) >= 3, "fabrikam honoured its Retry-After")
        }
    }
}
