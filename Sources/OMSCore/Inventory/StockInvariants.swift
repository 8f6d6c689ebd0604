import KeyValueStorage
import OMSProto

/// The stock invariants, checked against one snapshot (the tests prove
/// them after every step).
extension Inventory {
    /// Checks the stock invariants against durable state: for every sku ×
    /// warehouse, `reserved == sum of open reservations`, `on_hand` and
    /// `reserved` equal the sums of their ledger rows, `0 <= reserved <=
    /// on_hand` and `on_hand` is the sum of its locations; for every sku ×
    /// warehouse × location, `on_hand` equals the sum of its ledger rows.
    /// Returns one line per violation (empty when consistent).
    public func invariantViolations() throws -> [String] {
        let snapshot = try store.engine.readView()
        let families = store.families
        var reservedByLevel: [String: Int64] = [:]
        for row in try snapshot.scan(families.reservations, prefix: [], limit: Int.max) {
            let record = try Oms_V1_ReservationRecord(serializedBytes: row.value)
            reservedByLevel["\(record.sku)@\(record.warehouseCode)", default: 0] += record.quantity
        }
        var ledger: [String: (onHand: Int64, reserved: Int64)] = [:]
        var ledgerByLocation: [String: Int64] = [:]
        var problems: [String] = []
        var indexed = 0
        var primary = 0
        for row in try snapshot.scan(families.stockMoves, prefix: [], limit: Int.max) {
            if row.key.first == StockLedger.timeIndexTag {
                indexed += 1
                continue
            }
            primary += 1
            let move = try Oms_V1_StockMove(serializedBytes: row.value)
            let key = "\(move.sku)@\(move.warehouseCode)"
            ledger[key, default: (0, 0)].onHand += move.onHandDelta
            ledger[key, default: (0, 0)].reserved += move.reservedDelta
            ledgerByLocation["\(key)/\(move.locationCode)", default: 0] += move.onHandDelta
        }
        if indexed != 0 && indexed != primary {
            problems.append("ledger time index has \(indexed) rows, ledger \(primary)")
        }
        var locationSums: [String: Int64] = [:]
        var seenLocations: Set<String> = []
        for row in try snapshot.scan(
            families.stock, prefix: [StockLedger.locationStockTag], limit: Int.max)
        {
            let stock = try Oms_V1_LocationStock(serializedBytes: row.value)
            let key = "\(stock.sku)@\(stock.warehouseCode)/\(stock.locationCode)"
            seenLocations.insert(key)
            let sum = ledgerByLocation[key] ?? 0
            if stock.onHand != sum { problems.append("\(key): on_hand \(stock.onHand) != ledger \(sum)") }
            if stock.onHand < 0 { problems.append("\(key): on_hand \(stock.onHand) below zero") }
            let place = StockLedger.placePrefix(
                warehouse: stock.warehouseCode, location: stock.locationCode, sku: stock.sku)
            if try snapshot.get(families.stock, place) != row.value {
                problems.append("\(key): by-place index differs")
            }
            locationSums["\(stock.sku)@\(stock.warehouseCode)", default: 0] += stock.onHand
        }
        for (key, sum) in ledgerByLocation where sum != 0 && !seenLocations.contains(key) {
            problems.append("\(key): ledger \(sum) without a location level")
        }
        var seen: Set<String> = []
        for row in try snapshot.scan(
            families.stock, prefix: [StockLedger.levelTag], limit: Int.max)
        {
            let level = try Oms_V1_StockLevel(serializedBytes: row.value)
            let key = "\(level.sku)@\(level.warehouseCode)"
            seen.insert(key)
            let open = reservedByLevel[key] ?? 0
            if level.reserved != open {
                problems.append("\(key): reserved \(level.reserved) != open reservations \(open)")
            }
            let sums = ledger[key] ?? (0, 0)
            if level.onHand != sums.onHand {
                problems.append("\(key): on_hand \(level.onHand) != ledger \(sums.onHand)")
            }
            if level.onHand != (locationSums[key] ?? 0) {
                problems.append("\(key): on_hand \(level.onHand) != sum of locations \(locationSums[key] ?? 0)")
            }
            if level.reserved != sums.reserved {
                problems.append("\(key): reserved \(level.reserved) != ledger \(sums.reserved)")
            }
            if level.available != level.onHand - level.reserved { problems.append("\(key): available is stale") }
            if level.reserved < 0 || level.reserved > level.onHand {
                problems.append("\(key): reserved \(level.reserved) outside 0...\(level.onHand)")
            }
        }
        for key in reservedByLevel.keys where !seen.contains(key) {
            problems.append("\(key): reservations without a stock level")
        }
        return problems
    }
}
