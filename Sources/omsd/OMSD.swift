import ArgumentParser
import Foundation
import Logging
import OMSServer
import ServiceLifecycle

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
            OMSD_MAX_RECEIVE_MESSAGE_BYTES, OMSD_LOG_LEVEL, OMSD_SHUTDOWN_GRACE_SECONDS, OMSD_THREADS. \
            A flag wins over the environment.

            SIGINT/SIGTERM stop it gracefully: health turns NOT_SERVING, connections get GOAWAY, \
            in-flight calls finish (up to the grace period), the writer flushes and the database closes.

            Exit status: 0 after a clean stop, 1 when the data directory cannot be opened \
            (in use by another omsd, corrupt, no permission) or the address cannot be bound.

            Examples:
              omsd serve
              omsd serve --listen 0.0.0.0:50051 --data-dir /var/lib/omsd
              OMSD_LOG_LEVEL=debug omsd serve --listen 127.0.0.1:0
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

    func validate() throws {
        guard ListenAddress(listen) != nil else {
            throw ValidationError("--listen must be HOST:PORT (e.g. 127.0.0.1:50051), got '\(listen)'")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        guard maxReceiveMessageBytes > 0 else { throw ValidationError("--max-receive-message-bytes must be positive") }
        guard shutdownGraceSeconds >= 0 else { throw ValidationError("--shutdown-grace-seconds must not be negative") }
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
        let config = OMSDaemon.Config(
            host: address.host, port: address.port, dataDirectory: dataDir,
            maxReceiveMessageBytes: maxReceiveMessageBytes, shutdownGracePeriod: .seconds(shutdownGraceSeconds),
            eventLoopThreads: threads)
        let daemon: OMSDaemon
        do {
            daemon = try await OMSDaemon(config: config, logger: logger)
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
