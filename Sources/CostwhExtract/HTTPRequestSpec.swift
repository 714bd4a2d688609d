import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// One HTTP request as costwh describes it.
package struct HTTPRequestSpec: Sendable {
    package var method: HTTPMethod
    package var url: String
    package var headers: HTTPHeaders
    package var body: [UInt8]?
    /// What the request is for, in errors and logs ("poll the cost report of /subscriptions/…").
    package var what: String

    package init(method: HTTPMethod = .GET, url: String, headers: HTTPHeaders = [:], body: [UInt8]? = nil, what: String)
    {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.what = what
    }
}
