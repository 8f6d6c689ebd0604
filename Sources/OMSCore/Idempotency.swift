public import KeyValueStorage
public import OMSProto

/// `request_id` idempotency for mutating RPCs: the key's rules, the request
/// fingerprint and retention. The replay-or-record itself is `IdempotencyKey`,
/// run by the command framework for every command.
public enum Idempotency {
    public static let maxRequestIDLength = 128

    /// The request's canonical bytes hashed. Callers clear `request_id` first
    /// (it is the key, not part of the request's meaning); encoding is
    /// deterministic (fields in number order, map entries sorted by key).
    public static func fingerprint<Request: ProtoMessage>(_ request: Request) -> [UInt8] {
        SHA256.hash(request.serializedBytes())
    }

    /// One pass of retention: reads up to `limit` records after `after`
    /// (a key from the previous pass; nil starts at the beginning) from a
    /// snapshot, then deletes the ones created before `cutoffMillis` through
    /// the single writer, which checks each again so nothing newer goes.
    /// Returns how many it removed and where the next pass starts (nil: the
    /// end was reached). A retry after its record was removed runs again, so
    /// the retention period must outlast any client's retries.
    public static func trim(
        olderThan cutoffMillis: Int64, after: [UInt8]?, limit: Int = 5000, store: OMSStore
    ) async throws -> (removed: Int, resumeAfter: [UInt8]?) {
        let families = store.families
        let rows = try store.engine.scan(families.idempotency, prefix: [], after: after, limit: limit)
        let expired = try rows.compactMap { row in
            try Oms_V1_IdempotencyRecord(serializedBytes: row.value).createdAtMillis < cutoffMillis ? row.key : nil
        }
        let resumeAfter = rows.count == limit ? rows.last?.key : nil
        guard !expired.isEmpty else { return (0, resumeAfter) }
        let removed = try await store.writer.perform { transaction in
            var removed = 0
            for key in expired {
                guard let bytes = try transaction.get(families.idempotency, key),
                    try Oms_V1_IdempotencyRecord(serializedBytes: bytes).createdAtMillis < cutoffMillis
                else { continue }
                transaction.delete(families.idempotency, key)
                removed += 1
            }
            return removed
        }
        return (removed, resumeAfter)
    }

    public static func validate(_ requestID: String, field: String = "request_id", into validator: inout Validator) {
        validator.check(
            requestID.utf8.count <= maxRequestIDLength, field, "must be at most \(maxRequestIDLength) bytes")
        validator.check(
            requestID.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }, field,
            "must be printable ASCII without spaces")
    }
}
