public import Logging
public import NIOCore
import NIOPosix
public import Nghttp2
import Synchronization

/// A gRPC server over HTTP/2, cleartext (prior knowledge) or TLS with ALPN
/// `h2`, on SwiftNIO sockets with libnghttp2 doing the HTTP/2 work.
public final class GRPCServer: Sendable {
    public struct Config: Sendable {
        /// Address to bind, e.g. "127.0.0.1".
        public var host: String
        /// Port to bind; 0 picks a free one (see `localAddress`).
        public var port: Int
        /// Larger request messages fail with RESOURCE_EXHAUSTED.
        public var maxReceiveMessageBytes: Int
        public var http2: HTTP2Settings
        /// A streaming writer waits while its stream has more than this queued.
        public var streamHighWatermark: Int
        /// Unary request bytes one connection may hold while their messages
        /// are incomplete; a stream that would exceed it fails with
        /// RESOURCE_EXHAUSTED (so many half-sent large requests cannot
        /// exhaust memory; flow control alone does not bound them, as unary
        /// data is acknowledged on arrival).
        public var maxBufferedRequestBytesPerConnection: Int
        /// Event-loop threads (0 = one per core).
        public var eventLoopThreads: Int
        /// How long shutdown lets in-flight calls finish before closing connections.
        public var shutdownGracePeriod: Duration
        /// TLS on every connection; nil serves cleartext HTTP/2.
        public var tls: ServerTLS?

        public init(
            host: String = "127.0.0.1", port: Int = 50051, maxReceiveMessageBytes: Int = 4 * 1024 * 1024,
            http2: HTTP2Settings = .defaults, streamHighWatermark: Int = 256 * 1024, eventLoopThreads: Int = 0,
            shutdownGracePeriod: Duration = .seconds(10), tls: ServerTLS? = nil
        ) {
            self.host = host
            self.port = port
            self.maxReceiveMessageBytes = maxReceiveMessageBytes
            self.http2 = http2
            self.streamHighWatermark = streamHighWatermark
            self.maxBufferedRequestBytesPerConnection = max(64 * 1024 * 1024, 2 * maxReceiveMessageBytes)
            self.eventLoopThreads = eventLoopThreads
            self.shutdownGracePeriod = shutdownGracePeriod
            self.tls = tls
        }

        public static var defaults: Config { Config() }
    }

    private let shared: ServerShared
    private let group: MultiThreadedEventLoopGroup
    private let state = Mutex(State())

    private struct State {
        var listener: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var shuttingDown = false
    }

    public init(
        config: Config = .defaults, router: Router, interceptors: [any ServerInterceptor] = [],
        logger: Logger = Logger(label: "omsd.rpc")
    ) {
        self.shared = ServerShared(router: router, interceptors: interceptors, config: config, logger: logger)
        let threads = config.eventLoopThreads > 0 ? config.eventLoopThreads : System.coreCount
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
    }

    /// Binds and starts accepting connections. Returns the bound address.
    @discardableResult
    public func start() async throws -> SocketAddress {
        let shared = self.shared
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { [weak self] channel in
                self?.register(channel)
                return channel.eventLoop.makeCompletedFuture {
                    if let tls = shared.config.tls {
                        try channel.pipeline.syncOperations.addHandler(tls.makeHandler())
                    }
                    try channel.pipeline.syncOperations.addHandler(ServerConnectionHandler(shared: shared))
                }
            }
        let listener = try await bootstrap.bind(host: shared.config.host, port: shared.config.port).get()
        state.withLock { $0.listener = listener }
        return listener.localAddress!
    }

    /// Calls whose state is still allocated (0 when idle: nothing leaks).
    var liveStreamCount: Int { shared.liveStreams.load(ordering: .relaxed) }
    /// Connection handlers still allocated (0 after every client left).
    var liveConnectionCount: Int { shared.liveConnections.load(ordering: .relaxed) }

    /// The bound address once started.
    public var localAddress: SocketAddress? {
        state.withLock { $0.listener?.localAddress }
    }

    private func register(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let accepted = state.withLock { state -> Bool in
            if state.shuttingDown { return false }
            state.connections[id] = channel
            return true
        }
        if !accepted {
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { [weak self] _ in
            _ = self?.state.withLock { $0.connections.removeValue(forKey: id) }
        }
    }

    /// Stops accepting, sends GOAWAY on every connection, lets in-flight calls
    /// finish for up to the grace period, then closes whatever is left.
    public func shutdown(gracePeriod: Duration? = nil) async {
        let (listener, connections) = state.withLock { state in
            state.shuttingDown = true
            return (state.listener, Array(state.connections.values))
        }
        try? await listener?.close()
        for connection in connections {
            connection.pipeline.fireUserInboundEventTriggered(GracefulShutdownEvent())
        }
        let grace = gracePeriod ?? shared.config.shutdownGracePeriod
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            if state.withLock({ $0.connections.isEmpty }) { break }
            try? await Task.sleep(for: .milliseconds(10))
        }
        for connection in state.withLock({ Array($0.connections.values) }) {
            try? await connection.close()
        }
        try? await group.shutdownGracefully()
    }
}
