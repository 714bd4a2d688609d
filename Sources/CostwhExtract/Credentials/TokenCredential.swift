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
/// refuses it. Partitions running at once share one sign-in (the first asks, the others wait
/// for its answer), and a refused sign-in is remembered for the run: a wrong secret does not
/// become right by asking again, and each attempt would cost the tenant a failed sign-in.
package final class TokenCache: Sendable {
    package let credential: any TokenCredential
    /// The configuration's name of the credential, for messages (`contoso`); nil for the
    /// environment's.
    package let label: String?
    private struct State {
        var current: AccessToken?
        var pending: Task<AccessToken, any Error>?
        var refused: ExtractError?
        var seen: [String] = []
    }
    private let state = Mutex(State())
    /// Refresh this long before the expiry Azure announced.
    let margin: TimeInterval

    package init(credential: any TokenCredential, label: String? = nil, margin: TimeInterval = 300) {
        self.credential = credential
        self.label = label
        self.margin = margin
    }

    package func token(_ transport: HTTPTransport, forceRefresh: Bool = false) async throws(ExtractError) -> String {
        let margin = self.margin
        let credential = self.credential
        let task: Task<AccessToken, any Error> = try state.withLock { (s) throws(ExtractError) -> Task<AccessToken, any Error> in
            if let refused = s.refused { throw refused }
            if !forceRefresh, let token = s.current, token.expiresOn.timeIntervalSinceNow > margin {
                return Task { token }
            }
            if let pending = s.pending { return pending }
            let fresh = Task { () async throws -> AccessToken in
                do { return try await credential.fetchToken(transport) } catch { throw error }
            }
            s.pending = fresh
            return fresh
        }
        do {
            let fresh = try await task.value
            state.withLock { s in
                s.current = fresh
                if !s.seen.contains(fresh.token) { s.seen.append(fresh.token) }
                s.pending = nil
            }
            return fresh.token
        } catch {
            var failure = (error as? ExtractError) ?? .signIn("\(error)")
            if let label, case .signIn(let message) = failure, !message.hasPrefix("credential `") {
                failure = .signIn("credential `\(label)`: \(message)")
            }
            let remembered = failure
            state.withLock { s in
                s.pending = nil
                if case .signIn = remembered { s.refused = remembered }
            }
            throw failure
        }
    }

    /// Every secret this cache has seen, for scrubbing text before it is shown.
    package var secrets: [String] {
        state.withLock { $0.seen }
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
