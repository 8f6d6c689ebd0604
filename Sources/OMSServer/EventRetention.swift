public import Logging
public import OMSCore

/// Removes events older than the retention period from the global feed,
/// periodically, through the single writer. Without a period nothing is
/// removed (the feed is kept forever).
public final class EventRetention: Sendable {
    let store: OMSStore
    let retentionMillis: Int64
    private let periodic: PeriodicTask?

    /// - Parameters:
    ///   - days: how long events are kept; 0 keeps them forever.
    ///   - interval: how often to look for expired events.
    public init(store: OMSStore, days: Int, interval: Duration = .seconds(3600), logger: Logger) {
        let retentionMillis = Int64(days) * 86_400_000
        self.store = store
        self.retentionMillis = retentionMillis
        periodic =
            retentionMillis == 0
            ? nil
            : PeriodicTask(name: "event retention", interval: interval, logger: logger) {
                let removed = try await Self.trim(store: store, retentionMillis: retentionMillis)
                if removed > 0 { logger.info("event retention removed old events", metadata: ["events": "\(removed)"]) }
            }
    }

    /// Removes every expired event now; returns how many.
    @discardableResult
    public func trimNow() async throws -> Int {
        try await Self.trim(store: store, retentionMillis: retentionMillis)
    }

    public func start() { periodic?.start() }

    public func stop() async { await periodic?.stop() }

    private static func trim(store: OMSStore, retentionMillis: Int64) async throws -> Int {
        guard retentionMillis > 0 else { return 0 }
        let cutoff = store.clock.nowMillis() - retentionMillis
        var total = 0
        while true {
            let removed = try await store.events.trim(olderThan: cutoff, writer: store.writer)
            total += removed
            if removed < 5000 { return total }
        }
    }
}
