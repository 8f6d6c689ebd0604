public import KeyValueStorage
public import OMSProto

/// What a command has while it runs on the single writer: the write
/// transaction, who asked, the idempotency key and the method, and the event
/// feed it records its changes on (`record`).
///
/// Its parts are stored properties, so a command may pass
/// `&context.transaction` to a helper while reading `context.families`.
public struct CommandContext {
    public var transaction: WriteTransaction
    /// The API key (or `omsd` for the daemon's own jobs) the change is made by.
    public let actor: String
    /// The request's `request_id` (empty: none).
    public let requestID: String
    /// The RPC path (or a job's name, `omsd/OrderTimers`) named in audit rows.
    public let method: String
    public let families: ColumnFamilies
    public let events: EventLog
    /// The sequence of the last event recorded, 0 for none: the framework
    /// wakes event watchers up to it once the change is durable.
    public private(set) var lastEventSequence: UInt64 = 0

    init(transaction: WriteTransaction, actor: String, requestID: String, method: String, store: OMSStore) {
        self.transaction = transaction
        self.actor = actor
        self.requestID = requestID
        self.method = method
        self.families = store.families
        self.events = store.events
    }

    /// The command's time in epoch milliseconds (never decreasing in commit order).
    public var nowMillis: Int64 { transaction.now / 1_000_000 }

    /// Records one change: an event on the global feed and its audit row,
    /// both in the command's batch (so neither exists unless the change does).
    /// Returns the event's sequence.
    @discardableResult
    public mutating func record(
        _ type: String, resource resourceType: String, id resourceID: String, payload: Oms_V1_Event.OneOf_Payload?
    ) throws -> UInt64 {
        let now = nowMillis
        var event = Oms_V1_Event()
        event.type = type
        event.occurredAtMillis = now
        event.actor = actor
        event.resourceType = resourceType
        event.resourceID = resourceID
        event.requestID = requestID
        event.payload = payload
        event = try events.append(event, to: &transaction)

        var audit = Oms_V1_AuditRecord()
        audit.atMillis = now
        audit.actor = actor
        audit.method = method
        audit.resourceType = resourceType
        audit.resourceID = resourceID
        audit.requestID = requestID
        audit.eventSequence = event.sequence
        AuditLog.append(audit, to: &transaction, families: families, uniquifier: event.sequence)
        lastEventSequence = event.sequence
        return event.sequence
    }

    /// Records an audit row with no event, for what changes no business
    /// record on the feed (API keys, exports, rollup checks). Such rows take
    /// their uniquifier from the counter `sequence` with the top bit set, so
    /// they never collide with an event-numbered row of the same millisecond.
    /// `requestID` names the caller's request where it is not the command's
    /// idempotency key (RebuildRollups audits its `request_id` only).
    public mutating func audit(
        resource resourceType: String, id resourceID: String, sequence: String, requestID: String? = nil
    ) throws {
        var audit = Oms_V1_AuditRecord()
        audit.atMillis = nowMillis
        audit.actor = actor
        audit.method = method
        audit.resourceType = resourceType
        audit.resourceID = resourceID
        audit.requestID = requestID ?? self.requestID
        let counter = try MetaCounter.next(sequence, transaction: &transaction, families: families)
        AuditLog.append(audit, to: &transaction, families: families, uniquifier: counter | 1 << 63)
    }
}
