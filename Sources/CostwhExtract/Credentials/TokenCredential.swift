import Foundation
import Synchronization

/// A bearer token and when it stops working.
package struct AccessToken: Sendable {
    package let token: String
    package let expiresOn: Date

    package init(token: String, expiresOn: Date) {
        self.token = token
        self.expiresOn = expiresOn
    }

    /// A token as `what` gave it, refused at once when it cannot travel in an HTTP header
    /// (a line break from a file pasted with CR/LF, a space, a control character): sent,
    /// it would fail every request as a connection problem and be retried for minutes.
    package init(checking token: String, expiresOn: Date, from what: String) throws(ExtractError) {
        guard !token.isEmpty, token.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw .signIn(
                "the token from \(what) holds a line break, a space or another character an HTTP header cannot carry; give the token alone, on one line"
            )
        }
        self.init(token: token, expiresOn: expiresOn)
    }
}

/// One way of signing in to Azure Resource Manager.
package protocol TokenCredential: Sendable {
    /// A short name for messages: `access token`, `service principal`, …
    var name: String { get }
    /// Whether asking again can give a different token (a fixed token cannot).
    var canRefresh: Bool { get }
    func fetchToken(_ transport: HTTPTransport) async throws(ExtractError) -> AccessToken
}

/// Holds the current token and gets a new one shortly before it expires, or when Azure
/// refuses it.
package final class TokenCache: Sendable {
    package let credential: any TokenCredential
    private let current = Mutex<AccessToken?>(nil)
    /// Refresh this long before the expiry Azure announced.
    let margin: TimeInterval

    package init(credential: any TokenCredential, margin: TimeInterval = 300) {
        self.credential = credential
        self.margin = margin
    }

    package func token(_ transport: HTTPTransport, forceRefresh: Bool = false) async throws(ExtractError) -> String {
        if !forceRefresh, let token = current.withLock({ $0 }), token.expiresOn.timeIntervalSinceNow > margin {
            return token.token
        }
        let fresh = try await credential.fetchToken(transport)
        current.withLock { $0 = fresh }
        return fresh.token
    }

    /// Every secret this cache has seen, for scrubbing text before it is shown.
    package var secrets: [String] {
        current.withLock { $0.map { [$0.token] } ?? [] }
    }
}

/// A token given by the operator: `--access-token-file` or `COSTWH_ACCESS_TOKEN`.
package struct StaticTokenCredential: TokenCredential {
    let token: String
    package var name: String { "access token" }
    package var canRefresh: Bool { false }

    package init(token: String) {
        self.token = token.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    package func fetchToken(_ transport: HTTPTransport) async throws(ExtractError) -> AccessToken {
        try AccessToken(checking: token, expiresOn: .distantFuture, from: "the access token file or COSTWH_ACCESS_TOKEN")
    }
}
