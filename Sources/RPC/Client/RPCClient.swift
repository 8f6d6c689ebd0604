import NIOCore
import NIOPosix
import Nghttp2
public import OMSProto
import Synchronization

/// A gRPC client over one multiplexed HTTP/2 connection (h2c, or TLS with ALPN `h2`).
///
/// Calls from any task share the connection; it is opened on first use and
/// re-opened on the next call after it drops. Every error a call throws is an
/// `RPCError` (connection problems are `UNAVAILABLE`).
public final class RPCClient: Sendable {
    public struct Config: Sendable {
        public var host: String
        public var port: Int
        /// Metadata sent on every call (e.g. `authorization`).
        public var defaultMetadata: Metadata
        /// Message sizes, windows and the streaming sender's high-water mark
        /// (`maxReceiveMessageBytes` bounds responses).
        public var limits: RPCLimits.Config
        public var connectTimeout: Duration
        public var userAgent: String
        /// TLS for the connection; nil speaks cleartext HTTP/2.
        public var tls: ClientTLS?

        public init(
            host: String, port: Int, defaultMetadata: Metadata = Metadata(), limits: RPCLimits.Config = .defaults,
            connectTimeout: Duration = .seconds(5), userAgent: String = "oms-swift-client/1.0", tls: ClientTLS? = nil
        ) {
            self.host = host
            self.port = port
            self.defaultMetadata = defaultMetadata
            self.limits = limits
            self.connectTimeout = connectTimeout
            self.userAgent = userAgent
            self.tls = tls
        }
    }

    struct Connection: Sendable {
        let channel: any Channel
        let handler: NIOLoopBound<ClientConnectionHandler>
        var eventLoop: any EventLoop { channel.eventLoop }
    }

    public let config: Config
    private let group: MultiThreadedEventLoopGroup
    private let ownsGroup: Bool
    private let current = Mutex<EventLoopFuture<Connection>?>(nil)

    public init(config: Config, eventLoopGroup: MultiThreadedEventLoopGroup? = nil) {
        self.config = config
        if let eventLoopGroup {
            self.group = eventLoopGroup
            self.ownsGroup = false
        } else {
            self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            self.ownsGroup = true
        }
    }

    // MARK: Calls

    /// One request, one response.
    public func unary<Request, Response>(
        _ method: ProtoMethod<Request, Response>, _ request: Request, options: CallOptions = CallOptions()
    ) async throws -> Response {
        let connection = try await connection()
        let bytes = try await singleResponseCall(
            connection, path: method.path, options: options, body: GRPCFraming.frame(request), requests: nil)
        return try decode(bytes, as: Response.self)
    }

    /// A stream of requests, one response.
    public func clientStreaming<Request, Response, Requests: AsyncSequence & Sendable>(
        _ method: ProtoMethod<Request, Response>, requests: Requests, options: CallOptions = CallOptions()
    ) async throws -> Response where Requests.Element == Request {
        let connection = try await connection()
        let sender: @Sendable (CallBox) async throws -> Void = { box in
            for try await request in requests {
                try await self.send(connection, box, body: GRPCFraming.frame(request), end: false)
            }
            try await self.send(connection, box, body: [], end: true)
        }
        let bytes = try await singleResponseCall(
            connection, path: method.path, options: options, body: nil, requests: sender)
        return try decode(bytes, as: Response.self)
    }

    /// One request, a stream of responses. Iterating the stream drives the
    /// call; abandoning the iteration cancels it (RST_STREAM).
    public func serverStreaming<Request, Response>(
        _ method: ProtoMethod<Request, Response>, _ request: Request, options: CallOptions = CallOptions()
    ) -> ResponseStream<Response> {
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let body = GRPCFraming.frame(request)
        // The consumer may go away before the call has even started: the
        // termination handler is installed first, and the start checks it.
        let pending = PendingStreamCall()
        continuation.onTermination = { termination in
            guard case .cancelled = termination else { return }
            pending.cancel()
        }
        Task {
            do {
                let connection = try await self.connection()
                let headers = self.headers(path: method.path, options: options)
                guard let box = pending.attach(connection) else { return }
                connection.eventLoop.execute {
                    // A cancel that reached the loop first marked the box.
                    guard !box.cancelled else {
                        continuation.finish(throwing: RPCError(.cancelled, "cancelled by caller"))
                        return
                    }
                    let call = ClientCall(
                        path: method.path, sink: .stream(continuation),
                        maxMessageBytes: self.config.limits.maxReceiveMessageBytes)
                    box.call = call
                    connection.handler.value.start(
                        call, headers: headers, body: body, endStream: true, timeout: options.timeout,
                        eventLoop: connection.eventLoop)
                }
            } catch {
                continuation.finish(throwing: error)
            }
        }
        return ResponseStream(bytes: stream)
    }

