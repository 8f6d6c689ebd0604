public import Logging
public import OMSCore

/// Fires durable order timers (payment deadlines) as the store's clock
/// passes their due time. Timers are rows in `timers`, so a restarted
/// daemon picks up where the last one stopped.
///
/// The runner polls the injected clock every `pollInterval` (real time),
/// so a `ManualClock` moved forward in a test is noticed on the next tick;
/// tests that need determinism call `fireDueTimers()` directly.
public final class TimerRunner: Sendable {
    public struct Config: Sendable {
        public var pollInterval: Duration = .seconds(1)
        public init() {}
        public static var defaults: Config { Config() }
    }

    let orders: Orders
    let store: OMSStore
    let config: Config
    private let periodic: PeriodicTask

    public init(
        orders: Orders, store: OMSStore, config: Config = .defaults, logger: Logger = Logger(label: "omsd.timers")
    ) {
        self.orders = orders
        self.store = store
        self.config = config
        periodic = PeriodicTask(name: "timer run", interval: config.pollInterval, logger: logger) {
            if let next = try TimerQueue.nextDueMillis(in: store), next <= store.clock.nowMillis() {
                let fired = try await Self.fireDueTimers(orders)
                if fired > 0 { logger.info("payment deadlines fired", metadata: ["timers": "\(fired)"]) }
            }
        }
    }

    /// Fires every timer due now; returns how many fired.
    @discardableResult
    public func fireDueTimers() async throws -> Int {
        try await Self.fireDueTimers(orders)
    }

    private static func fireDueTimers(_ orders: Orders) async throws -> Int {
        var total = 0
        let batch = 256
        while true {
            let fired = try await orders.fireDueTimers(limit: batch)
            total += fired
            if fired < batch { return total }
        }
    }

    /// Starts the background loop. Idempotent.
    public func start() { periodic.start() }

    /// Stops the loop and waits for a run in progress. Call before closing the store.
    public func stop() async { await periodic.stop() }
}
