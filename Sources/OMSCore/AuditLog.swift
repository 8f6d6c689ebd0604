public import KeyValueStorage
public import OMSProto

/// Who did what: one `audit` row per mutating command, in the command's batch.
/// Keyed by big-endian time then event sequence (or a per-process counter),
/// so rows list in time order.
public enum AuditLog {
    public static func append(
        _ record: Oms_V1_AuditRecord, to transaction: inout WriteTransaction, families: ColumnFamilies,
        uniquifier: UInt64
    ) {
        var key: [UInt8] = []
        KeyCodec.append(record.atMillis, to: &key)
        KeyCodec.append(uniquifier, to: &key)
        transaction.put(families.audit, key, record.serializedBytes())
    }

    /// Audit rows from `fromMillis` on, oldest first.
    public static func records(
        in view: any ReadView, families: ColumnFamilies, fromMillis: Int64, limit: Int
    ) throws -> [Oms_V1_AuditRecord] {
        var start: [UInt8] = []
        KeyCodec.append(fromMillis, to: &start)
        return try view.scan(families.audit, from: start, to: nil, limit: limit).map {
            try Oms_V1_AuditRecord(serializedBytes: $0.value)
        }
    }
}
