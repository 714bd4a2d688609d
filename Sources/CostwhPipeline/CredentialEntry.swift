import CostwhExtract
import Foundation

/// One credential of the configuration file, as written:
///
///     "contoso":  { "tenantId": "…", "clientId": "…", "clientSecretEnv": "CONTOSO_SECRET" }
///     "fabrikam": { "tenantId": "…", "clientId": "…", "clientSecretFile": "/etc/costwh/fabrikam.secret" }
///     "aks":      { "tenantId": "…", "clientId": "…", "federatedTokenFile": "/var/run/secrets/…/azure-identity-token" }
///     "vm":       { "managedIdentity": true, "clientId": "…" }
///     "cli":      { "azureCli": true, "tenantId": "…" }
///     "ea":       { "eaApiKeyEnv": "EA_KEY_ENROLLMENT_1" }
///
/// It says where a secret is kept; a secret written here is refused before anything runs.
package struct CredentialEntry: Codable, Sendable {
    package var tenantId: String?
    package var clientId: String?
    package var clientSecretEnv: String?
    package var clientSecretFile: String?
    package var federatedTokenFile: String?
    package var managedIdentity: Bool?
    package var azureCli: Bool?
    package var eaApiKeyEnv: String?
    package var eaApiKeyFile: String?
    /// Not supported: named so that it gets a clear refusal instead of being ignored.
    package var clientCertificateFile: String?

    package init() {}

    /// Keys that would hold a secret itself.
    static let secretKeys: Set<String> = [
        "clientsecret", "eaapikey", "accesstoken", "password", "secret", "apikey", "token", "clientcertificate",
    ]

    /// The path (`credentials.fabrikam.clientSecret`) of the first key anywhere in the file
    /// that holds a secret in place, if any.
    static func inlineSecret(in data: Data) -> String? {
        guard let root = try? JSONSerialization.jsonObject(with: data) else { return nil }
        func search(_ value: Any, _ path: String) -> String? {
            if let object = value as? [String: Any] {
                for key in object.keys.sorted() {
                    let here = path.isEmpty ? key : "\(path).\(key)"
                    if secretKeys.contains(key.lowercased()), let text = object[key] as? String, !text.isEmpty {
                        return here
                    }
                    if let found = search(object[key]!, here) { return found }
                }
            } else if let array = value as? [Any] {
                for (i, item) in array.enumerated() {
                    if let found = search(item, "\(path)[\(i)]") { return found }
                }
            }
            return nil
        }
        return search(root, "")
    }

    /// The credential this entry describes, checked.
    func spec(name: String, path: String) throws(PipelineError) -> CredentialSpec {
        let here = "\(path): credential `\(name)`"
        if clientCertificateFile != nil {
            throw .usage(
                "\(here): certificates (clientCertificateFile) are not supported yet; use clientSecretEnv, clientSecretFile, federatedTokenFile or managedIdentity"
            )
        }
        var ways: [CredentialSpec.SignIn] = []
        let secrets = [clientSecretEnv, clientSecretFile].compactMap { $0 }
        if secrets.count > 1 { throw .usage("\(here): give clientSecretEnv or clientSecretFile, not both") }
        if let secret = secrets.first {
            let (tenant, client) = try ids(here)
            ways.append(
                .clientSecret(
                    tenantId: tenant, clientId: client,
                    secret: clientSecretEnv != nil ? .environment(secret) : .file(try privateFile(secret, here))))
        }
        if let file = federatedTokenFile {
            let (tenant, client) = try ids(here)
            ways.append(.federatedToken(tenantId: tenant, clientId: client, tokenFile: file))
        }
        if managedIdentity == true { ways.append(.managedIdentity(clientId: clientId)) }
        if azureCli == true { ways.append(.azureCLI(tenantId: tenantId)) }
        if ways.count > 1 {
            throw .usage(
                "\(here): name one way to sign in (a client secret, a federated token, managedIdentity or azureCli), not \(ways.count)")
        }
        let keys = [eaApiKeyEnv, eaApiKeyFile].compactMap { $0 }
        if keys.count > 1 { throw .usage("\(here): give eaApiKeyEnv or eaApiKeyFile, not both") }
        var ea: CredentialSpec.Secret?
        if let env = eaApiKeyEnv { ea = .environment(env) }
        if let file = eaApiKeyFile { ea = .file(try privateFile(file, here)) }
        guard !ways.isEmpty || ea != nil else {
            throw .usage(
                "\(here) says no way to sign in: give tenantId and clientId with clientSecretEnv, clientSecretFile or federatedTokenFile; or managedIdentity, azureCli or eaApiKeyEnv"
            )
        }
        return CredentialSpec(name: name, signIn: ways.first, eaApiKey: ea)
    }

    private func ids(_ here: String) throws(PipelineError) -> (String, String) {
        guard let tenant = tenantId, !tenant.isEmpty, let client = clientId, !client.isEmpty else {
            throw .usage("\(here): a client secret or federated token needs tenantId and clientId")
        }
        return (tenant, client)
    }

    /// A secret file must be a regular file only its owner can read.
    private func privateFile(_ file: String, _ here: String) throws(PipelineError) -> String {
        if let problem = CredentialSpec.exposure(of: file) { throw .usage("\(here): \(problem)") }
        return file
    }
}

extension ExtractSettings {
    /// Takes the configuration's named credentials and which scope uses which; checked
    /// (exit 64 on a secret in the file, a shared secret file, an unknown name).
    package mutating func useCredentials(of configuration: IngestConfiguration, path: String) throws(PipelineError) {
        credentials = try configuration.credentialSpecs(path: path)
        scopeCredentials = configuration.scopeCredentials()
    }
}
