import CostwhExtract
import CostwhLoad
import CostwhModel
import CostwhPostgres
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// One finding of `costwh doctor`: what was checked, how it went, and for a problem the
/// one thing to do about it.
package struct DoctorCheck: Sendable {
    package enum Outcome: String, Sendable {
        case ok, warning, problem
    }

    package let check: String
    package let outcome: Outcome
    package let detail: String
    package let fix: String?

    init(_ check: String, _ outcome: Outcome, _ detail: String, fix: String? = nil) {
        self.check = check
        self.outcome = outcome
        self.detail = detail
        self.fix = fix
    }
}

package struct DoctorOptions: Sendable {
    package var databasePath: String
    package var scopes: [Scope]
    package var settings: ExtractSettings
    /// More clock skew than this against Azure's `Date` header is a problem: tokens carry
    /// not-before and expiry times, and Azure refuses them past about 5 minutes.
    package var maxClockSkew: TimeInterval = 120

    package init(databasePath: String, scopes: [Scope], settings: ExtractSettings) {
        self.databasePath = databasePath
        self.scopes = scopes
        self.settings = settings
    }
}

/// `costwh doctor`: checks a configuration the way an operator would before the first
/// night: sign-in, a cheap read of every scope, the clock, the database and the disk.
package enum Doctor {
    package static func run(_ options: DoctorOptions, logger: Logger) async -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        let session = ExtractSession(settings: options.settings, logger: logger)
        checks += await azure(options, session: session)
        await session.shutdown()
        checks += database(options.databasePath)
        return checks
    }

    // MARK: Azure

    static func azure(_ options: DoctorOptions, session: ExtractSession) async -> [DoctorCheck] {
        // Scopes grouped by the credential they use, in the order they are named: each
        // credential signs in once, and its scopes are read with it.
        var groups: [(name: String?, scopes: [Scope])] = []
        for scope in options.scopes {
            let name = options.settings.scopeCredentials[scope.id]
            if let i = groups.firstIndex(where: { $0.name == name }) {
                groups[i].scopes.append(scope)
            } else {
                groups.append((name, [scope]))
            }
        }
        if groups.isEmpty { groups = [(nil, [])] }
        var checks: [DoctorCheck] = []
        var skew: TimeInterval?
        for group in groups {
            let state = group.name.map { session.signIn(named: $0) } ?? session.signIn(for: nil)
            let label = group.name.map { "sign-in `\($0)`" } ?? "sign-in"
            let used = group.scopes.isEmpty ? "" : " (for \(group.scopes.map(\.id).joined(separator: ", ")))"
            let kind = group.name.flatMap { options.settings.credentials[$0]?.kind }
            guard let arm = state.arm, let tokens = state.tokens else {
                let why = state.problem?.description ?? "no credentials"
                checks.append(
                    DoctorCheck(
                        label, .problem, why + used,
                        fix: group.name == nil
                            ? "set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or a federated token file, a managed identity, COSTWH_ACCESS_TOKEN), or run `az login`"
                            : "check credential `\(group.name!)` in the configuration: its secret's environment variable or 0600 file, its tenant and client ids"
                    ))
                continue
            }
            do {
                _ = try await tokens.token(session.transport)
                checks.append(
                    DoctorCheck(label, .ok, "signed in with the \(kind ?? tokens.credential.name)\(used)"))
            } catch {
                checks.append(
                    DoctorCheck(
                        label, .problem, "the \(kind ?? tokens.credential.name) was refused: \(error.description)\(used)",
                        fix: group.name == nil
                            ? signInFix(tokens.credential)
                            : "check credential `\(group.name!)`: its tenant and client ids, and its secret (it may have expired)"
                    ))
                continue
            }
            for scope in group.scopes {
                checks.append(await read(scope, with: arm, options, skew: &skew))
            }
        }
        if let skew {
            let seconds = Int(skew.rounded())
            let text =
                seconds == 0
                ? "in step with Azure's" : "\(abs(seconds)) s \(seconds > 0 ? "ahead of" : "behind") Azure's"
            if abs(skew) > options.maxClockSkew {
                checks.append(
                    DoctorCheck(
                        "clock", .problem, "this machine's clock is \(text) (Date header)",
                        fix:
                            "synchronise the clock (`timedatectl set-ntp true`, or chrony): tokens are refused past a few minutes of skew"
                    ))
            } else {
                checks.append(DoctorCheck("clock", .ok, "this machine's clock is \(text) (Date header)"))
            }
        } else if !options.scopes.isEmpty {
            checks.append(DoctorCheck("clock", .warning, "no Azure answer carried a Date header to compare with"))
        }
        return checks
    }

    /// The cheap read of a scope (its exports list) with the scope's own sign-in; the first
    /// answer's `Date` header also gives Azure's clock.
    static func read(
        _ scope: Scope, with arm: ARMClient, _ options: DoctorOptions, skew: inout TimeInterval?
    ) async -> DoctorCheck {
        let url =
            arm.endpoint + scope.id + "/providers/Microsoft.CostManagement/exports?api-version="
            + options.settings.apiVersion
        let spec = HTTPRequestSpec(url: url, what: "list the exports of \(scope.id)")
        let started = Date()
        do {
            let result = try await arm.send(spec, scope: scope)
            if skew == nil, let date = result.headers.first(name: "Date").flatMap(HTTPDate.parse) {
                // Azure's clock, against ours half-way through the request.
                skew = started.addingTimeInterval(Date().timeIntervalSince(started) / 2).timeIntervalSince(date)
            }
            guard (200..<300).contains(result.status) else {
                return DoctorCheck(
                    "scope \(scope.id)", .problem, "a read answered HTTP \(result.status)",
                    fix: "try again later; if it persists, check Azure's service health")
            }
            return DoctorCheck("scope \(scope.id)", .ok, "answers a read (HTTP \(result.status))")
        } catch {
            return DoctorCheck("scope \(scope.id)", .problem, error.description, fix: scopeFix(error, scope))
        }
    }

    static func signInFix(_ credential: any TokenCredential) -> String {
        switch credential {
        case is StaticTokenCredential:
            return "the token has expired or is wrong: get a new one (`az account get-access-token`)"
        case is AzureCLICredential: return "run `az login` as the user the job runs as"
        case is ManagedIdentityCredential:
            return "check that the identity is assigned to this machine and that AZURE_CLIENT_ID names it"
        default:
            return "check AZURE_TENANT_ID, AZURE_CLIENT_ID and the secret or federated token; a secret may have expired"
        }
    }

    static func scopeFix(_ error: ExtractError, _ scope: Scope) -> String {
        if case .azure(let status, _, _, _) = error {
            switch status {
            case 403:
                return
                    "grant the identity Cost Management Reader on \(scope.id) (for billing scopes: an enrollment, billing account or billing profile reader role)"
            case 404: return "check the scope id: Azure does not know \(scope.id)"
            case 401: return "the sign-in was refused for this scope: check the tenant"
            default: break
            }
        }
        if case .gaveUp = error { return "Azure kept throttling or failing: try again later, with fewer parallel jobs" }
        return "check the network path to Azure Resource Manager (proxy, firewall, DNS)"
    }

    // MARK: database and disk

    static func database(_ location: String) -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        let shown = DatabaseLocation.printable(location)
        let store: any CostStore
        do {
            store = try DatabaseLocation.open(location)
        } catch {
            return [
                DoctorCheck(
                    "database", .problem, "cannot open \(shown) for writing: \(error.description)",
                    fix: PostgresLocation.matches(location)
                        ? "check the URL, the password (PGPASSWORD or the password file) and the role's rights"
                        : "check that the folder exists and this user may write to it")
            ]
        }
        do {
            // A real write: the time of this check, kept as a setting.
            try store.setSetting("doctorCheckedAt", to: Ledger.now())
            checks.append(DoctorCheck("database", .ok, "\(shown) is writable"))
        } catch {
            checks.append(
                DoctorCheck(
                    "database", .problem, "\(shown) cannot be written: \(error)",
                    fix: "check the file's owner and mode, or the role's rights"))
        }
        guard !PostgresLocation.matches(location) else { return checks }
        checks.append(permissions(location))
        checks.append(disk(location, store: store))
        return checks
    }

    /// Cost data is confidential: the database file is its owner's alone.
    static func permissions(_ path: String) -> DoctorCheck {
        var info = stat()
        guard stat(path, &info) == 0 else { return DoctorCheck("permissions", .warning, "cannot stat \(path)") }
        let mode = Int(info.st_mode) & 0o777
        if mode & 0o077 != 0 {
            return DoctorCheck(
                "permissions", .problem, "\(path) has mode \(String(mode, radix: 8)): others can read cost data",
                fix: "chmod 600 \(path)")
        }
        return DoctorCheck("permissions", .ok, "\(path) has mode \(String(mode, radix: 8))")
    }

    /// A reload needs room for the downloaded report (about 1 KB per row) and for the new
    /// rows beside the old ones until it commits.
    static func disk(_ path: String, store: any CostStore) -> DoctorCheck {
        let folder =
            (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        var fs = statvfs()
        guard statvfs(folder, &fs) == 0 else {
            return DoctorCheck("disk", .warning, "cannot read the free space of \(folder)")
        }
        let free = Double(fs.f_bavail) * Double(fs.f_frsize)
        let size = Double((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
        let stats = try? store.reading {
            try $0.read(
                """
                SELECT COALESCE(MAX(RowsRead), 0) AS largest,
                       (SELECT COALESCE(SUM(RowsLoaded), 0) FROM loads l JOIN partitions p ON p.LoadId = l.LoadId) AS kept
                FROM (SELECT RowsRead FROM loads WHERE Status IN ('succeeded', 'unchanged') ORDER BY LoadId DESC LIMIT 50)
                """, [:])
        }
        let largest = stats?.rows.first?[0].double ?? 0
        let kept = stats?.rows.first?[1].double ?? 0
        let perRow = kept > 0 ? size / kept : 200
        let needed = largest * (1_000 + 2 * perRow)
        func gib(_ bytes: Double) -> String { String(format: "%.1f GiB", bytes / 1_073_741_824) }
        if largest == 0 {
            return free < 1_073_741_824
                ? DoctorCheck(
                    "disk", .warning, "\(gib(free)) free beside the database, and no loads yet to size a night by",
                    fix: "a 1 M-row month needs about 1.2 GiB while it loads: free some space")
                : DoctorCheck("disk", .ok, "\(gib(free)) free beside the database (no loads yet)")
        }
        let detail =
            "\(gib(free)) free; the largest recent load (\(Int(largest)) rows) needs about \(gib(needed)) while it loads"
        if free < needed {
            return DoctorCheck("disk", .problem, detail, fix: "free space in \(folder) or move the database")
        }
        return DoctorCheck("disk", free < 3 * needed ? .warning : .ok, detail)
    }
}
