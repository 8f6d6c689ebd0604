public import OMSProto
public import Storage

/// Runs an orders/inventory/customers command on the single writer and
/// publishes its events once the batch is durable. The command returns its
/// response and the last event sequence it appended (0 when it appended
/// none, e.g. an idempotent replay).
enum DomainCommand {
    static func submit<Response: Sendable>(
        _ store: OMSStore, _ command: @escaping @Sendable (inout WriteTransaction) throws -> (Response, UInt64),
        completion: @escaping @Sendable (Result<Response, any Error>) -> Void
    ) {
        store.writer.submit(command) { result in
            switch result {
            case .success(let (response, sequence)):
                if sequence > 0 { store.events.didCommit(upTo: sequence) }
                completion(.success(response))
            case .failure(let error):
                completion(.failure(error))
            }
        }
    }

    static func perform<Response: Sendable>(
        _ store: OMSStore, _ command: @escaping @Sendable (inout WriteTransaction) throws -> (Response, UInt64)
    ) async throws -> Response {
        try await withCheckedThrowingContinuation { continuation in
            submit(store, command) { continuation.resume(with: $0) }
        }
    }
}

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

/// Counters kept in `meta` and advanced inside the writer's transaction, so
/// a rolled-back command gives its number back.
enum MetaCounter {
    static func next(_ name: String, transaction: inout WriteTransaction, families: ColumnFamilies) throws -> UInt64 {
        let key = Array(name.utf8)
        var current: UInt64 = 0
        if let bytes = try transaction.get(families.meta, key) {
            var reader = KeyCodec.Reader(bytes)
            current = try reader.readUInt64()
        }
        transaction.put(families.meta, key, KeyCodec.encode(current + 1))
        return current + 1
    }
}
