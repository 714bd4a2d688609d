import Foundation
import NIOCore
import NIOHTTP1

/// A request as the emulator's routes see it.
struct EmulatorRequest: Sendable {
    let method: HTTPMethod
    let path: String
    let query: [String: String]
    let headers: HTTPHeaders
    let body: [UInt8]
    /// The URL prefix clients use to reach the emulator, for links it hands out.
    let base: String

    init(head: HTTPRequestHead, body: [UInt8], base: String) {
        method = head.method
        headers = head.headers
        self.body = body
        self.base = base
        let uri = head.uri
        if let q = uri.firstIndex(of: "?") {
            path = String(uri[..<q]).removingPercentEncoding ?? String(uri[..<q])
            var query: [String: String] = [:]
            for pair in uri[uri.index(after: q)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = String(parts[0]).removingPercentEncoding ?? String(parts[0])
                let value =
                    parts.count > 1
                    ? (String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
                        ?? String(parts[1])) : ""
                query[key] = value
            }
            self.query = query
        } else {
            path = uri.removingPercentEncoding ?? uri
            query = [:]
        }
    }

    var json: [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
    }

    var form: [String: String] {
        var out: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value =
                parts.count > 1
                ? (String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "") : ""
            out[key] = value
        }
        return out
    }

    var bearer: String? {
        guard let value = headers.first(name: "Authorization") else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }
}

/// What the emulator answers.
struct EmulatorResponse: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders = [:]
    var body: [UInt8] = []
    /// The body, then filler without end (chunked: no length promises when it stops).
    var endless = false
    /// One body byte every this many seconds.
    var trickleSeconds: Double?
    /// Close the connection after this many body bytes, as a dropped download does.
    var cutAfter: Int?
    /// Send this many bytes of the body, then nothing more while the connection stays open.
    var stallAfter: Int?

    static func json(_ status: HTTPResponseStatus, _ object: Any, headers: HTTPHeaders = [:]) -> EmulatorResponse {
        let data =
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data()
        var h = headers
        h.replaceOrAdd(name: "Content-Type", value: "application/json; charset=utf-8")
        return EmulatorResponse(status: status, headers: h, body: Array(data))
    }

    static func error(
        _ status: HTTPResponseStatus, code: String, message: String, headers: HTTPHeaders = [:]
    ) -> EmulatorResponse {
        json(status, ["error": ["code": code, "message": message]], headers: headers)
    }

    static func text(_ status: HTTPResponseStatus, _ text: String, headers: HTTPHeaders = [:]) -> EmulatorResponse {
        var h = headers
        h.replaceOrAdd(name: "Content-Type", value: "text/plain")
        return EmulatorResponse(status: status, headers: h, body: Array(text.utf8))
    }
}
