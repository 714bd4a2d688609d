import CostwhModel
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A local stand-in for Azure on loopback: the Cost Details API, the token endpoints,
/// blob storage links, and the older cost APIs. It serves deterministic synthetic data for
/// any scope, month and metric, and injects the faults the real service shows.
package final class AzureEmulator: Sendable {
    package let configuration: EmulatorConfiguration
    let state = EmulatorState()
    let logger: Logger
    private let channel = Mutex<(any Channel)?>(nil)
    private let boundPort = Mutex(0)

    package init(configuration: EmulatorConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    package var port: Int { boundPort.withLock { $0 } }

    /// `http://127.0.0.1:PORT`: the ARM endpoint, the authority host and the storage host.
    package var baseURL: String {
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        return "\(configuration.tls == nil ? "http" : "https")://\(host):\(port)"
    }

    /// Binds the port and starts serving in the background.
    package func start() async throws {
        let tls = try configuration.tls.map { files in
            try NIOSSLContext(
                configuration: .makeServerConfiguration(
                    certificateChain: try NIOSSLCertificate.fromPEMFile(files.certificate).map { .certificate($0) },
                    privateKey: .privateKey(try NIOSSLPrivateKey(file: files.key, format: .pem))))
        }
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let secured: EventLoopFuture<Void> =
                    tls.map { context in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                        }
                    } ?? channel.eventLoop.makeSucceededVoidFuture()
                return secured.flatMap {
                    channel.pipeline.configureHTTPServerPipeline()
                }.flatMap {
                    channel.pipeline.addHandler(EmulatorHandler(emulator: self))
                }
            }
        let channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        self.channel.withLock { $0 = channel }
        boundPort.withLock { $0 = channel.localAddress?.port ?? 0 }
        logger.info("emulator listening", metadata: ["url": "\(baseURL)"])
    }

    package func stop() async {
        let channel = self.channel.withLock { $0 }
        try? await channel?.close()
    }

    /// Blocks until the server channel closes.
    package func wait() async throws {
        let channel = self.channel.withLock { $0 }
        try await channel?.closeFuture.get()
    }

    /// Counters for tests and the emulator's log.
    package var statistics: [String: Int] {
        let c = state.counters
        var out = c.requests
        out["blobRequestsWithAuthorization"] = c.blobRequestsWithAuthorization
        out["tokensIssued"] = c.tokensIssued
        out["reportsCreated"] = c.reportsCreated
        out["throttled"] = c.throttled
        out["unavailable"] = c.unavailable
        out["expiredLinksServed"] = c.expiredLinksServed
        out["downloadsCut"] = c.downloadsCut
        out["tokensRejected"] = c.tokensRejected
        return out
    }

    /// Every bearer token and SAS signature the emulator handed out, for tests that search
    /// output and files for leaked secrets.
    package var issuedSecrets: [String] {
        state.state.withLock { s in Array(s.tokens.keys) + s.blobs.values.map(\.signature) }
    }

    /// Sign-ins so far, per tenant.
    package var signIns: [String: Int] {
        state.state.withLock { $0.signIns }
    }

    /// The requests received so far (the last 10,000), in order.
    package var requests: [RecordedRequest] {
        state.state.withLock { $0.requests }
    }

    /// Routes one request.
    func respond(to request: EmulatorRequest) -> EmulatorResponse {
        state.state.withLock { s in
            if s.requests.count >= 10_000 { s.requests.removeFirst(s.requests.count - 9_999) }
            s.requests.append(
                RecordedRequest(
                    method: request.method.rawValue, path: request.path, query: request.query, body: request.body,
                    tenant: request.bearer.flatMap { s.tokenTenants[$0] },
                    clientType: request.headers.first(name: "ClientType")))
        }
        let path = request.path
        let lower = path.lowercased()
        if lower.hasSuffix("/oauth2/v2.0/token") && request.method == .POST { return tokenEndpoint(request) }
        if lower.hasSuffix("/v2.0/.well-known/openid-configuration") && request.method == .GET {
            return openIDConfiguration(request)
        }
        if lower == "/metadata/identity/oauth2/token" { return managedIdentityEndpoint(request) }
        if lower.hasPrefix("/blobs/") { return blobEndpoint(request) }
        if lower.hasSuffix("/providers/microsoft.costmanagement/generatecostdetailsreport") && request.method == .POST {
            return authorized(request) { createCostDetailsReport(request) }
        }
        if lower.contains("/providers/microsoft.costmanagement/costdetailsoperationresults/") && request.method == .GET
        {
            return authorized(request) { pollCostDetailsReport(request) }
        }
        if let forbidden = configuration.faults.forbiddenScopes.first(where: {
            lower.hasPrefix($0.lowercased() + "/providers/")
        }) {
            return .error(
                .forbidden, code: "AuthorizationFailed",
                message:
                    "The client '\(configuration.clientId)' does not have authorization to perform action 'Microsoft.CostManagement/exports/read' over scope '\(forbidden)'."
            )
        }
        if lower.hasSuffix("/providers/microsoft.costmanagement/exports") && request.method == .GET {
            // The cheap read `costwh doctor` makes: the scope's exports (none here).
            return authorized(request) {
                state.count("exports")
                return .json(.ok, ["value": [Any]()])
            }
        }
        if let response = datasetAPIs(request) { return response }
        if let response = olderAPIs(request) { return response }
        state.count("not-found")
        return .error(.notFound, code: "NotFound", message: "The emulator has no route for \(request.method) \(path)")
    }
}

