import KeyValueStorage
import OMSProto

/// The `stock.low` event: appended (same batch) when a level's position
/// (available + incoming) falls from at or above its reorder point to below
/// it. Raised from `StockLedger`, which every stock change goes through, so
/// order reservations raise it too; the command's own event, appended after,
/// carries a later sequence, so watchers are woken for both.
enum LowStockAlert {
    static func check(
        before: Oms_V1_StockLevel, after: Oms_V1_StockLevel, actor: String, requestID: String,
        families: ColumnFamilies, transaction: inout WriteTransaction
    ) throws {
        let was = before.available + before.incoming
        let now = after.available + after.incoming
        guard now < was else { return }
        let key = StockLedger.reorderPolicyKey(warehouse: after.warehouseCode, sku: after.sku)
        guard let bytes = try transaction.get(families.stock, key) else { return }
        let policy = try Oms_V1_ReorderPolicy(serializedBytes: bytes)
        guard was >= policy.reorderPoint, now < policy.reorderPoint else { return }
        var event = Oms_V1_Event()
        event.type = "stock.low"
        event.occurredAtMillis = transaction.now / 1_000_000
        event.actor = actor
        event.resourceType = "stock"
        event.resourceID = "\(after.sku)@\(after.warehouseCode)"
        event.requestID = requestID
        event.payload = .stock(after)
        // As EventLog.append does: the next global sequence, keyed big-endian.
        event.sequence = try MetaCounter.next(EventLog.counterName, transaction: &transaction, families: families)
        transaction.put(families.events, KeyCodec.encode(event.sequence), event.serializedBytes())
    }
}
