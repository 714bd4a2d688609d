import AsyncHTTPClient
import CostwhBytes
import CostwhModel
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sends every request costwh makes, with the one retry policy.
///
/// Throttling (429), transient server errors (5xx) and broken connections are retried
/// after the longest retry-after header the service sent, or with exponential backoff.
/// Every other status is returned to the caller, who knows what it means.
package final class HTTPTransport: Sendable {
    let client: HTTPClient
    package let policy: RetryPolicy
    let logger: Logger
    package let stats = ExtractStats()
    /// Per-request deadline for requests with small bodies.
    let requestTimeout: TimeAmount

    package init(policy: RetryPolicy = .default, logger: Logger, requestTimeout: TimeAmount = .seconds(120)) {
        var configuration = HTTPClient.Configuration()
        // A silent connection is cut after the stall interval, but never sooner than 15 s:
        // the interval judges a download's pace (DownloadPace), and a short one set for a
        // test must not cut a sign-in or a poll that a busy machine answers slowly.
        let idle = max(policy.downloadStall, 15)
        configuration.timeout = HTTPClient.Configuration.Timeout(
            connect: .seconds(15), read: .milliseconds(Int64(idle * 1000)))
        // Azure never redirects these calls; following one could leak a bearer token.
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.policy = policy
        self.logger = logger
        self.requestTimeout = requestTimeout
    }

    package func shutdown() async {
        try? await client.shutdown()
    }

    /// Plain HTTP only to this machine: anything else must be HTTPS.
    /// Credentials go only to the host they are for: a link (`Location`, `Azure-AsyncOperation`,
    /// `nextLink`) that points at another scheme, host or port is refused, naming the host,
    /// for the same reason redirects are.
    package static func checkSameOrigin(_ url: String, as endpoint: String, credential: String) throws(ExtractError) {
        guard let link = URLComponents(string: url), let base = URLComponents(string: endpoint) else {
            throw .invalidRequest("not a valid URL: \(Redaction.redact(url: url))")
        }
        func origin(_ c: URLComponents) -> String {
            let scheme = c.scheme?.lowercased() ?? ""
            let port = c.port ?? (scheme == "https" ? 443 : 80)
            return "\(scheme)://\(c.host?.lowercased() ?? ""):\(port)"
        }
        guard origin(link) == origin(base) else {
            throw .invalidRequest(
                "refusing to send the \(credential) to \(link.host ?? "an unknown host")\(link.port.map { ":\($0)" } ?? ""): "
                    + "Azure sent a link outside \(base.host ?? endpoint); credentials go only to the configured endpoint"
            )
        }
    }

    package static func checkSafe(url: String) throws(ExtractError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host
        else {
            throw .invalidRequest("not a valid URL: \(Redaction.redact(url: url))")
        }
        switch scheme {
        case "https": return
        case "http":
            // The instance metadata service is plain HTTP by design and never leaves the VM.
            guard isLoopback(host) || host == "169.254.169.254" else {
                throw .invalidRequest(
                    "refusing plain http:// to \(host): only loopback hosts may be reached without TLS")
            }
        default:
            throw .invalidRequest("unsupported URL scheme `\(scheme)` in \(Redaction.redact(url: url))")
        }
    }

    package static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return h == "localhost" || h == "::1" || h.hasPrefix("127.")
    }

    /// Sends a request, retrying what the policy says to retry.
    package func send(_ spec: HTTPRequestSpec, bodyLimit: Int = 32 << 20) async throws(ExtractError) -> HTTPResult {
        try HTTPTransport.checkSafe(url: spec.url)
        var attempt = 0
        var waited = 0.0
        var lastProblem = ""
        while true {
            attempt += 1
            var request = HTTPClientRequest(url: spec.url)
            request.method = spec.method
            request.headers = spec.headers
            if let body = spec.body {
                request.body = .bytes(ByteBuffer(bytes: body))
                if !request.headers.contains(name: "Content-Type") {
                    request.headers.add(name: "Content-Type", value: "application/json")
                }
            }
            var retryHeaders: HTTPHeaders?
            var status: Int?
            do {
                try Task.checkCancellation()
                let response = try await client.execute(request, timeout: requestTimeout)
                let body = try await response.body.collect(upTo: bodyLimit)
                let result = HTTPResult(
                    status: Int(response.status.code), headers: response.headers, body: Array(buffer: body))
                if !RetryPolicy.isRetryable(status: result.status) { return result }
                retryHeaders = response.headers
                status = result.status
                lastProblem = "HTTP \(result.status)" + HTTPTransport.errorSummary(result)
            } catch is CancellationError {
                throw .cancelled
            } catch {
                lastProblem = HTTPTransport.describe(error)
            }
            try await waitBeforeRetry(
                spec, attempt: attempt, waited: &waited, headers: retryHeaders, status: status, problem: lastProblem)
        }
    }

    /// The one place a retry waits: the longest retry-after the service sent, or backoff;
    /// gives up past the policy's attempts or total wait. Logged and counted for the ledger.
    private func waitBeforeRetry(
        _ spec: HTTPRequestSpec, attempt: Int, waited: inout Double, headers: HTTPHeaders?, status: Int?,
        problem: String
    ) async throws(ExtractError) {
        let (delay, source) = policy.delay(afterAttempt: attempt, headers: headers)
        guard attempt < policy.maxAttempts, waited + delay <= policy.maxTotalDelay else {
            throw .gaveUp(what: spec.what, attempts: attempt, lastProblem: problem)
        }
        logger.info(
            "retrying",
            metadata: [
                "request": "\(spec.what)", "problem": "\(problem)", "wait_seconds": "\(String(format: "%.1f", delay))",
                "wait_source": "\(source)", "attempt": "\(attempt)",
            ])
        stats.record(retryAfter: delay, status: status, source: source)
        ExtractStats.partition?.record(retryAfter: delay, status: status, source: source)
        waited += delay
        do {
            try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
        } catch {
            throw .cancelled
        }
    }

    /// Streams a body into `fd`, resuming with a Range request after a broken connection.
    /// Returns the number of bytes written.
    /// With a `spool`, a reader may follow the file while it is written.
    package func download(
        _ spec: HTTPRequestSpec, into fd: Int32, expectedBytes: Int?, spool: Spool? = nil
    ) async throws(ExtractError) -> Int {
        try await download(spec, into: fd, expectedBytes: expectedBytes, notModified: false, spool: spool).bytes ?? 0
    }

    /// The same, also giving the response headers; with `notModified`, a 304 answer returns
    /// nil bytes instead of failing.
    package func download(
        _ spec: HTTPRequestSpec, into fd: Int32, expectedBytes: Int?, notModified: Bool, spool: Spool? = nil
    ) async throws(ExtractError) -> (bytes: Int?, headers: HTTPHeaders) {
        try HTTPTransport.checkSafe(url: spec.url)
        var written = 0
        var attempt = 0
        var waited = 0.0
        var lastProblem = ""
        while true {
            attempt += 1
            var request = HTTPClientRequest(url: spec.url)
            request.method = .GET
            request.headers = spec.headers
            if written > 0 { request.headers.replaceOrAdd(name: "Range", value: "bytes=\(written)-") }
            var retryHeaders: HTTPHeaders?
            var status: Int?
            do {
                try Task.checkCancellation()
                let response = try await client.execute(request, timeout: .hours(6))
                let code = Int(response.status.code)
                if code == 304 && notModified {
                    return (nil, response.headers)
                }
                if code == 200 || code == 206 {
                    if code == 200 && written > 0 {
                        // The server ignored the range: start again from the beginning.
                        guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else {
                            throw ExtractError.transport(what: spec.what, reason: "cannot rewind the temporary file")
                        }
                        written = 0
                        // A reader behind the file has consumed bytes that are gone now.
                        spool?.rewound()
                    }
                    var pace = DownloadPace(policy: policy, expectedBytes: expectedBytes, what: spec.what)
                    for try await buffer in response.body {
                        let first = written == 0
                        try buffer.withUnsafeReadableBytes { raw in
                            var offset = 0
                            while offset < raw.count {
                                let n = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                                if n < 0 {
                                    if errno == EINTR { continue }
                                    throw ExtractError.transport(
                                        what: spec.what,
                                        reason: "cannot write the temporary file: \(String(cString: strerror(errno)))")
                                }
                                offset += n
                            }
                        }
                        written += buffer.readableBytes
                        try pace.received(buffer.readableBytes, total: written)
                        if let spool {
                            spool.advance(to: written)
                            // The load stopped (it failed or was interrupted): its bytes are not wanted.
                            if spool.isAbandoned { throw ExtractError.cancelled }
                        }
                        // Bytes are on disk and more are coming: the mid-download moment.
                        if first { PhaseProbe.mark("download") }
                    }
                    if let expectedBytes, written < expectedBytes {
                        lastProblem = "the connection ended after \(written) of \(expectedBytes) bytes"
                    } else {
                        return (written, response.headers)
                    }
                } else {
                    let body = try await response.body.collect(upTo: 1 << 20)
                    let result = HTTPResult(status: code, headers: response.headers, body: Array(buffer: body))
                    if !RetryPolicy.isRetryable(status: code) {
                        throw ExtractError.azure(
                            status: code, code: code == 403 || code == 404 ? "blob" : "",
                            message: "\(spec.what) was refused" + HTTPTransport.errorSummary(result),
                            hint: code == 403 ? "the link has expired or its signature is not accepted" : "")
                    }
                    retryHeaders = response.headers
                    status = code
                    lastProblem = "HTTP \(code)"
                }
            } catch let error as ExtractError {
                throw error
            } catch is CancellationError {
                throw .cancelled
            } catch let slow as DownloadPace.TooSlow {
                lastProblem = slow.reason
            } catch let error as HTTPClientError where error == .readTimeout {
                lastProblem = "stalled: no byte for \(Int(max(policy.downloadStall, 15))) s after \(written) bytes"
            } catch {
                lastProblem = HTTPTransport.describe(error) + " after \(written) bytes"
            }
            try await waitBeforeRetry(
                spec, attempt: attempt, waited: &waited, headers: retryHeaders, status: status, problem: lastProblem)
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            return "connection problem: \(error)"
        }
        return "connection problem: \(Redaction.scrub(String(describing: error)))"
    }

    /// `: code: message` from an Azure JSON error body, or the start of a non-JSON body.
    static func errorSummary(_ result: HTTPResult) -> String {
        if let error = AzureErrorBody.parse(result.body) { return ": \(error.code): \(error.message)" }
        let text = result.text.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "" : ": " + String(Redaction.scrub(text).prefix(200))
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif
