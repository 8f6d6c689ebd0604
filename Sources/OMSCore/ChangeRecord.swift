import KeyValueStorage
import OMSProto

/// Appends the event and the audit row of one change (same batch as the
/// change) and returns the event's sequence.
enum ChangeRecord {
    static func append(
        store: OMSStore, transaction: inout WriteTransaction, type: String, resourceType: String,
        resourceID: String, actor: String, requestID: String, method: String,
        payload: Oms_V1_Event.OneOf_Payload?
    ) throws -> UInt64 {
        let now = transaction.now / 1_000_000
        var event = Oms_V1_Event()
        event.type = type
        event.occurredAtMillis = now
        event.actor = actor
        event.resourceType = resourceType
        event.resourceID = resourceID
        event.requestID = requestID
        event.payload = payload
        event = try store.events.append(event, to: &transaction)

        var audit = Oms_V1_AuditRecord()
        audit.atMillis = now
        audit.actor = actor
        audit.method = method
        audit.resourceType = resourceType
        audit.resourceID = resourceID
        audit.requestID = requestID
        audit.eventSequence = event.sequence
        AuditLog.append(audit, to: &transaction, families: store.families, uniquifier: event.sequence)
        return event.sequence
    }
}
