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

/// The order-policy flags of `omsd serve` (OMSCore.OrderPolicy), each with an
/// `OMSD_*` environment fallback. Optional so that a flag given on the command
/// line wins over the environment, and the environment over the default.
struct OrderPolicyOptions: ParsableArguments {
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Unpaid orders are cancelled automatically, and their stock released, this many hours after placement (default 72, 1-8760).",
            valueName: "hours"))
    var paymentDeadlineHours: Int64?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Cancelling within this many hours after placement is free (default 24, 0-8760; 0 = never free).",
            valueName: "hours"))
    var freeCancelHours: Int64?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Fee for cancelling after the free window, in basis points of the order total, rounded half up (default 500 = 5%, 0-10000).",
            valueName: "bps"))
    var cancelFeeBps: Int64?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Instead of --cancel-fee-bps: a fixed fee in minor units of the order currency, capped at the total.",
            valueName: "minor"))
    var cancelFeeMinor: Int64?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Orders totalling at least this (minor units) need one approval (default 1000000; 0 = off).",
            valueName: "minor"))
    var oneApprovalFromMinor: Int64?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Orders totalling at least this (minor units) need two approvals by different users (default 5000000; 0 = off).",
            valueName: "minor"))
    var twoApprovalsFromMinor: Int64?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Automatic review flags orders totalling at least this (minor units) ABNORMAL_AMOUNT and holds them (default 0 = off).",
            valueName: "minor"))
    var abnormalAmountMinor: Int64?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Automatic review flags an order above this multiple of the customer's average order ABNORMAL_AMOUNT (default 10, 0-1000; 0 = off).",
            valueName: "n"))
    var abnormalMultipleOfAverage: Int64?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Automatic review flags the same customer ordering the same lines within this many minutes POSSIBLE_DUPLICATE (default 10, 0-43200; 0 = off).",
            valueName: "minutes"))
    var duplicateWindowMinutes: Int64?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Delivered orders complete automatically this many days after delivery (default 7, 1-3650).",
            valueName: "days"))
    var autoCompleteDays: Int64?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Loyalty points a customer earns per 100 minor units of a completed order (default 1, 0-1000000).",
            valueName: "n"))
    var pointsPerHundredMinor: Int64?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Loyalty tiers as NAME=MIN_POINTS,... (default gold=5000,silver=1000; 'none' = keep tiers as they are).",
            valueName: "tiers"))
    var loyaltyTiers: String?

    /// The policy these flags (then `environment`, then the defaults) describe.
    func policy(environment: [String: String]) throws -> OMSDaemon.OrderPolicy {
        var policy = OMSDaemon.OrderPolicy.defaults
        let source = Source(environment: environment)

        if let hours = try source.int64(paymentDeadlineHours, "payment-deadline-hours", 1...8760, "hours") {
            policy.paymentDeadlineMillis = hours * 3_600_000
        }
        if let hours = try source.int64(freeCancelHours, "free-cancel-hours", 0...8760, "hours") {
            policy.freeCancellationWindowMillis = hours * 3_600_000
        }
        // The flags decide the fee when either is given; else the environment; else 5%.
        let fromFlags = cancelFeeBps != nil || cancelFeeMinor != nil
        let bps = try source.int64(cancelFeeBps, "cancel-fee-bps", 0...10_000, "basis points", flagsOnly: fromFlags)
        let fixed = try source.int64(
            cancelFeeMinor, "cancel-fee-minor", 0...Int64.max, "minor units", flagsOnly: fromFlags)
        switch (bps, fixed) {
        case (.some, .some):
            throw ValidationError(
                fromFlags
                    ? "give either --cancel-fee-bps (a share of the total) or --cancel-fee-minor (a fixed fee), not both"
                    : "OMSD_CANCEL_FEE_BPS and OMSD_CANCEL_FEE_MINOR are both set; set only one")
        case (let bps?, nil): policy.cancellationFee = .percentage(basisPoints: bps)
        case (nil, let fixed?): policy.cancellationFee = .fixed(amountMinor: fixed)
        case (nil, nil): break
        }

        let one =
            try source.int64(oneApprovalFromMinor, "one-approval-from-minor", 0...Int64.max, "minor units")
            ?? 1_000_000
        let two =
            try source.int64(twoApprovalsFromMinor, "two-approvals-from-minor", 0...Int64.max, "minor units")
            ?? 5_000_000
        if one > 0 && two > 0 && two < one {
            let twoName = source.origin(twoApprovalsFromMinor, "two-approvals-from-minor")
            let oneName = source.origin(oneApprovalFromMinor, "one-approval-from-minor")
            throw ValidationError(
                "\(twoName) (\(two)) is below \(oneName) (\(one)), so orders would never need just one approval; "
                    + "make it at least \(one), or 0 to turn two approvals off")
        }
        policy.approvalTiers =
            (one > 0 ? [.init(minTotalMinor: one, approvals: 1)] : [])
            + (two > 0 ? [.init(minTotalMinor: two, approvals: 2)] : [])

        if let minor = try source.int64(abnormalAmountMinor, "abnormal-amount-minor", 0...Int64.max, "minor units") {
            policy.abnormalAmountMinor = minor
        }
        if let n = try source.int64(abnormalMultipleOfAverage, "abnormal-multiple-of-average", 0...1000, "") {
            policy.abnormalMultipleOfAverage = n
        }
        if let minutes = try source.int64(duplicateWindowMinutes, "duplicate-window-minutes", 0...43_200, "minutes") {
            policy.duplicateWindowMillis = minutes * 60_000
        }
        if let days = try source.int64(autoCompleteDays, "auto-complete-days", 1...3650, "days") {
            policy.autoCompleteAfterDeliveryMillis = days * 86_400_000
        }
        if let n = try source.int64(pointsPerHundredMinor, "points-per-hundred-minor", 0...1_000_000, "points") {
            policy.pointsPerHundredMinor = n
        }
        if let (text, name) = source.string(loyaltyTiers, "loyalty-tiers") {
            policy.tiers = try Self.parseTiers(text, name: name)
        }
        return policy
    }

    /// `gold=5000,silver=1000`, or `none` for no tier changes.
    static func parseTiers(_ text: String, name: String) throws -> [(name: String, minPoints: Int64)] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "none" { return [] }
        var tiers: [(name: String, minPoints: Int64)] = []
        for item in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "=", omittingEmptySubsequences: false)
            let tier = parts.first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard parts.count == 2, !tier.isEmpty,
                let points = Int64(parts[1].trimmingCharacters(in: .whitespaces)), points >= 0
            else {
                throw ValidationError(
                    "\(name) must be NAME=MIN_POINTS,... with whole, non-negative points (e.g. gold=5000,silver=1000) "
                        + "or 'none'; '\(item)' is not")
            }
            if tiers.contains(where: { $0.name == tier }) {
                throw ValidationError("\(name) names the tier '\(tier)' twice")
            }
            tiers.append((tier, points))
        }
        return tiers
    }

    /// One line for the log: what the policy says.
    static func summary(_ policy: OMSDaemon.OrderPolicy) -> String {
        func hours(_ millis: Int64) -> String { "\(millis / 3_600_000) h" }
        let fee: String
        switch policy.cancellationFee {
        case .percentage(let bps): fee = "\(bps) bps of the total"
        case .fixed(let minor): fee = "\(minor) minor units"
        }
        let approvals =
            policy.approvalTiers.isEmpty
            ? "none"
            : policy.approvalTiers.map { "\($0.approvals) from \($0.minTotalMinor)" }.joined(separator: ", ")
        let tiers =
            policy.tiers.isEmpty ? "none" : policy.tiers.map { "\($0.name)=\($0.minPoints)" }.joined(separator: ",")
        return "payment deadline \(hours(policy.paymentDeadlineMillis)); "
            + "free cancellation \(hours(policy.freeCancellationWindowMillis)), then a fee of \(fee); "
            + "approvals \(approvals); "
            + "abnormal amount \(policy.abnormalAmountMinor == 0 ? "off" : String(policy.abnormalAmountMinor)), "
            + "above \(policy.abnormalMultipleOfAverage)× the average; "
            + "duplicate window \(policy.duplicateWindowMillis / 60_000) min; "
            + "auto-complete \(policy.autoCompleteAfterDeliveryMillis / 86_400_000) days after delivery; "
            + "\(policy.pointsPerHundredMinor) points per 100 minor units; tiers \(tiers)"
    }

    /// Reads a value from its flag, else from `OMSD_<FLAG>`, with messages
    /// that name where a bad value came from.
    struct Source {
        var environment: [String: String]

        static func variable(_ flag: String) -> String {
            "OMSD_" + flag.uppercased().replacingOccurrences(of: "-", with: "_")
        }

        func int64(
            _ flagValue: Int64?, _ flag: String, _ range: ClosedRange<Int64>, _ unit: String, flagsOnly: Bool = false
        ) throws -> Int64? {
            let value: Int64
            let origin: String
            if let flagValue {
                value = flagValue
                origin = "--\(flag)"
            } else if !flagsOnly, let text = environment[Self.variable(flag)] {
                guard let parsed = Int64(text.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("\(Self.variable(flag)) must be a whole number, got '\(text)'")
                }
                value = parsed
                origin = Self.variable(flag)
            } else {
                return nil
            }
            guard range.contains(value) else {
                let units = unit.isEmpty ? "" : " \(unit)"
                throw ValidationError(
                    range.upperBound == Int64.max
                        ? "\(origin) must not be negative, got \(value)"
                        : "\(origin) must be from \(range.lowerBound) to \(range.upperBound)\(units), got \(value)")
            }
            return value
        }

        /// Where the value of `flag` comes from: the flag, its variable, or the default.
        func origin(_ flagValue: Int64?, _ flag: String) -> String {
            if flagValue != nil { return "--\(flag)" }
            return environment[Self.variable(flag)] != nil ? Self.variable(flag) : "the default of --\(flag)"
        }

        /// The flag's text, else the environment's, with where it came from.
        func string(_ flagValue: String?, _ flag: String) -> (String, String)? {
            if let flagValue { return (flagValue, "--\(flag)") }
            if let text = environment[Self.variable(flag)] { return (text, Self.variable(flag)) }
            return nil
        }
    }
}
