public import KeyValueStorage
public import Logging
import NIOCore
import OMSCore
import OMSProto
public import RPC
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The whole daemon: store, API keys, services and the gRPC server, with an
/// orderly start and stop. `omsd` runs it under swift-service-lifecycle;
/// tests start it in-process on 127.0.0.1:0 with a temporary data dir.
public final class OMSDaemon: Sendable {
    public static let version = "0.1.0"

    /// Opens (creating when missing) the storage engine in `directory` with
    /// `columnFamilies`: how the daemon gets its store without naming an
    /// engine (omsd passes RocksDB's `Database`).
    public typealias StorageOpener =
        @Sendable (_ directory: String, _ columnFamilies: [String]) throws -> any KeyValueStore

    public struct Config: Sendable {
        public var host: String
        /// 0 picks a free port (see `boundPort`).
        public var port: Int
        /// Database, admin token and other state live here.
        public var dataDirectory: String
        /// Every HTTP/2 and gRPC limit of the server's connections (`omsd serve` has a flag for each).
        public var limits: RPCLimits.Config
        /// `limits.maxReceiveMessageBytes`.
        public var maxReceiveMessageBytes: Int {
            get { limits.maxReceiveMessageBytes }
            set { limits.maxReceiveMessageBytes = newValue }
        }
        public var shutdownGracePeriod: Duration
        public var eventLoopThreads: Int
        /// Threads for reads that iterate (lists, reports, exports); 0 = one per core.
        public var readThreads: Int = 0
        /// The rules of the order lifecycle: payment deadline, cancellation
        /// window and fee, review thresholds, approval tiers, auto-completion
        /// and loyalty points (`omsd serve --help` lists the flags).
        public var orderPolicy: OrderPolicy
        /// Days events stay in the global feed; 0 keeps them forever.
        public var eventRetentionDays: Int
        /// PEM certificate chain and private key: serve TLS (ALPN h2) instead
        /// of cleartext HTTP/2. Both or neither.
        public var tlsCertificateChainFile: String?
        public var tlsPrivateKeyFile: String?
        /// Days a request_id is remembered (a retry replays the first
        /// response); 0 keeps them forever.
        public var idempotencyRetentionDays: Int

        public init(
            host: String = "127.0.0.1", port: Int = 50051, dataDirectory: String = "./var/data",
            maxReceiveMessageBytes: Int = 4 * 1024 * 1024, shutdownGracePeriod: Duration = .seconds(10),
            eventLoopThreads: Int = 0, orderPolicy: OrderPolicy = .defaults, eventRetentionDays: Int = 0,
            idempotencyRetentionDays: Int = Retention.defaultIdempotencyDays
        ) {
            self.host = host
            self.port = port
            self.dataDirectory = dataDirectory
            self.limits = RPCLimits.Config(maxReceiveMessageBytes: maxReceiveMessageBytes)
            self.shutdownGracePeriod = shutdownGracePeriod
            self.eventLoopThreads = eventLoopThreads
            self.orderPolicy = orderPolicy
            self.eventRetentionDays = eventRetentionDays
            self.tlsCertificateChainFile = nil
            self.tlsPrivateKeyFile = nil
            self.idempotencyRetentionDays = idempotencyRetentionDays
        }
    }

    public let config: Config
    public let store: OMSStore
    public let health: HealthService
    /// Fires payment deadlines (and other durable timers) on the store's clock.
    public let timerRunner: TimerRunner
    /// Trims the event feed to `eventRetentionDays` (idle when 0).
    public let eventRetention: Retention
    /// Forgets request_ids after `idempotencyRetentionDays` (idle when 0).
    public let idempotencyRetention: Retention
    /// Runs scheduled reports on the store's clock.
    public let reportSchedules: ReportScheduleRunner
    /// Hourly reservation check (report only; logs differences).
    let reservationAudit: InventoryReservationAudit
    /// Returns free heap to the OS (glibc keeps it after bursts).
    let heapTrimmer: HeapTrimmer
    /// Path of the admin token file (`<data-dir>/admin.token`).
    public let adminTokenPath: String
    private let server: GRPCServer
    /// Where reads that iterate run (never on an event loop).
    private let reads: ReadPool
    private let logger: Logger
    private let stopped = Mutex(false)
    private let boundAddress = SharedString()

