import KeyValueStorage
import OMSProto

/// Stock levels and their ledger. Every change of `on_hand` or `reserved`
/// goes through `apply`, and every ledger row through `appendRow`, which
/// writes the row and feeds `Rollups.stockMoved` in the same transaction, so
/// a level always equals the sum of its ledger rows. On-hand is held per sku
/// × warehouse × location (location "" is the warehouse's unassigned stock);
/// reservations are held per sku × warehouse. Levels never go below zero and
/// reserved never exceeds the warehouse's on-hand (available >= 0), checked
/// here on the single writer.
public enum StockLedger {
    static let moveCounter = "stock_move_sequence"

    /// The moving-average cost of `sku`, none before its first costed receipt.
    static func skuCost(
        _ transaction: WriteTransaction, families: ColumnFamilies, sku: String
    ) throws
        -> Oms_V1_SkuCost?
    {
        try transaction.get(families.stock, skuCostKey(sku)).map { try Oms_V1_SkuCost(serializedBytes: $0) }
    }

    /// A receipt's cost: the moving average absorbs it (see `MovingAverageCost`).
    struct ReceiptCost {
        var unitCostMinor: Int64
        var currencyCode: String
    }

    /// Applies deltas to one sku × warehouse and appends its ledger rows.
    ///
    /// `location` nil: a positive on-hand delta lands in unassigned stock
    /// (""); a negative one is taken from unassigned first, then from the
    /// locations in code order (one ledger row per location touched).
    /// Returns the new warehouse level and the last ledger row written.
    @discardableResult
    static func apply(
        _ transaction: inout WriteTransaction, families: ColumnFamilies, sku: String, warehouse: String,
        location: String? = nil, kind: Oms_V1_StockMoveKind, onHandDelta: Int64, reservedDelta: Int64,
        reason: String, orderID: String = "", requestID: String = "", reference: String = "",
        receiptCost: ReceiptCost? = nil, actor: String
    ) throws -> (level: Oms_V1_StockLevel, move: Oms_V1_StockMove) {
        let result = try applyAll(
            &transaction, families: families, sku: sku, warehouse: warehouse, location: location, kind: kind,
            onHandDelta: onHandDelta, reservedDelta: reservedDelta, reason: reason, orderID: orderID,
            requestID: requestID, reference: reference, receiptCost: receiptCost, actor: actor)
        return (result.level, result.moves.last!)
    }