    /// Closes the connection (GOAWAY) and stops the client's threads.
    public func close() async {
        let future = current.withLock { current -> EventLoopFuture<Connection>? in
            defer { current = nil }
            return current
        }
        if let connection = try? await future?.get() {
            connection.eventLoop.execute { connection.handler.value.close() }
            try? await connection.channel.closeFuture.get()
        }
        if ownsGroup { try? await group.shutdownGracefully() }
    }

    // MARK: Internals

    /// A server-streaming call between its creation and its start on the
    /// event loop, so a cancellation at any moment reaches it exactly once.
    final class PendingStreamCall: Sendable {
        private struct State {
            var cancelled = false
            var target: (connection: Connection, box: CallBox)?
        }
        private let state = Mutex(State())

        /// Binds the call to its connection; nil if it was already cancelled.
        func attach(_ connection: Connection) -> CallBox? {
            state.withLock { state -> CallBox? in
                if state.cancelled { return nil }
                let box = CallBox()
                state.target = (connection, box)
                return box
            }
        }

        func cancel() {
            let target = state.withLock { state -> (connection: Connection, box: CallBox)? in
                state.cancelled = true
                return state.target
            }
            guard let (connection, box) = target else { return }
            connection.eventLoop.execute {
                box.cancelled = true
                if let call = box.call {
                    connection.handler.value.cancel(call, with: RPCError(.cancelled, "cancelled by caller"))
                }
            }
        }
    }

    /// Holds a call object for the cancellation handler; touched only on the event loop.
    final class CallBox: @unchecked Sendable {
        var call: ClientCall?
        var cancelled = false
    }