    /// Opens the data directory (creating it and the admin token on first
    /// start), the store in `<data-dir>/db` through `storage`, and prepares the
    /// services. Call `start()` to listen.
    public init(
        config: Config, storage: StorageOpener, clock: any Clock = SystemClock(),
        logger: Logger = Logger(label: "omsd")
    ) async throws {
        self.config = config
        self.logger = logger
        // TLS files first: a bad path fails before anything is created.
        let tls = try Self.serverTLS(config)
        try DataDirectory.prepare(config.dataDirectory)
        let engine = try storage(config.dataDirectory + "/db", OMSStore.columnFamilyNames)
        let store = try OMSStore(engine: engine, clock: clock)
        self.store = store
        let keys = ApiKeys(store: store)
        do {
            self.adminTokenPath = try await DataDirectory.ensureAdminToken(
                in: config.dataDirectory, keys: keys, logger: logger)
        } catch {
            store.close()
            throw error
        }

        let health = HealthService()
        self.health = health
        let reads = ReadPool(threads: config.readThreads > 0 ? config.readThreads : System.coreCount)
        self.reads = reads
        var router = Router()
        health.register(in: &router)
        CatalogServiceProvider(store: store, catalog: Catalog(store: store), reads: reads).register(in: &router)
        let orders = Orders(store: store, policy: config.orderPolicy)
        OrderServiceProvider(store: store, orders: orders, reads: reads).register(in: &router)
        let inventory = Inventory(store: store)
        InventoryServiceProvider(store: store, inventory: inventory, reads: reads).register(in: &router)
        self.reservationAudit = InventoryReservationAudit(inventory: inventory, logger: logger)
        CustomerServiceProvider(store: store, customers: Customers(store: store), reads: reads).register(in: &router)
        let reports = Reports(store: store)
        ReportServiceProvider(reports: reports, reads: reads).register(in: &router)
        self.reportSchedules = ReportScheduleRunner(reports: reports, logger: logger)
        self.timerRunner = TimerRunner(orders: orders, store: store, logger: logger)
        self.eventRetention = Retention.events(store: store, days: config.eventRetentionDays, logger: logger)
        self.idempotencyRetention = Retention.idempotency(
            store: store, days: config.idempotencyRetentionDays, logger: logger)
        EventServiceProvider(events: store.events, reads: reads).register(in: &router)
        let bound = boundAddress
        let heapTrimmer = HeapTrimmer(logger: logger)
        self.heapTrimmer = heapTrimmer
        AdminServiceProvider(
            store: store, keys: keys, reads: reads, startedAtMillis: clock.nowMillis(),
            dataDirectory: config.dataDirectory,
            listenAddress: { bound.value }, heapReleased: { heapTrimmer.releasedBytes }
        ).register(in: &router)
        ReflectionService(
            files: ProtoDescriptors.files,
            services: router.services + [
                Grpc_Reflection_V1_ServerReflection.serviceName, Grpc_Reflection_V1alpha_ServerReflection.serviceName,
            ]
        ).register(in: &router)

        let serverConfig = GRPCServer.Config(
            host: config.host, port: config.port, limits: config.limits,
            eventLoopThreads: config.eventLoopThreads, shutdownGracePeriod: config.shutdownGracePeriod, tls: tls)
        self.server = GRPCServer(
            config: serverConfig, router: router,
            interceptors: [AuthInterceptor(keys: keys), LoggingInterceptor(logger: logger)], logger: logger)
        health.setStatus(.notServing)
        for service in router.services { health.setStatus(.notServing, forService: service) }
    }

    /// Starts listening; returns the bound port. Services report SERVING.
    @discardableResult
    public func start() async throws -> Int {
        let address = try await server.start()
        let port = address.port ?? config.port
        boundAddress.value = "\(config.host):\(port)"
        timerRunner.start()
        reportSchedules.start()
        eventRetention.start()
        idempotencyRetention.start()
        reservationAudit.start()
        heapTrimmer.start()
        health.setAll(.serving)
        health.setStatus(.serving)
        logger.info(
            "omsd \(Self.version) serving on \(config.host):\(port)\(tls ? " (TLS)" : "")",
            metadata: ["data_dir": "\(config.dataDirectory)", "admin_token": "\(adminTokenPath)"])
        return port
    }

    /// Graceful stop: NOT_SERVING, GOAWAY and drain (bounded), writer flush,
    /// database close. Idempotent.
    public func stop() async {
        let already = stopped.withLock { stopped in
            defer { stopped = true }
            return stopped
        }
        if already { return }
        logger.info("omsd shutting down")
        health.setAll(.notServing)
        health.setStatus(.notServing)
        health.finishWatchers()
        store.events.finishAll()
        await server.shutdown()
        await reads.shutdown()
        await timerRunner.stop()
        await reportSchedules.stop()
        await eventRetention.stop()
        await idempotencyRetention.stop()
        await reservationAudit.stop()
        await heapTrimmer.stop()
        store.close()
        logger.info("omsd stopped")
    }
}

extension OMSDaemon {
    /// A TLS file that is missing, not PEM, or a key that does not match.
    public typealias TLSError = TLSSetupError

    /// Whether connections use TLS.
    public var tls: Bool { config.tlsCertificateChainFile != nil }

    static func serverTLS(_ config: Config) throws -> ServerTLS? {
        switch (config.tlsCertificateChainFile, config.tlsPrivateKeyFile) {
        case (nil, nil):
            return nil
        case (let chain?, let key?):
            return try ServerTLS(certificateChainFile: chain, privateKeyFile: key)
        default:
            throw TLSSetupError(description: "TLS needs both a certificate chain file and a private key file")
        }
    }

    /// `OMSCore.OrderPolicy`, so the daemon executable can build a `Config`
    /// without importing the domain module.
    public typealias OrderPolicy = OMSCore.OrderPolicy
}

/// A string shared between threads (the bound address, known after start).
final class SharedString: Sendable {
    private let storage = Mutex("")
    var value: String {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}
