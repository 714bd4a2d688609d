import Foundation

/// Chooses how to sign in, in the order Azure's SDKs use, from the standard environment
/// variables: an explicit token, a service principal, workload identity, managed
/// identity, then the Azure CLI.
package enum Credentials {
    package static let defaultAuthorityHost = "https://login.microsoftonline.com"

    package static func chain(
        explicitToken: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ExtractError) -> any TokenCredential {
        if let explicitToken, !explicitToken.isEmpty { return StaticTokenCredential(token: explicitToken) }
        if let token = environment["COSTWH_ACCESS_TOKEN"], !token.isEmpty { return StaticTokenCredential(token: token) }
        let authority = environment["AZURE_AUTHORITY_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultAuthorityHost
        try HTTPTransport.checkSafe(url: authority)
        let tenant = environment["AZURE_TENANT_ID"] ?? ""
        let client = environment["AZURE_CLIENT_ID"] ?? ""
        if !tenant.isEmpty, !client.isEmpty, let secret = environment["AZURE_CLIENT_SECRET"], !secret.isEmpty {
            return ClientSecretCredential(
                tenantId: tenant, clientId: client, clientSecret: secret, authorityHost: authority)
        }
        if !tenant.isEmpty, !client.isEmpty, let file = environment["AZURE_FEDERATED_TOKEN_FILE"], !file.isEmpty {
            return WorkloadIdentityCredential(
                tenantId: tenant, clientId: client, tokenFile: file, authorityHost: authority)
        }
        if let endpoint = environment["IDENTITY_ENDPOINT"], !endpoint.isEmpty,
            let header = environment["IDENTITY_HEADER"]
        {
            try HTTPTransport.checkSafe(url: endpoint)
            return ManagedIdentityCredential(
                endpoint: .appService(url: endpoint, header: header), clientId: client.isEmpty ? nil : client)
        }
        // IMDS is only reachable on an Azure VM; costwh does not probe it unasked.
        if environment["COSTWH_USE_IMDS"] == "1" {
            return ManagedIdentityCredential(
                endpoint: .imds(url: "http://169.254.169.254/metadata/identity/oauth2/token"),
                clientId: client.isEmpty ? nil : client)
        }
        let path = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        if let az = path.map({ "\($0)/az" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
            return AzureCLICredential(executable: az)
        }
        throw .signIn(
            "no credentials found. Give a token (--access-token-file or COSTWH_ACCESS_TOKEN), a service principal "
                + "(AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET), workload identity (AZURE_FEDERATED_TOKEN_FILE), "
                + "managed identity (IDENTITY_ENDPOINT, or COSTWH_USE_IMDS=1 on an Azure VM), or sign in with `az login`"
        )
    }

    static func checkTenant(_ tenant: String) throws(ExtractError) {
        let ok =
            !tenant.isEmpty
            && tenant.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D
                    || b == 0x2E
            }
        guard ok else { throw .signIn("AZURE_TENANT_ID `\(tenant)` is not a tenant id or domain") }
    }
}
