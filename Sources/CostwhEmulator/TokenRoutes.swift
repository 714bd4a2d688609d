import Foundation

extension AzureEmulator {
    /// Issues a token valid for the configured lifetime.
    func issueToken(tenant: String? = nil) -> (token: String, lifetime: Int) {
        let token = Random.token("emu-token-")
        let lifetime = configuration.faults.tokenLifetime
        let tenant = tenant ?? configuration.tenantId
        state.state.withLock {
            $0.tokens[token] = Date().addingTimeInterval(TimeInterval(lifetime))
            $0.tokenTenants[token] = tenant
            $0.signIns[tenant, default: 0] += 1
            $0.counters.tokensIssued += 1
        }
        return (token, lifetime)
    }

    /// The service principal of a tenant the emulator serves.
    func principal(of tenant: String) -> (clientId: String, clientSecret: String)? {
        if tenant == configuration.tenantId { return (configuration.clientId, configuration.clientSecret) }
        return configuration.tenants.first { $0.tenantId == tenant }.map { ($0.clientId, $0.clientSecret) }
    }

    /// The tenant a request's scope belongs to.
    func tenant(ofPath path: String) -> String {
        let lower = path.lowercased()
        for tenant in configuration.tenants
        where tenant.scopes.contains(where: { lower.hasPrefix($0.lowercased() + "/") || lower == $0.lowercased() }) {
            return tenant.tenantId
        }
        return configuration.tenantId
    }

    /// The Microsoft Entra v2.0 token endpoint: client credentials with a secret, or with
    /// a federated assertion (workload identity).
    func tokenEndpoint(_ request: EmulatorRequest) -> EmulatorResponse {
        state.count("token")
        let form = request.form
        let tenant = request.path.split(separator: "/").first.map(String.init) ?? ""
        guard form["grant_type"] == "client_credentials" else {
            return .json(
                .badRequest,
                [
                    "error": "unsupported_grant_type",
                    "error_description": "AADSTS70003: grant_type must be client_credentials",
                ])
        }
        guard let principal = principal(of: tenant) else {
            return .json(
                .badRequest,
                ["error": "invalid_request", "error_description": "AADSTS90002: Tenant '\(tenant)' not found."])
        }
        guard form["client_id"] == principal.clientId else {
            return .json(
                .badRequest,
                [
                    "error": "unauthorized_client",
                    "error_description": "AADSTS700016: Application not found in the directory.",
                ])
        }
        let secretOK = form["client_secret"] == principal.clientSecret
        let assertionOK =
            form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            && !(form["client_assertion"] ?? "").isEmpty
        guard secretOK || assertionOK else {
            return .json(
                .unauthorized,
                ["error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."])
        }
        guard form["scope"] == "https://management.azure.com/.default" else {
            return .json(
                .badRequest,
                ["error": "invalid_scope", "error_description": "AADSTS70011: The provided scope is not valid."])
        }
        let (token, lifetime) = issueToken(tenant: tenant)
        return .json(
            .ok, ["token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": token])
    }

    /// The OpenID discovery document of a tenant, which MSAL-based clients (azure-identity)
    /// read before they sign in; its endpoints point back at the emulator.
    func openIDConfiguration(_ request: EmulatorRequest) -> EmulatorResponse {
        state.count("openid-configuration")
        let tenant = request.path.split(separator: "/").first.map(String.init) ?? ""
        guard principal(of: tenant) != nil || tenant == "organizations" || tenant == "common" else {
            return .json(
                .badRequest,
                ["error": "invalid_tenant", "error_description": "AADSTS90002: Tenant '\(tenant)' not found."])
        }
        let base = "\(request.base)/\(tenant)"
        return .json(
            .ok,
            [
                "issuer": "\(base)/v2.0",
                "token_endpoint": "\(base)/oauth2/v2.0/token",
                "authorization_endpoint": "\(base)/oauth2/v2.0/authorize",
                "device_authorization_endpoint": "\(base)/oauth2/v2.0/devicecode",
                "jwks_uri": "\(base)/discovery/v2.0/keys",
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "tenant_region_scope": "NA",
            ])
    }

    /// IMDS and App Service managed identity (`Metadata: true` or `X-IDENTITY-HEADER`).
    func managedIdentityEndpoint(_ request: EmulatorRequest) -> EmulatorResponse {
        state.count("managed-identity")
        guard
            request.headers.first(name: "Metadata") == "true" || request.headers.first(name: "X-IDENTITY-HEADER") != nil
        else {
            return .json(
                .badRequest,
                ["error": "invalid_request", "error_description": "Required metadata header not specified"])
        }
        let resource = request.query["resource"] ?? ""
        guard resource.hasPrefix("https://management.azure.com") else {
            return .json(
                .badRequest,
                [
                    "error": "invalid_resource",
                    "error_description": "the resource must be https://management.azure.com/",
                ])
        }
        let (token, lifetime) = issueToken()
        let expiresOn = Int(Date().timeIntervalSince1970) + lifetime
        return .json(
            .ok,
            [
                "access_token": token, "expires_on": String(expiresOn), "expires_in": String(lifetime),
                "resource": resource, "token_type": "Bearer",
            ])
    }

    /// Runs `route` when the bearer token is valid; otherwise answers 401 as ARM does.
    func authorized(_ request: EmulatorRequest, _ route: () -> EmulatorResponse) -> EmulatorResponse {
        guard let token = request.bearer else {
            return .error(
                .unauthorized, code: "AuthenticationFailed",
                message: "Authentication failed. The 'Authorization' header is missing.")
        }
        if let staticToken = configuration.staticToken, token == staticToken { return route() }
        let scopeTenant = tenant(ofPath: request.path)
        let verdict: String? = state.state.withLock { s in
            guard let expiry = s.tokens[token] else { return "InvalidAuthenticationToken" }
            if expiry < Date() { return "ExpiredAuthenticationToken" }
            if let issued = s.tokenTenants[token], issued != scopeTenant { return "InvalidAuthenticationTokenTenant:\(issued)" }
            // The first token issued is refused once, as a token that expired early is.
            if configuration.faults.rejectTokensOnce && s.rejectedOnce.isEmpty {
                s.rejectedOnce.insert(token)
                return "ExpiredAuthenticationToken"
            }
            return nil
        }
        if let verdict, verdict.hasPrefix("InvalidAuthenticationTokenTenant:") {
            state.state.withLock { $0.counters.tokensRejected += 1 }
            let issued = verdict.dropFirst("InvalidAuthenticationTokenTenant:".count)
            return .error(
                .unauthorized, code: "InvalidAuthenticationTokenTenant",
                message:
                    "The access token is from the wrong issuer 'https://sts.windows.net/\(issued)/'. It must match the tenant 'https://sts.windows.net/\(scopeTenant)/' associated with this subscription. Please use the authority (URL) 'https://login.windows.net/\(scopeTenant)' to get the token."
            )
        }
        if let verdict {
            state.state.withLock { $0.counters.tokensRejected += 1 }
            return .error(
                .unauthorized, code: verdict,
                message: verdict == "InvalidAuthenticationToken"
                    ? "The access token is invalid."
                    : "The access token expiry UTC time is earlier than current UTC time.")
        }
        return route()
    }
}
