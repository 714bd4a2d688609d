import Foundation
import NIOHTTP1

extension AzureEmulator {
    /// Stores blob bytes and returns a SAS-style link to them.
    func storeBlob(_ bytes: [UInt8], base: String, expired: Bool, validTill: Date) -> String {
        let id = Random.token("blob-", bytes: 16)
        let signature = Random.token("", bytes: 32)
        state.state.withLock {
            $0.blobs[id] = EmulatorState.Blob(
                bytes: bytes, signature: signature, expired: expired, validTill: validTill)
        }
        let expiry = ISO8601DateFormatter().string(from: validTill)
        return
            "\(base)/blobs/\(id)?sv=2020-10-02&st=2026-01-01T00%3A00%3A00Z&se=\(expiry.replacingOccurrences(of: ":", with: "%3A"))&sr=b&sp=r&sig=\(signature)"
    }

    /// Storage: serves a blob to a valid SAS link, with Range support. A request carrying
    /// an Authorization header is refused, as storage refuses a bearer token next to a SAS.
    func blobEndpoint(_ request: EmulatorRequest) -> EmulatorResponse {
        state.count("blob")
        if request.headers.contains(name: "Authorization") {
            state.state.withLock { $0.counters.blobRequestsWithAuthorization += 1 }
            return .text(.badRequest, "AuthenticationFailed: a SAS link must not carry an Authorization header")
        }
        let id = String(request.path.dropFirst("/blobs/".count))
        guard let blob = state.state.withLock({ $0.blobs[id] }) else {
            return .text(.notFound, "BlobNotFound: The specified blob does not exist.")
        }
        guard request.query["sig"] == blob.signature else {
            return .text(.forbidden, "AuthenticationFailed: Signature did not match.")
        }
        if blob.expired || blob.validTill < Date() {
            state.state.withLock { $0.counters.expiredLinksServed += 1 }
            return .text(.forbidden, "AuthenticationFailed: Signed expiry time has passed.")
        }
        var status = HTTPResponseStatus.ok
        var body = blob.bytes
        var headers: HTTPHeaders = ["Content-Type": "application/octet-stream", "Accept-Ranges": "bytes"]
        if let range = request.headers.first(name: "Range"), range.hasPrefix("bytes="),
            let start = Int(range.dropFirst(6).split(separator: "-").first ?? ""), start < blob.bytes.count
        {
            body = Array(blob.bytes[start...])
            status = .partialContent
            headers.add(name: "Content-Range", value: "bytes \(start)-\(blob.bytes.count - 1)/\(blob.bytes.count)")
        }
        var response = EmulatorResponse(status: status, headers: headers, body: body)
        let cut: Bool = state.state.withLock { s in
            guard s.counters.downloadsCut < configuration.faults.cutDownloads, body.count > 1 else { return false }
            s.counters.downloadsCut += 1
            return true
        }
        if cut { response.cutAfter = body.count / 2 }
        if configuration.faults.stallDownloads { response.stallAfter = body.count / 2 }
        response.endless = configuration.faults.endlessBlobs
        response.trickleSeconds = configuration.faults.trickleSeconds
        return response
    }
}
