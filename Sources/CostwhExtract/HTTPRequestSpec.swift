import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// One HTTP request as costwh describes it.
public struct HTTPRequestSpec: Sendable {
    public var method: HTTPMethod
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]?
    /// What the request is for, in errors and logs ("poll the cost report of /subscriptions/…").
    public var what: String

    public init(method: HTTPMethod = .GET, url: String, headers: HTTPHeaders = [:], body: [UInt8]? = nil, what: String)
    {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.what = what
    }
}
