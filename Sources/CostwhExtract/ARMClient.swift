import CostwhModel
import Foundation
import Logging
import NIOHTTP1

/// Resource Manager calls with a bearer token: refreshes it once on a 401, and turns
/// Azure's errors into messages that name the scope and say what to check.
package final class ARMClient: Sendable {
    package let transport: HTTPTransport
    package let tokens: TokenCache
    /// `https://management.azure.com`, or a sovereign cloud or the emulator.
    package let endpoint: String
    let logger: Logger

    package static let defaultEndpoint = "https://management.azure.com"
    package static let clientType = "costwh/\(CostwhVersion.current)"

    package init(transport: HTTPTransport, tokens: TokenCache, endpoint: String, logger: Logger) throws(ExtractError) {
        try HTTPTransport.checkSafe(url: endpoint)
        self.transport = transport
        self.tokens = tokens
        self.endpoint = endpoint.trimmingTrailingSlash()
        self.logger = logger
    }

    /// Sends a request with the current token; on 401 gets a fresh one and tries once more.
    package func send(_ spec: HTTPRequestSpec, scope: Scope) async throws(ExtractError) -> HTTPResult {
        try HTTPTransport.checkSameOrigin(spec.url, as: endpoint, credential: "Azure token")
        var request = spec
        // Cost Management accounts its query quotas per client type (the
        // `x-ms-ratelimit-microsoft.costmanagement-clienttype-*` headers): name costwh, so that
        // its requests are not counted as the portal's or another tool's.
        request.headers.replaceOrAdd(name: "ClientType", value: ARMClient.clientType)
        request.headers.replaceOrAdd(name: "Authorization", value: "Bearer " + (try await tokens.token(transport)))
        var result = try await transport.send(request)
        if result.status == 401 && tokens.credential.canRefresh {
            logger.info("token refused; getting a fresh one", metadata: ["request": "\(spec.what)"])
            request.headers.replaceOrAdd(
                name: "Authorization", value: "Bearer " + (try await tokens.token(transport, forceRefresh: true)))
            result = try await transport.send(request)
        }
        if [400, 401, 403, 404, 409, 413].contains(result.status) {
            throw ARMClient.error(result, scope: scope, what: spec.what)
        }
        return result
    }

    static func error(_ result: HTTPResult, scope: Scope, what: String) -> ExtractError {
        let parsed = AzureErrorBody.parse(result.body)
        let message: String
        if let parsed {
            message = parsed.message
        } else {
            let text = Redaction.scrub(result.text.trimmingCharacters(in: .whitespacesAndNewlines))
            message = text.isEmpty ? "(no body)" : String(text.prefix(300))
        }
        let hint: String
        switch result.status {
        case 400:
            hint = "Check the date range (at most one month, no older than 13 months) and the options for \(scope.id)"
        case 401: hint = "The sign-in was refused twice; check the credentials and the tenant"
        case 403:
            hint =
                "The identity lacks a cost-reading role on \(scope.id) (Cost Management Reader, EA enrollment reader or billing profile reader)"
        case 404: hint = "Check the scope id \(scope.id): Azure does not know it"
        case 413: hint = "The report is larger than 2 GB; use Cost Management Exports or request a smaller range"
        default: hint = "While trying to \(what)"
        }
        return .azure(status: result.status, code: parsed?.code ?? "", message: message, hint: hint)
    }
}
