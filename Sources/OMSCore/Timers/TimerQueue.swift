import KeyValueStorage
public import OMSProto

/// Durable timers: rows of `timers` keyed by the due time (big-endian
/// milliseconds) then the order id, so "everything due by now" is one
/// forward scan from the start, and timers survive restarts.
public enum TimerQueue {
    public static let paymentDeadline = "payment_deadline"
    public static let autoComplete = "auto_complete"

    static func key(dueAtMillis: Int64, orderID: String) -> [UInt8] {
        var key: [UInt8] = []
        KeyCodec.append(UInt64(max(0, dueAtMillis)), to: &key)
        key.append(contentsOf: orderID.utf8)
        return key
    }

    static func schedule(_ timer: Oms_V1_OrderTimer, transaction: inout WriteTransaction, families: ColumnFamilies) {
        transaction.put(
            families.timers, key(dueAtMillis: timer.dueAtMillis, orderID: timer.orderID), timer.serializedBytes())
    }

    static func cancel(
        dueAtMillis: Int64, orderID: String, transaction: inout WriteTransaction, families: ColumnFamilies
    ) {
        transaction.delete(families.timers, key(dueAtMillis: dueAtMillis, orderID: orderID))
    }

    /// Timers due at or before `nowMillis`, earliest first.
    static func due(
        nowMillis: Int64, limit: Int, transaction: WriteTransaction, families: ColumnFamilies
    ) throws -> [(key: [UInt8], timer: Oms_V1_OrderTimer)] {
        var upper: [UInt8] = []
        KeyCodec.append(UInt64(max(0, nowMillis)) + 1, to: &upper)
        return try transaction.scan(families.timers, from: [], to: upper, limit: limit).map {
            ($0.key, try Oms_V1_OrderTimer(serializedBytes: $0.value))
        }
    }

    /// The earliest pending timer's due time, from durable state.
    public static func nextDueMillis(in store: OMSStore) throws -> Int64? {
        guard let first = try store.engine.scan(store.families.timers, prefix: [], limit: 1).first else {
            return nil
        }
        var reader = KeyCodec.Reader(first.key)
        return Int64(bitPattern: try reader.readUInt64())
    }

    /// Every pending timer (tests and diagnostics).
    public static func pending(in store: OMSStore) throws -> [Oms_V1_OrderTimer] {
        try store.engine.scan(store.families.timers, prefix: [], limit: Int.max).map {
            try Oms_V1_OrderTimer(serializedBytes: $0.value)
        }
    }
}