/// Reads a whole request, hands it to the emulator and writes the answer.
final class EmulatorHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let emulator: AzureEmulator
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(emulator: AzureEmulator) { self.emulator = emulator }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(var buffer):
            if let bytes = buffer.readBytes(length: buffer.readableBytes) { body += bytes }
        case .end:
            guard let head else { return }
            let local = context.channel.localAddress
            let host = head.headers.first(name: "Host") ?? "\(local?.ipAddress ?? "127.0.0.1"):\(local?.port ?? 0)"
            let scheme = emulator.configuration.tls == nil ? "http" : "https"
            let request = EmulatorRequest(head: head, body: body, base: "\(scheme)://\(host)")
            let response = emulator.respond(to: request)
            write(response, keepAlive: head.isKeepAlive, context: context)
            self.head = nil
            body = []
        }
    }

    private func write(_ response: EmulatorResponse, keepAlive: Bool, context: ChannelHandlerContext) {
        var headers = response.headers
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        headers.replaceOrAdd(name: "x-ms-request-id", value: UUID().uuidString)
        headers.replaceOrAdd(
            name: "Date", value: HTTPDate.format(Date().addingTimeInterval(emulator.configuration.faults.clockSkew)))
        if !keepAlive || response.cutAfter != nil { headers.replaceOrAdd(name: "Connection", value: "close") }
        if response.endless || response.trickleSeconds != nil {
            headers.remove(name: "Content-Length")
            headers.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
            headers.replaceOrAdd(name: "Connection", value: "close")
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers))),
                promise: nil)
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            if let seconds = response.trickleSeconds {
                trickle(bound, body: response.body, offset: 0, every: .milliseconds(Int64(seconds * 1000)))
            } else {
                flood(bound, body: response.body, sent: 0)
            }
            return
        }
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers))),
            promise: nil)
        if let stall = response.stallAfter {
            // A download that hangs half-way: the client has bytes on disk and waits for more.
            var buffer = context.channel.allocator.buffer(capacity: stall)
            buffer.writeBytes(response.body.prefix(stall))
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            return
        }
        if let cut = response.cutAfter {
            // Send part of the body, then drop the connection without ending the response.
            var buffer = context.channel.allocator.buffer(capacity: cut)
            buffer.writeBytes(response.body.prefix(cut))
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer)))).whenComplete { _ in
                channel.close(promise: nil)
            }
            return
        }
        if !response.body.isEmpty {
            var offset = 0
            while offset < response.body.count {
                let end = min(offset + (1 << 20), response.body.count)
                var buffer = context.channel.allocator.buffer(capacity: end - offset)
                buffer.writeBytes(response.body[offset..<end])
                context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
                offset = end
            }
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// One byte of the body, then the next after `every`, until the client hangs up.
    private func trickle(
        _ bound: NIOLoopBound<ChannelHandlerContext>, body: [UInt8], offset: Int, every: TimeAmount
    ) {
        let context = bound.value
        guard context.channel.isActive, offset < body.count else { return }
        var buffer = context.channel.allocator.buffer(capacity: 1)
        buffer.writeInteger(body[offset])
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        context.eventLoop.scheduleTask(in: every) {
            self.trickle(bound, body: body, offset: offset + 1, every: every)
        }
    }

    /// The body, then 64 KiB of filler after each flush until the client hangs up (or 4 GiB,
    /// so a broken client cannot keep the emulator busy for ever).
    private func flood(_ bound: NIOLoopBound<ChannelHandlerContext>, body: [UInt8], sent: Int) {
        let context = bound.value
        guard context.channel.isActive, sent < 4 << 30 else {
            context.close(promise: nil)
            return
        }
        let chunk = sent == 0 && !body.isEmpty ? body : [UInt8](repeating: UInt8(ascii: "x"), count: 64 << 10)
        var buffer = context.channel.allocator.buffer(capacity: chunk.count)
        buffer.writeBytes(chunk)
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer)))).whenComplete { result in
            guard case .success = result else { return }
            self.flood(bound, body: body, sent: sent + chunk.count)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
