import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Azure's `{"error": {"code": …, "message": …}}` body (and the bare `{code, message}`).
package struct AzureErrorBody: Sendable, Equatable {
    package let code: String
    package let message: String

    package static func parse(_ body: [UInt8]) -> AzureErrorBody? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return nil }
        let error = (object["error"] as? [String: Any]) ?? object
        guard let code = error["code"] as? String ?? (error["code"] as? Int).map(String.init) else { return nil }
        let message = error["message"] as? String ?? ""
        return AzureErrorBody(code: code, message: Redaction.scrub(message))
    }
}
