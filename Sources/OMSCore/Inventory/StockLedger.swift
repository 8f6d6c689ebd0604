import OMSProto
import Storage

/// Stock levels and their ledger. Every change of `on_hand` or `reserved`
/// goes through `apply`, which writes the new level and one immutable
/// `stock_moves` row in the same transaction, so a level always equals the
/// sum of its ledger rows. Levels never go below zero and reserved never
/// exceeds on-hand (available >= 0), checked here on the single writer.
///
/// Keys in `stock`: `0x01 code` → Warehouse, `0x02 sku warehouse` → StockLevel
/// (KeyCodec strings). Keys in `stock_moves`: `sku warehouse seq(u64)`.
public enum StockLedger {
    static let warehouseTag: UInt8 = 0x01
    static let levelTag: UInt8 = 0x02
    static let moveCounter = "stock_move_sequence"

    static func warehouseKey(_ code: String) -> [UInt8] {
        [warehouseTag] + Array(code.utf8)
    }

    static var warehousePrefix: [UInt8] { [warehouseTag] }

    static func levelKey(sku: String, warehouse: String) -> [UInt8] {
        var key = levelPrefix(sku: sku)
        KeyCodec.append(warehouse, to: &key)
        return key
    }

    static func levelPrefix(sku: String) -> [UInt8] {
        var key: [UInt8] = [levelTag]
        KeyCodec.append(sku, to: &key)
        return key
    }

    static func movePrefix(sku: String, warehouse: String?) -> [UInt8] {
        var key: [UInt8] = []
        KeyCodec.append(sku, to: &key)
        if let warehouse { KeyCodec.append(warehouse, to: &key) }
        return key
    }

    /// The level of `sku` in `warehouse` as the transaction sees it (zeros when none).
    static func level(
        _ transaction: WriteTransaction, families: ColumnFamilies, sku: String, warehouse: String
    ) throws -> Oms_V1_StockLevel {
        if let bytes = try transaction.get(families.stock, levelKey(sku: sku, warehouse: warehouse)) {
            return try Oms_V1_StockLevel(serializedBytes: bytes)
        }
        var level = Oms_V1_StockLevel()
        level.sku = sku
        level.warehouseCode = warehouse
        return level
    }

    /// Every level of `sku` (one per warehouse that ever held it).
    static func levels(_ transaction: WriteTransaction, families: ColumnFamilies, sku: String) throws
        -> [Oms_V1_StockLevel]
    {
        try transaction.scan(families.stock, prefix: levelPrefix(sku: sku), limit: Int.max).map {
            try Oms_V1_StockLevel(serializedBytes: $0.value)
        }
    }

    /// Applies deltas to one level and appends the ledger row.
    @discardableResult
    static func apply(
        _ transaction: inout WriteTransaction, families: ColumnFamilies, sku: String, warehouse: String,
        kind: Oms_V1_StockMoveKind, onHandDelta: Int64, reservedDelta: Int64, reason: String,
        orderID: String = "", requestID: String = "", actor: String
    ) throws -> (level: Oms_V1_StockLevel, move: Oms_V1_StockMove) {
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
        let now = transaction.now / 1_000_000
        level.onHand = onHand
        level.reserved = reserved
        level.available = onHand - reserved
        level.updatedAtMillis = now
        transaction.put(families.stock, levelKey(sku: sku, warehouse: warehouse), level.serializedBytes())

        var move = Oms_V1_StockMove()
        move.sequence = try MetaCounter.next(moveCounter, transaction: &transaction, families: families)
        move.sku = sku
        move.warehouseCode = warehouse
        move.kind = kind
        move.onHandDelta = onHandDelta
        move.reservedDelta = reservedDelta
        move.reason = reason
        move.orderID = orderID
        move.requestID = requestID
        move.actor = actor
        move.atMillis = now
        var key = movePrefix(sku: sku, warehouse: warehouse)
        KeyCodec.append(move.sequence, to: &key)
        transaction.put(families.stockMoves, key, move.serializedBytes())
        try Rollups.stockMoved(move, families: families, transaction: &transaction)
        return (level, move)
    }
}
