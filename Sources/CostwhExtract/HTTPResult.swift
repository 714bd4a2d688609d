import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

package struct HTTPResult: Sendable {
    package let status: Int
    package let headers: HTTPHeaders
    package let body: [UInt8]

    package var text: String { String(decoding: body, as: UTF8.self) }
}
