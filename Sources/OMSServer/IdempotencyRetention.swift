public import Logging
public import OMSCore

/// Removes `request_id` records older than the retention period, so the
/// `idempotency` column family does not grow forever. A client retrying
/// with the same request_id after that long runs its request again.
public final class IdempotencyRetention: Sendable {
    public static let defaultDays = 7

    let store: OMSStore
    let retentionMillis: Int64
    private let periodic: PeriodicTask?

    /// - Parameters:
    ///   - days: how long records are kept; 0 keeps them forever.
    ///   - interval: how often to look for expired records.
    public init(store: OMSStore, days: Int, interval: Duration = .seconds(3600), logger: Logger) {
        let retentionMillis = Int64(days) * 86_400_000
        self.store = store
        self.retentionMillis = retentionMillis
        periodic =
            retentionMillis == 0
            ? nil
            : PeriodicTask(name: "idempotency retention", interval: interval, logger: logger) {
                let removed = try await Self.trim(store: store, retentionMillis: retentionMillis)
                if removed > 0 {
                    logger.info("idempotency retention removed old request_id records", metadata: ["records": "\(removed)"])
                }
            }
    }

    /// Removes every expired record now (one pass over the column family); returns how many.
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
        var after: [UInt8]? = nil
        repeat {
            let pass = try await Idempotency.trim(olderThan: cutoff, after: after, store: store)
            total += pass.removed
            after = pass.resumeAfter
        } while after != nil
        return total
    }
}
