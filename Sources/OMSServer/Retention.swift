public import Logging
public import OMSCore

/// Removes records older than a retention period, hourly, through the single
/// writer: old events from the global feed, and old `request_id` records (a
/// retry after that long runs as a new request). A period of 0 keeps
/// everything.
public final class Retention: Sendable {
    public static let defaultIdempotencyDays = 7

    /// Removes what is older than the cutoff (epoch milliseconds); returns how many.
    typealias Trim = @Sendable (_ store: OMSStore, _ cutoffMillis: Int64) async throws -> Int

    let store: OMSStore
    let retentionMillis: Int64
    private let trim: Trim
    private let periodic: PeriodicTask?

    init(
        _ what: String, store: OMSStore, days: Int, interval: Duration, logger: Logger, trim: @escaping Trim
    ) {
        let retentionMillis = Int64(days) * 86_400_000
        self.store = store
        self.retentionMillis = retentionMillis
        self.trim = trim
        periodic =
            retentionMillis == 0
            ? nil
            : PeriodicTask(name: "\(what) retention", interval: interval, logger: logger) {
                let removed = try await trim(store, store.clock.nowMillis() - retentionMillis)
                if removed > 0 { logger.info("retention removed old \(what)", metadata: ["count": "\(removed)"]) }
            }
    }

    /// Keeps `days` of the global event feed (WatchEvents resuming before the
    /// oldest kept event gets OUT_OF_RANGE).
    public static func events(
        store: OMSStore, days: Int, interval: Duration = .seconds(3600), logger: Logger
    )
        -> Retention
    {
        Retention("events", store: store, days: days, interval: interval, logger: logger) { store, cutoff in
            let batch = 5000
            var total = 0
            while true {
                let removed = try await store.trimEvents(olderThan: cutoff, limit: batch)
                total += removed
                if removed < batch { return total }
            }
        }
    }

    /// Remembers each `request_id` for `days`.
    public static func idempotency(
        store: OMSStore, days: Int, interval: Duration = .seconds(3600), logger: Logger
    ) -> Retention {
        Retention("request_id records", store: store, days: days, interval: interval, logger: logger) { store, cutoff in
            var total = 0
            var after: [UInt8]? = nil
            repeat {
                let pass = try await Idempotency.trim(olderThan: cutoff, after: after, store: store)
                total += pass.removed
                after = pass.resumeAfter
            } while after != nil
            return total
        }
    }

    /// Removes everything expired now; returns how many records.
    @discardableResult
    public func trimNow() async throws -> Int {
        guard retentionMillis > 0 else { return 0 }
        return try await trim(store, store.clock.nowMillis() - retentionMillis)
    }

    public func start() { periodic?.start() }

    public func stop() async { await periodic?.stop() }
}
