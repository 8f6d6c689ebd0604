public import Logging
public import OMSCore
import Synchronization

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
    let logger: Logger
    private let task = Mutex<Task<Void, Never>?>(nil)

    public init(
        orders: Orders, store: OMSStore, config: Config = .defaults, logger: Logger = Logger(label: "omsd.timers")
    ) {
        self.orders = orders
        self.store = store
        self.config = config
        self.logger = logger
    }

    /// Fires every timer due now; returns how many fired.
    @discardableResult
    public func fireDueTimers() async throws -> Int {
        var total = 0
        let batch = 256
        while true {
            let fired = try await orders.fireDueTimers(limit: batch)
            total += fired
            if fired < batch { return total }
        }
    }

    /// Starts the background loop. Idempotent.
    public func start() {
        task.withLock { task in
            guard task == nil else { return }
            task = Task { [self] in
                while !Task.isCancelled {
                    do {
                        if let next = try TimerQueue.nextDueMillis(in: store), next <= store.clock.nowMillis() {
                            let fired = try await fireDueTimers()
                            if fired > 0 { logger.info("payment deadlines fired", metadata: ["timers": "\(fired)"]) }
                        }
                    } catch {
                        if Task.isCancelled { return }
                        logger.warning("timer run failed: \(error)")
                    }
                    try? await Task.sleep(for: config.pollInterval)
                }
            }
        }
    }

    /// Stops the loop and waits for a run in progress. Call before closing the store.
    public func stop() async {
        let running = task.withLock { task in
            defer { task = nil }
            return task
        }
        running?.cancel()
        await running?.value
    }
}
