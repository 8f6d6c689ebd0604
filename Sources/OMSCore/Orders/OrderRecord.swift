import KeyValueStorage
import OMSProto

/// The stored order and everything written with each of its versions: the
/// record in `orders`, its `order_index` keys, the report rollups, the event
/// and audit row, and the history entry naming that event. Every order
/// command ends with `write`, so the indexes, rollups and history never
/// disagree with the record.
enum OrderRecord {
    /// The current record of order `id`, or NOT_FOUND.
    static func load(_ id: String, in context: CommandContext) throws -> Oms_V1_Order {
        guard let bytes = try context.transaction.get(context.families.orders, Array(id.utf8)) else {
            throw DomainError(.notFound, "order \(id) not found", reason: "ORDER_NOT_FOUND")
        }
        return try Oms_V1_Order(serializedBytes: bytes)
    }

    /// Writes `order` (a new version of `previous`, or a new order) with its
    /// index keys, rollups, `eventType` event, audit row and history entry.
    static func write(
        _ order: Oms_V1_Order, previous: Oms_V1_Order?, action: String, detail: String, event eventType: String,
        in context: inout CommandContext
    ) throws {
        let families = context.families
        context.transaction.put(families.orders, Array(order.id.utf8), order.serializedBytes())
        let oldKeys = previous.map(OrderIndex.keys) ?? []
        let newKeys = OrderIndex.keys(order)
        for key in oldKeys where !newKeys.contains(key) { context.transaction.delete(families.orderIndex, key) }
        let id = Array(order.id.utf8)
        for key in newKeys where !oldKeys.contains(key) { context.transaction.put(families.orderIndex, key, id) }
        try Rollups.orderChanged(from: previous, to: order, families: families, transaction: &context.transaction)
        let sequence = try context.record(eventType, resource: "order", id: order.id, payload: .order(order))
        var entry = Oms_V1_OrderHistoryEntry()
        entry.orderID = order.id
        entry.version = order.version
        entry.atMillis = order.updatedAtMillis
        entry.actor = context.actor
        entry.action = action
        entry.fromStatus = previous?.status ?? .unspecified
        entry.toStatus = order.status
        entry.detail = detail
        entry.requestID = context.requestID
        entry.eventSequence = sequence
        context.transaction.put(
            families.orderIndex, OrderIndex.historyKey(order.id, version: order.version), entry.serializedBytes())
    }
}
