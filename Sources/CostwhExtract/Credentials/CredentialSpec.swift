import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A named way of signing in, as the configuration describes it: where its secret is kept,
/// never the secret itself. Built once at the edge (the CLI, from the configuration) and
/// turned into a credential by the run that uses it, which reads the secret then.
package struct CredentialSpec: Sendable, Equatable {
    /// Where a secret is: an environment variable or a file only its owner can read.
    package enum Secret: Sendable, Equatable {
        case environment(String)
        case file(String)

        var place: String {
            switch self {
            case .environment(let name): return "the environment variable \(name)"
            case .file(let path): return "the file \(path)"
            }
        }
    }

    /// How the credential signs in to Azure Resource Manager.
    package enum SignIn: Sendable, Equatable {
        case clientSecret(tenantId: String, clientId: String, secret: Secret)
        case federatedToken(tenantId: String, clientId: String, tokenFile: String)
        case managedIdentity(clientId: String?)
        case azureCLI(tenantId: String?)
    }

    /// The configuration's name for it (`contoso`): what messages say, never the secret.
    package let name: String
    package var signIn: SignIn?
    /// The EA Reporting API key, for scopes read through that API.
    package var eaApiKey: Secret?

    package init(name: String, signIn: SignIn?, eaApiKey: Secret? = nil) {
        self.name = name
        self.signIn = signIn
        self.eaApiKey = eaApiKey
    }

    /// The tenant the credential signs in to, when it names one.
    package var tenantId: String? {
        switch signIn {
        case .clientSecret(let tenant, _, _), .federatedToken(let tenant, _, _): return tenant
        case .azureCLI(let tenant): return tenant
        case .managedIdentity, nil: return nil
        }
    }

    /// A short description for `doctor`: what kind of credential, never a secret.
    package var kind: String {
        switch signIn {
        case .clientSecret(_, _, let secret):
            if case .file = secret { return "service principal, secret in a file" }
            return "service principal, secret in the environment"
        case .federatedToken: return "workload identity (federated token)"
        case .managedIdentity: return "managed identity"
        case .azureCLI: return "Azure CLI"
        case nil: return eaApiKey == nil ? "nothing" : "EA API key only"
        }
    }

    /// The credential that signs in, reading its secret now.
    package func tokenCredential(
        environment: [String: String], authorityHost: String = Credentials.defaultAuthorityHost
    ) throws(ExtractError) -> any TokenCredential {
        guard let signIn else {
            throw .signIn("credential `\(name)` has no way to sign in to Azure (it holds only an EA API key)")
        }
        switch signIn {
        case .clientSecret(let tenant, let client, let secret):
            try Credentials.checkTenant(tenant)
            return ClientSecretCredential(
                tenantId: tenant, clientId: client, clientSecret: try read(secret, environment: environment, what: "client secret"),
                authorityHost: authorityHost)
        case .federatedToken(let tenant, let client, let file):
            try Credentials.checkTenant(tenant)
            return WorkloadIdentityCredential(tenantId: tenant, clientId: client, tokenFile: file, authorityHost: authorityHost)
        case .managedIdentity(let client):
            if let endpoint = environment["IDENTITY_ENDPOINT"], !endpoint.isEmpty, let header = environment["IDENTITY_HEADER"] {
                try HTTPTransport.checkSafe(url: endpoint)
                return ManagedIdentityCredential(endpoint: .appService(url: endpoint, header: header), clientId: client)
            }
            return ManagedIdentityCredential(
                endpoint: .imds(url: "http://169.254.169.254/metadata/identity/oauth2/token"), clientId: client)
        case .azureCLI(let tenant):
            if let tenant { try Credentials.checkTenant(tenant) }
            let path = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            guard let az = path.map({ "\($0)/az" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
                throw .signIn("credential `\(name)` uses the Azure CLI, and no `az` is on the PATH")
            }
            return AzureCLICredential(executable: az, tenantId: tenant)
        }
    }

    /// The EA API key, read now; nil when the credential has none.
    package func eaKey(environment: [String: String]) throws(ExtractError) -> String? {
        guard let eaApiKey else { return nil }
        return try read(eaApiKey, environment: environment, what: "EA API key")
    }

    private func read(_ secret: Secret, environment: [String: String], what: String) throws(ExtractError) -> String {
        switch secret {
        case .environment(let variable):
            guard let value = environment[variable]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
                throw .signIn("credential `\(name)`: its \(what) is to be in \(secret.place), which is not set")
            }
            return value
        case .file(let path):
            if let problem = CredentialSpec.exposure(of: path) {
                throw .signIn("credential `\(name)`: \(problem)")
            }
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw .signIn("credential `\(name)`: cannot read its \(what) from \(secret.place)")
            }
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else { throw .signIn("credential `\(name)`: \(secret.place) is empty") }
            return value
        }
    }

    /// Why a secret file may not be used: missing, not a regular file, or readable by group
    /// or others (a secret there is already out). Nil when it is private to its owner.
    package static func exposure(of path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return "the secret file \(path) does not exist or cannot be read" }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return "the secret file \(path) is not a regular file" }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            return "the secret file \(path) can be read by others (mode \(String(mode, radix: 8))): run `chmod 600 \(path)`"
        }
        return nil
    }
}