    private func singleResponseCall(
        _ connection: Connection, path: String, options: CallOptions, body: [UInt8]?,
        requests: (@Sendable (CallBox) async throws -> Void)?
    ) async throws -> [UInt8] {
        let headers = self.headers(path: path, options: options)
        let box = CallBox()
        let maxBytes = config.limits.maxReceiveMessageBytes
        let sending: Task<Void, Never>? =
            requests.map { sender in
                Task {
                    do {
                        try await sender(box)
                    } catch {
                        connection.eventLoop.execute {
                            if let call = box.call {
                                connection.handler.value.cancel(
                                    call,
                                    with: (error as? RPCError)
                                        ?? RPCError(.cancelled, "request stream failed: \(error)"))
                            }
                        }
                    }
                }
            }
        defer { sending?.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8], any Error>) in
                connection.eventLoop.execute {
                    let call = ClientCall(path: path, sink: .single(continuation), maxMessageBytes: maxBytes)
                    box.call = call
                    if box.cancelled {
                        call.fail(RPCError(.cancelled, "cancelled by caller"))
                        return
                    }
                    connection.handler.value.start(
                        call, headers: headers, body: body, endStream: requests == nil, timeout: options.timeout,
                        eventLoop: connection.eventLoop)
                }
            }
        } onCancel: {
            connection.eventLoop.execute {
                box.cancelled = true
                if let call = box.call {
                    connection.handler.value.cancel(call, with: RPCError(.cancelled, "cancelled by caller"))
                }
            }
        }
    }

    /// Queues request bytes; waits while the call has `clientSendHighWatermarkBytes` or more unsent.
    private func send(_ connection: Connection, _ box: CallBox, body: [UInt8], end: Bool) async throws {
        let highWatermark = config.limits.clientSendHighWatermarkBytes
        while true {
            let pending = try await connection.eventLoop.submit { () throws -> Int in
                // The sender starts before the call does: wait for it to start.
                if box.call == nil && !box.cancelled { return Int.max }
                guard let call = box.call, !call.isDone else { throw RPCError(.cancelled, "call is over") }
                return connection.handler.value.pendingBytes(call)
            }.get()
            if pending < highWatermark { break }
            try await Task.sleep(for: .milliseconds(1))
        }
        try await connection.eventLoop.submit { () throws in
            guard let call = box.call, !call.isDone else { throw RPCError(.cancelled, "call is over") }
            connection.handler.value.send(call, body: body, end: end)
        }.get()
    }

    private func decode<Response: ProtoMessage>(_ bytes: [UInt8], as type: Response.Type) throws -> Response {
        do {
            return try bytes.withUnsafeBytes { try Response(serializedBytes: $0) }
        } catch {
            throw RPCError(.internalError, "response is not a valid \(Response.protoMessageName): \(error)")
        }
    }

    private func headers(path: String, options: CallOptions) -> HTTP2HeaderBlock {
        var fields = [
            HTTP2HeaderField(":method", "POST"),
            HTTP2HeaderField(":scheme", config.tls == nil ? "http" : "https"),
            HTTP2HeaderField(":path", path),
            HTTP2HeaderField(":authority", "\(config.host):\(config.port)"),
            HTTP2HeaderField("content-type", "application/grpc"),
            HTTP2HeaderField("te", "trailers"),
            HTTP2HeaderField("user-agent", config.userAgent),
        ]
        if let timeout = options.timeout {
            fields.append(HTTP2HeaderField("grpc-timeout", GRPCTimeout.encode(nanoseconds: timeout.nanosecondsClamped)))
        }
        for (key, value) in config.defaultMetadata.wireFields + options.metadata.wireFields {
            fields.append(HTTP2HeaderField(key, value, neverIndex: key == "authorization"))
        }
        return HTTP2HeaderBlock(fields)
    }

    func connection() async throws -> Connection {
        let future = current.withLock { current -> EventLoopFuture<Connection> in
            if let existing = current { return existing }
            let made = makeConnection()
            current = made
            return made
        }
        do {
            let connection = try await future.get()
            let usable = try await connection.eventLoop.submit { connection.handler.value.isUsable }.get()
            if usable && connection.channel.isActive { return connection }
            clear(future)
            return try await self.connection()
        } catch let error as RPCError {
            clear(future)
            throw error
        } catch {
            clear(future)
            throw RPCError(.unavailable, "cannot connect to \(config.host):\(config.port): \(Self.describe(error))")
        }
    }

    private func clear(_ future: EventLoopFuture<Connection>) {
        current.withLock { current in
            if let existing = current, existing === future { current = nil }
        }
    }

    private func makeConnection() -> EventLoopFuture<Connection> {
        let settings = config.limits.http2
        let tls = config.tls
        let host = config.host
        let timeout = TimeAmount.nanoseconds(config.connectTimeout.nanosecondsClamped)
        let bootstrap = ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(tls.makeHandler(host: host)) }
                    try channel.pipeline.syncOperations.addHandler(ClientConnectionHandler(settings: settings))
                }
            }
        let future = bootstrap.connect(host: config.host, port: config.port).flatMapThrowing { channel in
            let handler = try channel.pipeline.syncOperations.handler(type: ClientConnectionHandler.self)
            return Connection(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
        }
        future.whenSuccess { [weak self] connection in
            connection.channel.closeFuture.whenComplete { [weak self] _ in self?.clear(future) }
        }
        return future
    }

    private static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        if text.contains("connection refused") || text.contains("Connection refused") {
            return "connection refused (is omsd running there?)"
        }
        return text
    }
}

/// Response messages of a server-streaming call.
public struct ResponseStream<Message: ProtoMessage>: AsyncSequence, Sendable {
    public typealias Element = Message
    let bytes: AsyncThrowingStream<[UInt8], any Error>

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator

        public mutating func next() async throws -> Message? {
            guard let bytes = try await base.next() else { return nil }
            do {
                return try bytes.withUnsafeBytes { try Message(serializedBytes: $0) }
            } catch {
                throw RPCError(.internalError, "response is not a valid \(Message.protoMessageName): \(error)")
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: bytes.makeAsyncIterator()) }
}
