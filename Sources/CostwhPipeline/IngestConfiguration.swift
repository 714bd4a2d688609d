import CostwhExtract
import CostwhModel
import Foundation

/// The nightly job's configuration file (JSON). Flags and environment variables override it.
///
///     {
///       "database": "/var/lib/costwh/costwh.sqlite",
///       "armEndpoint": "https://management.azure.com",
///       "apiVersion": "2025-03-01",
///       "window": { "months": 2, "settleDays": 10 },
///       "skipHours": 20,
///       "maxRejectedPercent": 1,
///       "scopes": [
///         { "scope": "/providers/Microsoft.Billing/billingAccounts/8611537", "name": "Contoso EA",
///           "metrics": ["actual", "amortized"] },
///         { "scope": "/subscriptions/…", "metrics": ["actual"], "source": "usage-details" }
///       ]
///     }
package struct IngestConfiguration: Codable, Sendable {
    package struct ScopeEntry: Codable, Sendable {
        package var scope: String
        /// What tables and reports call the scope instead of its long id.
        package var name: String?
        package var metrics: [String]?
        package var source: SourceKind?
        /// What to load for the scope (default cost details only): `cost-details`,
        /// `price-sheet`, `reservation-transactions`, `reservation-details`,
        /// `balance-summary`, `marketplace`, `billing-periods`.
        package var datasets: [String]?
        /// The name of the credential (in `credentials`) the scope signs in with; the
        /// environment's chain when nil.
        package var credential: String?

        package init(
            scope: String, name: String? = nil, metrics: [String]? = nil, source: SourceKind? = nil,
            datasets: [String]? = nil, credential: String? = nil
        ) {
            self.scope = scope
            self.name = name
            self.metrics = metrics
            self.source = source
            self.datasets = datasets
            self.credential = credential
        }

        func parsedDatasets() throws(PipelineError) -> [Dataset] {
            var out: [Dataset] = []
            for text in datasets ?? [Dataset.costDetails.rawValue] {
                do { out.append(try Dataset(parsing: text)) } catch {
                    throw .usage("scope \(scope): \(error.description)")
                }
            }
            var seen = Set<Dataset>()
            return out.filter { seen.insert($0).inserted }
        }
    }

    package struct Window: Codable, Sendable {
        /// Months reloaded: the current one and the ones before it (default 2).
        package var months: Int?
        /// A past month is reloaded until this many days after it ends, while Azure may
        /// still restate it (default 10).
        package var settleDays: Int?

        package init(months: Int? = nil, settleDays: Int? = nil) {
            self.months = months
            self.settleDays = settleDays
        }
    }

    package var database: String?
    package var armEndpoint: String?
    package var apiVersion: String?
    package var eaEndpoint: String?
    package var skipHours: Double?
    package var maxRejectedPercent: Double?
    package var window: Window?
    /// Partitions extracted at a time (one loads while the others wait for Azure or download).
    package var parallel: Int?
    /// A Parquet lake (`costwh export`) kept current after each run.
    package var export: String?
    /// Named credentials (`"credentials": {"contoso": {...}}`): where each keeps its secret,
    /// never the secret itself.
    package var credentials: [String: CredentialEntry]?
    package var scopes: [ScopeEntry]

    package init(scopes: [ScopeEntry]) {
        self.scopes = scopes
    }

    package static func load(path: String) throws(PipelineError) -> IngestConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .usage("cannot read the configuration file \(path)")
        }
        if let secret = CredentialEntry.inlineSecret(in: data) {
            throw .usage(
                "\(path): `\(secret)` holds a secret, and secrets never go in the configuration file. Keep it in an environment variable (clientSecretEnv, eaApiKeyEnv), in a file only the job's user can read (clientSecretFile, eaApiKeyFile, chmod 600), or sign in without one (federatedTokenFile, managedIdentity, azureCli)"
            )
        }
        let configuration: IngestConfiguration
        do {
            configuration = try JSONDecoder().decode(IngestConfiguration.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw .usage(
                "\(path): missing `\(key.stringValue)` at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
            )
        } catch let DecodingError.typeMismatch(_, context) {
            throw .usage(
                "\(path): wrong type at `\(context.codingPath.map(\.stringValue).joined(separator: "."))`: \(context.debugDescription)"
            )
        } catch let DecodingError.dataCorrupted(context) {
            throw .usage(
                "\(path): \(context.debugDescription) \(context.codingPath.map(\.stringValue).joined(separator: "."))")
        } catch {
            throw .usage("\(path): \(error)")
        }
        _ = try configuration.credentialSpecs(path: path)
        return configuration
    }

    /// The named credentials, checked: each says one way to sign in, its secret files are
    /// private to their owner, and every scope's credential exists.
    package func credentialSpecs(path: String = "the configuration") throws(PipelineError) -> [String: CredentialSpec] {
        var out: [String: CredentialSpec] = [:]
        for (name, entry) in credentials ?? [:] {
            out[name] = try entry.spec(name: name, path: path)
        }
        for entry in scopes {
            if let name = entry.credential, out[name] == nil {
                throw .usage("\(path): scope \(entry.scope) names the credential `\(name)`, which `credentials` does not define")
            }
        }
        return out
    }

    /// Which credential each scope (by canonical id) uses, where it names one.
    package func scopeCredentials() -> [String: String] {
        var out: [String: String] = [:]
        for entry in scopes {
            guard let name = entry.credential, let scope = try? Scope(parsing: entry.scope) else { continue }
            out[scope.id] = name
        }
        return out
    }

    /// The scopes' `name`s by canonical scope id, for tables and reports.
    package func scopeNames() -> [String: String] {
        var names: [String: String] = [:]
        for entry in scopes {
            guard let name = entry.name, !name.isEmpty, let scope = try? Scope(parsing: entry.scope) else { continue }
            names[scope.id] = name
        }
        return names
    }

    /// Every (scope, metric, source) of cost details the file names, validated.
    func targets() throws(PipelineError) -> [(Scope, Metric, SourceKind)] {
        guard !scopes.isEmpty else { throw .usage("the configuration names no scopes") }
        var out: [(Scope, Metric, SourceKind)] = []
        for entry in scopes where try entry.parsedDatasets().contains(.costDetails) {
            let scope = try Scope.parse(entry.scope)
            for metric in try Metrics.parse(entry.metrics ?? ["actual", "amortized"]) {
                out.append((scope, metric, entry.source ?? .costDetails))
            }
        }
        return out
    }

    /// Every scope the file names, validated, in its order.
    package func parsedScopes() throws(PipelineError) -> [Scope] {
        guard !scopes.isEmpty else { throw .usage("the configuration names no scopes") }
        var out: [Scope] = []
        for entry in scopes { out.append(try Scope.parse(entry.scope)) }
        return out
    }

    /// Every (scope, dataset) besides cost details the file names.
    func datasetTargets() throws(PipelineError) -> [(Scope, Dataset)] {
        var out: [(Scope, Dataset)] = []
        for entry in scopes {
            let scope = try Scope.parse(entry.scope)
            for dataset in try entry.parsedDatasets() where dataset != .costDetails { out.append((scope, dataset)) }
        }
        return out
    }
}

enum Metrics {
    /// `actual`, `amortized` or `both`.
    static func parse(_ texts: [String]) throws(PipelineError) -> [Metric] {
        var out: [Metric] = []
        for text in texts {
            if text.lowercased() == "both" {
                out += [.actualCost, .amortizedCost]
            } else {
                out.append(try Metric.parse(text))
            }
        }
        var seen = Set<Metric>()
        return out.filter { seen.insert($0).inserted }
    }
}
