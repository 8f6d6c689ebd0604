import ArgumentParser
import Foundation
import Logging
import OMSServer
import ServiceLifecycle
import Storage

@main
struct OMSD: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "omsd",
        abstract: "The order-management daemon: orders, inventory and reports over gRPC.",
        discussion: """
            omsd serves the oms.v1 gRPC API (see Proto/) over cleartext HTTP/2 and stores \
            everything in an embedded RocksDB database under --data-dir.

            Quick start:
              omsd serve --listen 127.0.0.1:50051 --data-dir ./var/data
              omsctl health
            """,
        version: OMSDaemon.version,
        subcommands: [Serve.self],
        defaultSubcommand: Serve.self)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the daemon in the foreground until SIGINT or SIGTERM.",
        discussion: """
            On first start omsd creates the database and an admin API token in \
            <data-dir>/admin.token (mode 0600) and logs its path. Clients send it as \
            'authorization: Bearer <token>'. Health checks (grpc.health.v1.Health) need no token.

            Every flag can also come from the environment: OMSD_LISTEN, OMSD_DATA_DIR, \
            OMSD_MAX_RECEIVE_MESSAGE_BYTES, OMSD_LOG_LEVEL, OMSD_SHUTDOWN_GRACE_SECONDS, OMSD_THREADS, OMSD_EVENT_RETENTION_DAYS, \
            and for the order policy and the HTTP/2 and gRPC limits the flag's name in capitals with an \
            OMSD_ prefix (--free-cancel-hours is OMSD_FREE_CANCEL_HOURS, --max-frame-bytes is \
            OMSD_MAX_FRAME_BYTES). A flag wins over the environment. A limit outside what HTTP/2 \
            (RFC 9113) allows stops omsd at start, naming the flag or variable.

            Money thresholds and fixed fees are in minor units of the order's currency \
            (cents for USD and EUR: 1000000 = 10,000.00). The effective order policy is \
            logged at start.

            SIGINT/SIGTERM stop it gracefully: health turns NOT_SERVING, connections get GOAWAY, \
            in-flight calls finish (up to the grace period), the writer flushes and the database closes.

            Exit status: 0 after a clean stop, 1 when the data directory cannot be opened \
            (in use by another omsd, corrupt, no permission) or the address cannot be bound.

            Examples:
              omsd serve
              omsd serve --listen 0.0.0.0:50051 --data-dir /var/lib/omsd
              OMSD_LOG_LEVEL=debug omsd serve --listen 127.0.0.1:0
              omsd serve --payment-deadline-hours 48 --free-cancel-hours 2 --cancel-fee-minor 500
            """)

    static let environment = ProcessInfo.processInfo.environment

    @Option(help: "Address to listen on, HOST:PORT ([::1]:PORT for IPv6; port 0 picks a free one).")
    var listen: String = environment["OMSD_LISTEN"] ?? "127.0.0.1:50051"

    @Option(help: "Directory for the database and the admin token (created if missing).")
    var dataDir: String = environment["OMSD_DATA_DIR"] ?? "./var/data"

    @Option(help: "Largest request message accepted; larger ones fail with RESOURCE_EXHAUSTED.")
    var maxReceiveMessageBytes: Int = Int(environment["OMSD_MAX_RECEIVE_MESSAGE_BYTES"] ?? "") ?? 4 * 1024 * 1024

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = environment["OMSD_LOG_LEVEL"] ?? "info"

    @Option(help: "Seconds in-flight calls get to finish on shutdown.")
    var shutdownGraceSeconds: Int = Int(environment["OMSD_SHUTDOWN_GRACE_SECONDS"] ?? "") ?? 10

    @Option(help: "Event-loop threads (0 = one per CPU core).")
    var threads: Int = Int(environment["OMSD_THREADS"] ?? "") ?? 0

    @Option(
        help:
            "Threads for reads that iterate: lists, histories, reports, exports (0 = one per CPU core). They never run on an event loop."
    )
    var readThreads: Int = Int(environment["OMSD_READ_THREADS"] ?? "") ?? 0

    @Option(
        help:
            "Days events stay in the feed that WatchEvents serves (0 = forever). Resuming before the oldest kept event fails with OUT_OF_RANGE."
    )
    var eventRetentionDays: Int = Int(environment["OMSD_EVENT_RETENTION_DAYS"] ?? "") ?? 0

    @Option(
        help:
            "Days a request_id is remembered: a retry within them replays the first response, a later one runs again (0 = forever)."
    )
    var idempotencyRetentionDays: Int =
        Int(environment["OMSD_IDEMPOTENCY_RETENTION_DAYS"] ?? "") ?? OMSDaemon.Config().idempotencyRetentionDays

    @Option(
        help: ArgumentHelp(
            "Serve TLS (ALPN h2) with this PEM certificate chain; needs --tls-key-file (default $OMSD_TLS_CERT_FILE).",
            valueName: "path"))
    var tlsCertFile: String?

    @Option(
        help: ArgumentHelp("The PEM private key of --tls-cert-file (default $OMSD_TLS_KEY_FILE).", valueName: "path"))
    var tlsKeyFile: String?

    /// The flag, else the non-empty environment variable.
    var tlsFiles: (chain: String?, key: String?) {
        func resolved(_ flag: String?, _ variable: String) -> String? {
            flag ?? Self.environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        }
        return (resolved(tlsCertFile, "OMSD_TLS_CERT_FILE"), resolved(tlsKeyFile, "OMSD_TLS_KEY_FILE"))
    }

    @OptionGroup(title: "Order policy")
    var policyOptions: OrderPolicyOptions

    @OptionGroup(title: "HTTP/2 and gRPC limits")
    var limitOptions: LimitOptions

    func validate() throws {
        guard (0...36_500).contains(eventRetentionDays) else {
            throw ValidationError(
                "--event-retention-days must be from 0 (keep forever) to 36500, got \(eventRetentionDays)")
        }
        guard (0...36_500).contains(idempotencyRetentionDays) else {
            throw ValidationError(
                "--idempotency-retention-days must be from 0 (keep forever) to 36500, got \(idempotencyRetentionDays)")
        }
        guard (0...256).contains(threads) else {
            throw ValidationError("--threads must be from 0 (one per core) to 256, got \(threads)")
        }
        guard (0...256).contains(readThreads) else {
            throw ValidationError("--read-threads must be from 0 (one per core) to 256, got \(readThreads)")
        }
        guard (tlsFiles.chain == nil) == (tlsFiles.key == nil) else {
            throw ValidationError("--tls-cert-file and --tls-key-file go together: pass both or neither")
        }
        guard ListenAddress(listen) != nil else {
            throw ValidationError("--listen must be HOST:PORT (e.g. 127.0.0.1:50051), got '\(listen)'")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        guard maxReceiveMessageBytes > 0 else { throw ValidationError("--max-receive-message-bytes must be positive") }
        guard shutdownGraceSeconds >= 0 else { throw ValidationError("--shutdown-grace-seconds must not be negative") }
        _ = try policyOptions.policy(environment: Self.environment)
        _ = try limitOptions.limits(maxReceiveMessageBytes: maxReceiveMessageBytes, environment: Self.environment)
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "omsd")
        let address = ListenAddress(listen)!
        let policy = try policyOptions.policy(environment: Self.environment)
        logger.info("order policy: \(OrderPolicyOptions.summary(policy))")
        let limits = try limitOptions.limits(
            maxReceiveMessageBytes: maxReceiveMessageBytes, environment: Self.environment)
        logger.info("limits: \(LimitOptions.summary(limits))")
        var config = OMSDaemon.Config(
            host: address.host, port: address.port, dataDirectory: dataDir,
            maxReceiveMessageBytes: maxReceiveMessageBytes, shutdownGracePeriod: .seconds(shutdownGraceSeconds),
            eventLoopThreads: threads, orderPolicy: policy, eventRetentionDays: eventRetentionDays,
            idempotencyRetentionDays: idempotencyRetentionDays)
        (config.tlsCertificateChainFile, config.tlsPrivateKeyFile) = tlsFiles
        config.limits = limits
        config.readThreads = readThreads
        let daemon: OMSDaemon
        do {
            // The embedded RocksDB engine under the data directory (the only
            // engine for now; DESIGN.md's `--storage` URL picks others later).
            daemon = try await OMSDaemon(config: config, storage: Database.openStore, logger: logger)
        } catch let error as OMSDaemon.TLSError {
            logger.critical("\(error)")
            throw ExitCode(1)
        } catch {
            logger.critical("cannot open data directory \(dataDir): \(error)")
            throw ExitCode(1)
        }
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: DaemonService(daemon: daemon, logger: logger))],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch {
            logger.critical("omsd failed: \(error)")
            await daemon.stop()
            throw ExitCode(1)
        }
    }
}

/// Runs the daemon until a graceful-shutdown signal.
struct DaemonService: Service {
    let daemon: OMSDaemon
    let logger: Logger

    func run() async throws {
        do {
            try await daemon.start()
        } catch {
            logger.critical("cannot listen on \(daemon.config.host):\(daemon.config.port): \(error)")
            await daemon.stop()
            throw error
        }
        try? await gracefulShutdown()
        await daemon.stop()
    }
}

/// `HOST:PORT` or `[IPv6]:PORT`.
struct ListenAddress {
    var host: String
    var port: Int

    init?(_ text: String) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portPart = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        guard !hostPart.isEmpty, let port = Int(portPart), (0...65535).contains(port) else { return nil }
        host = String(hostPart)
        self.port = port
    }
}
