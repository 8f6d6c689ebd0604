public import Logging
public import OMSCore
import Synchronization

/// Removes events older than the retention period from the global feed,
/// periodically, through the single writer. Without a period nothing is
/// removed (the feed is kept forever).
public final class EventRetention: Sendable {
    let store: OMSStore
    let retentionMillis: Int64
    let interval: Duration
    let logger: Logger
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// - Parameters:
    ///   - days: how long events are kept; 0 keeps them forever.
    ///   - interval: how often to look for expired events.
    public init(store: OMSStore, days: Int, interval: Duration = .seconds(3600), logger: Logger) {
        self.store = store
        self.retentionMillis = Int64(days) * 86_400_000
        self.interval = interval
        self.logger = logger
    }

    /// Removes every expired event now; returns how many.
    @discardableResult
    public func trimNow() async throws -> Int {
        guard retentionMillis > 0 else { return 0 }
        let cutoff = store.clock.nowMillis() - retentionMillis
        var total = 0
        while true {
            let removed = try await store.events.trim(olderThan: cutoff, writer: store.writer)
            total += removed
            if removed < 5000 { return total }
        }
    }

    public func start() {
        guard retentionMillis > 0 else { return }
        task.withLock { task in
            guard task == nil else { return }
            task = Task { [self] in
                while !Task.isCancelled {
                    do {
                        let removed = try await trimNow()
                        if removed > 0 { logger.info("event retention removed old events", metadata: ["events": "\(removed)"]) }
                    } catch {
                        if Task.isCancelled { return }
                        logger.warning("event retention failed: \(error)")
                    }
                    try? await Task.sleep(for: interval)
                }
            }
        }
    }

    public func stop() async {
        let running = task.withLock { task in
            defer { task = nil }
            return task
        }
        running?.cancel()
        await running?.value
    }
}
