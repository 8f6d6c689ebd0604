import KeyValueStorage
public import OMSProto

/// Reservation hygiene. A reservation is a lease owned by an order line; it
/// is open while the order exists and is not closed (cancelled, shipped,
/// delivered, completed, returned, refunded). The reconciler proves, for
/// every sku × warehouse, reserved == sum of open leases, and lists orphan
/// leases and mismatches: as a report from a snapshot
/// (`Inventory.reservationReport`, ReconcileReservations without `repair`),
/// or with `repair` as this command on the single writer: orphans are
/// released (RELEASE rows, record deleted) and each remaining mismatch is
/// corrected with one row (reserved set to the open sum), all in the same
/// batch, event and audit included.
public struct ReconcileReservations: WriteCommand {
    public static let method = Oms_V1_InventoryService.Method.reconcileReservations
    static let closedOrderStatuses: Set<Oms_V1_OrderStatus> = [
        .cancelled, .shipped, .delivered, .completed, .returned, .refunded,
    ]

    public init() {}

    /// Only a repair is a command: a report reads a snapshot instead and
    /// never waits for the writer.
    public func validate(_ request: Oms_V1_ReconcileReservationsRequest, into validator: inout Validator) {
        validator.check(request.repair, "repair", "must be true; a report (repair false) reads a snapshot")
    }

    public func apply(
        _ request: Oms_V1_ReconcileReservationsRequest, in context: inout CommandContext
    ) throws -> Oms_V1_ReconcileReservationsResponse {
        let families = context.families
        var (response, orphanKeys) = try Self.findDiscrepancies(StockReader(context.transaction), families: families)
        guard !response.orphans.isEmpty || !response.mismatches.isEmpty else { return response }
        for (orphan, key) in zip(response.orphans, orphanKeys) {
            let level = try StockLedger.level(
                context.transaction, families: families, sku: orphan.sku, warehouse: orphan.warehouseCode)
            let release = min(orphan.quantity, level.reserved)
            if release > 0 {
                let result = try StockLedger.applyAll(
                    &context.transaction, families: families, sku: orphan.sku, warehouse: orphan.warehouseCode,
                    kind: .release, onHandDelta: 0, reservedDelta: -release,
                    reason:
                        "reconciler: orphan lease of \(orphan.orderID) line \(orphan.lineIndex) (\(orphan.why))",
                    orderID: orphan.orderID, requestID: request.requestID, reference: "reconciler", actor: context.actor
                )
                response.moves += result.moves
            }
            context.transaction.delete(families.reservations, key)
        }
        for mismatch in response.mismatches {
            let level = try StockLedger.level(
                context.transaction, families: families, sku: mismatch.sku, warehouse: mismatch.warehouseCode)
            let delta = mismatch.openReservations - level.reserved
            guard delta != 0 else { continue }
            let result = try StockLedger.applyAll(
                &context.transaction, families: families, sku: mismatch.sku, warehouse: mismatch.warehouseCode,
                kind: delta > 0 ? .reservation : .release, onHandDelta: 0, reservedDelta: delta,
                reason:
                    "reconciler: reserved \(level.reserved) set to open reservations \(mismatch.openReservations)",
                requestID: request.requestID, reference: "reconciler", actor: context.actor)
            response.moves += result.moves
        }
        response.repaired = true
        try context.record("reservations.reconciled", resource: "stock", id: "reservations", payload: nil)
        return response
    }

    static func findDiscrepancies(
        _ reader: StockReader, families: ColumnFamilies
    ) throws
        -> (response: Oms_V1_ReconcileReservationsResponse, orphanKeys: [[UInt8]])
    {
        var response = Oms_V1_ReconcileReservationsResponse()
        var orphanKeys: [[UInt8]] = []
        var open: [String: Int64] = [:]
        var orderStatus: [String: Oms_V1_OrderStatus?] = [:]
        for row in try reader.scan(families.reservations, []) {
            response.reservationsChecked += 1
            let record = try Oms_V1_ReservationRecord(serializedBytes: row.value)
            if orderStatus[record.orderID] == nil {
                // updateValue keeps a nil status (order not found) as a value.
                orderStatus.updateValue(
                    try reader.get(families.orders, Array(record.orderID.utf8)).map {
                        try Oms_V1_Order(serializedBytes: $0).status
                    }, forKey: record.orderID)
            }
            let status = orderStatus[record.orderID]!
            if status == nil || Self.closedOrderStatuses.contains(status!) {
                var orphan = Oms_V1_OrphanReservation()
                orphan.orderID = record.orderID
                orphan.lineIndex = record.lineIndex
                orphan.sku = record.sku
                orphan.warehouseCode = record.warehouseCode
                orphan.quantity = record.quantity
                orphan.why = status.map { "order is \($0)" } ?? "order not found"
                response.orphans.append(orphan)
                orphanKeys.append(row.key)
            } else {
                open["\(record.sku)@\(record.warehouseCode)", default: 0] += record.quantity
            }
        }
        var seen: Set<String> = []
        for row in try reader.scan(families.stock, [StockLedger.levelTag]) {
            response.levelsChecked += 1
            let level = try Oms_V1_StockLevel(serializedBytes: row.value)
            let key = "\(level.sku)@\(level.warehouseCode)"
            seen.insert(key)
            let sum = open[key] ?? 0
            let orphaned = response.orphans.filter { "\($0.sku)@\($0.warehouseCode)" == key }.reduce(0) {
                $0 + $1.quantity
            }
            // After releasing the orphans, reserved must equal the open sum.
            if level.reserved - orphaned != sum {
                var mismatch = Oms_V1_ReservationMismatch()
                mismatch.sku = level.sku
                mismatch.warehouseCode = level.warehouseCode
                mismatch.reserved = level.reserved - orphaned
                mismatch.openReservations = sum
                mismatch.difference = level.reserved - orphaned - sum
                response.mismatches.append(mismatch)
            }
        }
        for (key, sum) in open.sorted(by: { $0.key < $1.key }) where !seen.contains(key) {
            let parts = key.split(separator: "@", maxSplits: 1).map(String.init)
            var mismatch = Oms_V1_ReservationMismatch()
            mismatch.sku = parts[0]
            mismatch.warehouseCode = parts[1]
            mismatch.openReservations = sum
            mismatch.difference = -sum
            response.mismatches.append(mismatch)
        }
        return (response, orphanKeys)
    }
}

extension Inventory {
    /// Report only, from a snapshot.
    public func reservationReport() throws -> Oms_V1_ReconcileReservationsResponse {
        let snapshot = try store.engine.readView()
        return try ReconcileReservations.findDiscrepancies(StockReader(snapshot), families: store.families).response
    }
}