    /// Like `apply`, returning every ledger row written.
    static func applyAll(
        _ transaction: inout WriteTransaction, families: ColumnFamilies, sku: String, warehouse: String,
        location: String? = nil, kind: Oms_V1_StockMoveKind, onHandDelta: Int64, reservedDelta: Int64,
        reason: String, orderID: String = "", requestID: String = "", reference: String = "",
        receiptCost: ReceiptCost? = nil, actor: String
    ) throws -> (level: Oms_V1_StockLevel, moves: [Oms_V1_StockMove]) {
        var level = try level(transaction, families: families, sku: sku, warehouse: warehouse)
        let (onHand, overflow1) = level.onHand.addingReportingOverflow(onHandDelta)
        let (reserved, overflow2) = level.reserved.addingReportingOverflow(reservedDelta)
        guard !overflow1, !overflow2 else {
            throw DomainError.invalid(field: "delta", "makes the stock level overflow")
        }
        guard onHand >= 0 else {
            throw DomainError(
                .failedPrecondition,
                "\(sku) in \(warehouse): on hand would go below zero (on hand \(level.onHand), change \(onHandDelta))",
                reason: "STOCK_BELOW_ZERO")
        }
        guard reserved >= 0, reserved <= onHand else {
            throw DomainError(
                .failedPrecondition,
                "\(sku) in \(warehouse): on hand \(onHand) would be below reserved \(reserved)",
                reason: "STOCK_BELOW_RESERVED")
        }
        if let location {
            try requireLocation(transaction, families: families, warehouse: warehouse, code: location)
        }

        // Which locations the on-hand change lands on.
        var pieces: [(location: String, delta: Int64)] = []
        if onHandDelta == 0 {
            pieces = [(location ?? "", 0)]
        } else if let location {
            pieces = [(location, onHandDelta)]
        } else if onHandDelta > 0 {
            pieces = [("", onHandDelta)]
        } else {
            var missing = -onHandDelta
            let rows = try transaction.scan(
                families.stock, prefix: locationStockPrefix(sku: sku, warehouse: warehouse), limit: Int.max)
            for row in rows where missing > 0 {
                let stock = try Oms_V1_LocationStock(serializedBytes: row.value)
                let take = min(stock.onHand, missing)
                if take > 0 {
                    pieces.append((stock.locationCode, -take))
                    missing -= take
                }
            }
            // Location rows always sum to the warehouse level, checked above.
            guard missing == 0 else {
                throw DomainError(
                    .internalError, "\(sku) in \(warehouse): locations hold less than the warehouse level",
                    reason: "LEDGER_INCONSISTENT")
            }
        }

        // Moving-average cost: a receipt at a cost updates it first, so the
        // rows carry the average after the receipt.
        var cost = try skuCost(transaction, families: families, sku: sku)
        if let receiptCost {
            let totalBefore = try levels(transaction, families: families, sku: sku).reduce(Int64(0)) {
                $0 + $1.onHand
            }
            if let existing = cost, !existing.currencyCode.isEmpty, existing.currencyCode != receiptCost.currencyCode {
                throw DomainError(
                    .failedPrecondition,
                    "\(sku) is valued in \(existing.currencyCode); a receipt in \(receiptCost.currencyCode) cannot be averaged in",
                    violations: [.init(field: "currency_code", description: "must be \(existing.currencyCode)")],
                    reason: "CURRENCY_MISMATCH")
            }
            var updated = cost ?? Oms_V1_SkuCost()
            updated.sku = sku
            updated.currencyCode = receiptCost.currencyCode
            updated.averageCostMinor = try MovingAverageCost.afterReceipt(
                onHand: totalBefore, averageCostMinor: cost?.averageCostMinor ?? 0, quantity: onHandDelta,
                unitCostMinor: receiptCost.unitCostMinor)
            updated.updatedAtMillis = transaction.now / 1_000_000
            transaction.put(families.stock, skuCostKey(sku), updated.serializedBytes())
            cost = updated
        }

        let now = transaction.now / 1_000_000
        let before = level
        level.onHand = onHand
        level.reserved = reserved
        level.available = onHand - reserved
        level.updatedAtMillis = now
        transaction.put(families.stock, levelKey(sku: sku, warehouse: warehouse), level.serializedBytes())
        try LowStockAlert.check(
            before: before, after: level, actor: actor, requestID: requestID, families: families,
            transaction: &transaction)

        var moves: [Oms_V1_StockMove] = []
        var warehouseOnHand = onHand - onHandDelta
        for (index, piece) in pieces.enumerated() {
            var stock = try locationStock(
                transaction, families: families, sku: sku, warehouse: warehouse, location: piece.location)
            stock.onHand += piece.delta
            guard stock.onHand >= 0 else {
                throw DomainError(
                    .failedPrecondition,
                    "\(sku) at \(warehouse)/\(piece.location): on hand would go below zero (on hand \(stock.onHand - piece.delta), change \(piece.delta))",
                    violations: [.init(field: "location_code", description: "not enough stock at this location")],
                    reason: "STOCK_BELOW_ZERO")
            }
            if piece.delta != 0 {  // a reservation alone leaves the location as it is
                stock.updatedAtMillis = now
                let bytes = stock.serializedBytes()
                transaction.put(
                    families.stock, locationStockPrefix(sku: sku, warehouse: warehouse, location: piece.location),
                    bytes)
                transaction.put(
                    families.stock, placePrefix(warehouse: warehouse, location: piece.location, sku: sku), bytes)
            }
            warehouseOnHand += piece.delta

            var move = Oms_V1_StockMove()
            move.sku = sku
            move.warehouseCode = warehouse
            move.locationCode = piece.location
            move.kind = kind
            move.onHandDelta = piece.delta
            move.reservedDelta = index == 0 ? reservedDelta : 0
            move.reason = reason
            move.orderID = orderID
            move.requestID = requestID
            move.reference = reference
            move.actor = actor
            move.onHandAfter = stock.onHand
            move.warehouseOnHandAfter = warehouseOnHand
            if let cost {
                move.unitCostMinor = cost.averageCostMinor
                move.currencyCode = cost.currencyCode
                let unit = receiptCost?.unitCostMinor ?? cost.averageCostMinor
                let (value, overflow) = piece.delta.multipliedReportingOverflow(by: unit)
                guard !overflow else { throw DomainError.invalid(field: "delta", "makes the stock value overflow") }
                move.valueDeltaMinor = value
            }
            moves.append(try appendRow(&transaction, families: families, move))
        }
        return (level, moves)
    }

    /// The one place a ledger row is written: numbers it, stores it under
    /// its primary key and the time index, and projects it into the rollups.
    private static func appendRow(
        _ transaction: inout WriteTransaction, families: ColumnFamilies, _ row: Oms_V1_StockMove
    ) throws -> Oms_V1_StockMove {
        var move = row
        move.sequence = try MetaCounter.next(moveCounter, transaction: &transaction, families: families)
        move.atMillis = transaction.now / 1_000_000
        let bytes = move.serializedBytes()
        var key = movePrefix(sku: move.sku, warehouse: move.warehouseCode)
        KeyCodec.append(move.sequence, to: &key)
        transaction.put(families.stockMoves, key, bytes)
        transaction.put(families.stockMoves, timeIndexKey(atMillis: move.atMillis, sequence: move.sequence), bytes)
        try Rollups.stockMoved(move, families: families, transaction: &transaction)
        return move
    }
}
