public import Logging
public import NIOCore
import NIOPosix
import Synchronization

/// A gRPC server over HTTP/2, cleartext (prior knowledge) or TLS with ALPN
/// `h2`, on SwiftNIO sockets with libnghttp2 doing the HTTP/2 work.
public final class GRPCServer: Sendable {
    public struct Config: Sendable {
        /// Address to bind, e.g. "127.0.0.1".
        public var host: String
        /// Port to bind; 0 picks a free one (see `localAddress`).
        public var port: Int
        /// Every HTTP/2 and gRPC limit of a connection (message sizes,
        /// windows, streams, memory budgets); `start()` validates them.
        public var limits: RPCLimits.Config
        /// Event-loop threads (0 = one per core).
        public var eventLoopThreads: Int
        /// How long shutdown lets in-flight calls finish before closing connections.
        public var shutdownGracePeriod: Duration
        /// TLS on every connection; nil serves cleartext HTTP/2.
        public var tls: ServerTLS?

        public init(
            host: String = "127.0.0.1", port: Int = 50051, limits: RPCLimits.Config = .defaults,
            eventLoopThreads: Int = 0, shutdownGracePeriod: Duration = .seconds(10), tls: ServerTLS? = nil
        ) {
            self.host = host
            self.port = port
            self.limits = limits
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
    /// Throws `RPCLimits.InvalidLimit` before binding when a limit is out of range.
    @discardableResult
    public func start() async throws -> SocketAddress {
        let shared = self.shared
        try shared.config.limits.validate()
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
