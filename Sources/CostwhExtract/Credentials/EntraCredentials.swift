import Foundation
import NIOHTTP1

/// Form encoding for the token endpoint.
func formEncode(_ fields: [(String, String)]) -> [UInt8] {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    let text = fields.map { key, value in
        "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
    }.joined(separator: "&")
    return Array(text.utf8)
}

/// Parses `{"access_token", "expires_in"}` (Entra) or `{"access_token", "expires_on"}` (managed identity).
func parseTokenResponse(_ result: HTTPResult, from what: String) throws(ExtractError) -> AccessToken {
    guard let object = try? JSONSerialization.jsonObject(with: Data(result.body)) as? [String: Any] else {
        throw .signIn("\(what) answered \(result.status) with a body that is not JSON")
    }
    guard result.status == 200, let token = object["access_token"] as? String, !token.isEmpty else {
        let error =
            object["error"] as? String ?? (object["error"] as? [String: Any])?["code"] as? String
            ?? "HTTP \(result.status)"
        let description =
            (object["error_description"] as? String ?? "").split(separator: "\r\n").first.map(String.init) ?? ""
        throw .signIn("\(what) refused: \(error)\(description.isEmpty ? "" : ": \(Redaction.scrub(description))")")
    }
    func number(_ key: String) -> Double? {
        if let n = object[key] as? Double { return n }
        if let n = object[key] as? Int { return Double(n) }
        if let s = object[key] as? String { return Double(s) }
        return nil
    }
    let expiresOn: Date
    if let on = number("expires_on") {
        expiresOn = Date(timeIntervalSince1970: on)
    } else if let seconds = number("expires_in") {
        expiresOn = Date().addingTimeInterval(seconds)
    } else {
        expiresOn = Date().addingTimeInterval(3600)
    }
    return try AccessToken(checking: token, expiresOn: expiresOn, from: what)
}

/// Resource Manager's token scope.
let armScope = "https://management.azure.com/.default"

/// The v2.0 client-credentials grant, with a secret or a federated assertion.
func clientCredentialsToken(
    _ transport: HTTPTransport, authorityHost: String, tenantId: String, clientId: String, proof: [(String, String)],
    name: String
) async throws(ExtractError) -> AccessToken {
    try Credentials.checkTenant(tenantId)
    let url = authorityHost.trimmingTrailingSlash() + "/\(tenantId)/oauth2/v2.0/token"
    let body = formEncode(
        [("client_id", clientId)] + proof + [("grant_type", "client_credentials"), ("scope", armScope)])
    let result = try await transport.send(
        HTTPRequestSpec(
            method: .POST, url: url, headers: ["Content-Type": "application/x-www-form-urlencoded"], body: body,
            what: "sign in as \(name)"))
    return try parseTokenResponse(result, from: "the token endpoint")
}

/// A service principal with a client secret: `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`,
/// `AZURE_CLIENT_SECRET`, via the v2.0 client-credentials grant.
package struct ClientSecretCredential: TokenCredential {
    let tenantId: String
    let clientId: String
    let clientSecret: String
    let authorityHost: String
    package var name: String { "service principal \(clientId)" }
    package var canRefresh: Bool { true }

    package init(tenantId: String, clientId: String, clientSecret: String, authorityHost: String) {
        self.tenantId = tenantId
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.authorityHost = authorityHost
    }

    package func fetchToken(_ transport: HTTPTransport) async throws(ExtractError) -> AccessToken {
        try await clientCredentialsToken(
            transport, authorityHost: authorityHost, tenantId: tenantId, clientId: clientId,
            proof: [("client_secret", clientSecret)], name: name)
    }
}

