import KeyValueStorage
import OMSProto

/// The stock an order holds: `reservations` rows (order × line × warehouse)
/// matched by the levels' `reserved` and RESERVATION / SHIPMENT / RELEASE
/// ledger rows, so `reserved == open reservations` holds after every
/// command. Orders reserve when created or re-lined, consume when shipped
/// and release when cancelled, rejected, re-lined or expired.
enum StockReservation {
    /// Exact reservation: allocates `lines` against current availability
    /// (all or nothing), writes the reservations, levels and ledger rows, and
    /// records them on the lines.
    static func reserve(
        _ lines: inout [Oms_V1_OrderLine], orderID: String, in context: inout CommandContext
    ) throws -> [WarehouseAllocator.Piece] {
        let now = context.nowMillis
        let families = context.families
        // Only warehouses holding a level of one of the skus can take part, so
        // they are read by key (a warehouse without stock changes nothing).
        var priorities: [String: Int32] = [:]
        var unknown: Set<String> = []
        var available: [String: [String: Int64]] = [:]
        for sku in Set(lines.map(\.sku)) {
            for level in try StockLedger.levels(context.transaction, families: families, sku: sku) {
                let code = level.warehouseCode
                if priorities[code] == nil && !unknown.contains(code) {
                    if let bytes = try context.transaction.get(families.stock, StockLedger.warehouseKey(code)) {
                        priorities[code] = try Oms_V1_Warehouse(serializedBytes: bytes).priority
                    } else {
                        unknown.insert(code)
                    }
                }
                if priorities[code] != nil {
                    available[sku, default: [:]][code] = level.onHand - level.reserved
                }
            }
        }
        let allocator = WarehouseAllocator(warehouses: priorities.map { .init(code: $0.key, priority: $0.value) })
        let pieces = try allocator.allocate(lines: lines.map { ($0.sku, $0.quantity) }, available: available)
        for piece in pieces {
            let sku = lines[piece.lineIndex].sku
            try StockLedger.apply(
                &context.transaction, families: families, sku: sku, warehouse: piece.warehouse, kind: .reservation,
                onHandDelta: 0, reservedDelta: piece.quantity, reason: "order \(orderID) line \(piece.lineIndex)",
                orderID: orderID, requestID: context.requestID, actor: context.actor)
            var record = Oms_V1_ReservationRecord()
            record.orderID = orderID
            record.lineIndex = UInt32(piece.lineIndex)
            record.sku = sku
            record.warehouseCode = piece.warehouse
            record.quantity = piece.quantity
            record.createdAtMillis = now
            context.transaction.put(
                families.reservations, key(orderID: orderID, lineIndex: piece.lineIndex, warehouse: piece.warehouse),
                record.serializedBytes())
            var reservation = Oms_V1_LineReservation()
            reservation.warehouseCode = piece.warehouse
            reservation.quantity = piece.quantity
            reservation.reason = piece.reason
            lines[piece.lineIndex].reservations.append(reservation)
        }
        return pieces
    }

    /// The `reservations` key of one line's reservation in one warehouse.
    static func key(orderID: String, lineIndex: Int, warehouse: String) -> [UInt8] {
        var key: [UInt8] = []
        KeyCodec.append(orderID, to: &key)
        KeyCodec.append(UInt32(lineIndex), to: &key)
        KeyCodec.append(warehouse, to: &key)
        return key
    }

    /// Takes `quantity` of a line from its reservations, warehouse by
    /// warehouse in allocation order, writing SHIPMENT ledger rows (on-hand
    /// and reserved both go down).
    static func consume(
        _ order: inout Oms_V1_Order, lineIndex: Int, quantity: Int64, shipmentID: String,
        in context: inout CommandContext
    ) throws {
        let families = context.families
        var missing = quantity
        for slot in order.lines[lineIndex].reservations.indices where missing > 0 {
            let warehouse = order.lines[lineIndex].reservations[slot].warehouseCode
            let key = Self.key(orderID: order.id, lineIndex: lineIndex, warehouse: warehouse)
            guard let bytes = try context.transaction.get(families.reservations, key) else { continue }
            var record = try Oms_V1_ReservationRecord(serializedBytes: bytes)
            let take = min(record.quantity, missing)
            try StockLedger.apply(
                &context.transaction, families: families, sku: record.sku, warehouse: warehouse, kind: .shipment,
                onHandDelta: -take, reservedDelta: -take, reason: "shipment \(shipmentID) of order \(order.id)",
                orderID: order.id, requestID: context.requestID, actor: context.actor)
            record.quantity -= take
            missing -= take
            if record.quantity == 0 {
                context.transaction.delete(families.reservations, key)
                order.lines[lineIndex].reservations[slot].released = true
            } else {
                context.transaction.put(families.reservations, key, record.serializedBytes())
            }
        }
        guard missing == 0 else {
            throw DomainError(
                .internalError, "order \(order.id) line \(lineIndex) has less reserved than it ships",
                reason: "RESERVATION_MISSING")
        }
    }

    /// Releases every open reservation of `order` (ledger rows, levels),
    /// marks its line reservations released and drops its payment deadline:
    /// the order no longer holds stock.
    static func release(_ order: inout Oms_V1_Order, reason: String, in context: inout CommandContext) throws {
        try releaseReservations(order.id, reason: reason, in: &context)
        for index in order.lines.indices {
            for slot in order.lines[index].reservations.indices {
                order.lines[index].reservations[slot].released = true
            }
        }
        if order.paymentDueAtMillis > 0 {
            TimerQueue.cancel(
                dueAtMillis: order.paymentDueAtMillis, orderID: order.id, transaction: &context.transaction,
                families: context.families)
        }
    }

    /// Releases the open reservations of an order (ledger rows and levels).
    static func releaseReservations(_ orderID: String, reason: String, in context: inout CommandContext) throws {
        let families = context.families
        var prefix: [UInt8] = []
        KeyCodec.append(orderID, to: &prefix)
        for row in try context.transaction.scan(families.reservations, prefix: prefix, limit: Int.max) {
            let record = try Oms_V1_ReservationRecord(serializedBytes: row.value)
            try StockLedger.apply(
                &context.transaction, families: families, sku: record.sku, warehouse: record.warehouseCode,
                kind: .release, onHandDelta: 0, reservedDelta: -record.quantity, reason: reason, orderID: orderID,
                requestID: context.requestID, actor: context.actor)
            context.transaction.delete(families.reservations, row.key)
        }
    }
}