/// Workload identity: a federated token in `AZURE_FEDERATED_TOKEN_FILE`, exchanged for an
/// Entra token. The file is read on every refresh, as Kubernetes rotates it.
package struct WorkloadIdentityCredential: TokenCredential {
    let tenantId: String
    let clientId: String
    let tokenFile: String
    let authorityHost: String
    package var name: String { "workload identity \(clientId)" }
    package var canRefresh: Bool { true }

    package init(tenantId: String, clientId: String, tokenFile: String, authorityHost: String) {
        self.tenantId = tenantId
        self.clientId = clientId
        self.tokenFile = tokenFile
        self.authorityHost = authorityHost
    }

    package func fetchToken(_ transport: HTTPTransport) async throws(ExtractError) -> AccessToken {
        guard
            let assertion = try? String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(
                in: .whitespacesAndNewlines),
            !assertion.isEmpty
        else {
            throw .signIn("cannot read the federated token file \(tokenFile) (AZURE_FEDERATED_TOKEN_FILE)")
        }
        return try await clientCredentialsToken(
            transport, authorityHost: authorityHost, tenantId: tenantId, clientId: clientId,
            proof: [
                ("client_assertion", assertion),
                ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            ], name: name)
    }
}

/// Managed identity: App Service and container hosts give `IDENTITY_ENDPOINT` and
/// `IDENTITY_HEADER`; VMs answer on the instance metadata service (IMDS).
package struct ManagedIdentityCredential: TokenCredential {
    package enum Endpoint: Sendable {
        case appService(url: String, header: String)
        case imds(url: String)
    }

    let endpoint: Endpoint
    let clientId: String?
    package var name: String { "managed identity" }
    package var canRefresh: Bool { true }

    package init(endpoint: Endpoint, clientId: String?) {
        self.endpoint = endpoint
        self.clientId = clientId
    }

    package func fetchToken(_ transport: HTTPTransport) async throws(ExtractError) -> AccessToken {
        var spec: HTTPRequestSpec
        let resource = "https://management.azure.com/"
        let client = clientId.map { "&client_id=\($0)" } ?? ""
        switch endpoint {
        case .appService(let url, let header):
            spec = HTTPRequestSpec(
                url: "\(url)?api-version=2019-08-01&resource=\(resource)\(client)",
                headers: ["X-IDENTITY-HEADER": header],
                what: "get a managed identity token")
        case .imds(let url):
            spec = HTTPRequestSpec(
                url: "\(url)?api-version=2018-02-01&resource=\(resource)\(client)", headers: ["Metadata": "true"],
                what: "get a managed identity token from IMDS")
        }
        spec.url = spec.url.replacingOccurrences(
            of: "resource=https://management.azure.com/", with: "resource=https%3A%2F%2Fmanagement.azure.com%2F")
        let result = try await transport.send(spec)
        return try parseTokenResponse(result, from: "the managed identity endpoint")
    }
}

/// The Azure CLI's cached sign-in: `az account get-access-token`.
package struct AzureCLICredential: TokenCredential {
    let executable: String
    /// The tenant to ask a token of (`az … --tenant`); the CLI's default account when nil.
    let tenantId: String?
    package var name: String { "Azure CLI" }
    package var canRefresh: Bool { true }

    package init(executable: String, tenantId: String? = nil) {
        self.executable = executable
        self.tenantId = tenantId
    }

    package func fetchToken(_ transport: HTTPTransport) async throws(ExtractError) -> AccessToken {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "account", "get-access-token", "--resource", "https://management.azure.com/", "--output", "json",
        ] + (tenantId.map { ["--tenant", $0] } ?? [])
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch { throw .signIn("cannot run \(executable): \(error)") }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let token = object["accessToken"] as? String
        else {
            let hint =
                errorText.split(separator: "\n").first.map(String.init) ?? "exit status \(process.terminationStatus)"
            throw .signIn("az account get-access-token failed: \(Redaction.scrub(hint)); run `az login`")
        }
        var expiresOn = Date().addingTimeInterval(1800)
        if let posix = object["expires_on"] as? Int {
            expiresOn = Date(timeIntervalSince1970: TimeInterval(posix))
        } else if let posix = (object["expires_on"] as? String).flatMap(Double.init) {
            expiresOn = Date(timeIntervalSince1970: posix)
        }
        return AccessToken(token: token, expiresOn: expiresOn)
    }
}

extension String {
    func trimmingTrailingSlash() -> String {
        var s = self
        while s.hasSuffix("/") { s.removeLast() }
        return s
    }
}
