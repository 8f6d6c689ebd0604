import KeyValueStorage
public import OMSProto

/// `GetStockAnalysis`: turnover, days of inventory, slow-moving and
/// overstock per sku × warehouse over a period, in units, replayed from the
/// ledger through a snapshot. The formulas (integer, documented in the
/// proto) are in `line(...)`.
extension Inventory {
    static let dayMillis: Int64 = 86_400_000

    public func stockAnalysis(_ request: Oms_V1_GetStockAnalysisRequest) throws -> Oms_V1_GetStockAnalysisResponse {
        var validator = Validator()
        if !request.sku.isEmpty { validator.checkSKU(request.sku, "sku") }
        if !request.warehouseCode.isEmpty {
            validator.checkCode(request.warehouseCode, "warehouse_code")
        }
        let to = request.toMillis == 0 ? store.clock.nowNanoseconds() / 1_000_000 : request.toMillis
        validator.check(request.fromMillis > 0, "from_millis", "is required")
        validator.check(to > request.fromMillis, "to_millis", "must be after from_millis")
        validator.check((0...3650).contains(request.slowMovingDays), "slow_moving_days", "must be from 0 to 3650")
        validator.check((0...3650).contains(request.overstockDays), "overstock_days", "must be from 0 to 3650")
        try validator.throwIfInvalid()
        let slowDays = Int64(request.slowMovingDays == 0 ? 90 : request.slowMovingDays)
        let overstockDays = Int64(request.overstockDays == 0 ? 180 : request.overstockDays)
        let periodDays = max(1, (to - request.fromMillis + Self.dayMillis - 1) / Self.dayMillis)

        struct Figures {
            var opening: Int64 = 0
            var closing: Int64 = 0
            var sold: Int64 = 0
            var lastSale: Int64 = 0
        }
        var figures: [String: [String: Figures]] = [:]
        let snapshot = try store.engine.readView()
        let rows =
            request.sku.isEmpty
            ? try snapshot.scan(
                store.families.stockMoves, from: [], to: [StockLedger.timeIndexTag], limit: Int.max)
            : try snapshot.scan(
                store.families.stockMoves, prefix: StockLedger.movePrefix(sku: request.sku, warehouse: nil),
                limit: Int.max)
        for row in rows {
            let move = try Oms_V1_StockMove(serializedBytes: row.value)
            if !request.warehouseCode.isEmpty && move.warehouseCode != request.warehouseCode { continue }
            guard move.atMillis < to else { continue }
            var entry = figures[move.sku]?[move.warehouseCode] ?? Figures()
            if move.atMillis < request.fromMillis { entry.opening += move.onHandDelta }
            entry.closing += move.onHandDelta
            if move.kind == .shipment {
                if move.atMillis >= request.fromMillis { entry.sold -= move.onHandDelta }
                entry.lastSale = max(entry.lastSale, move.atMillis)
            }
            figures[move.sku, default: [:]][move.warehouseCode] = entry
        }
        var response = Oms_V1_GetStockAnalysisResponse()
        response.fromMillis = request.fromMillis
        response.toMillis = to
        for sku in figures.keys.sorted() {
            for (warehouse, entry) in figures[sku]!.sorted(by: { $0.key < $1.key }) {
                var line = Oms_V1_StockAnalysisLine()
                line.sku = sku
                line.warehouseCode = warehouse
                line.openingOnHand = entry.opening
                line.closingOnHand = entry.closing
                line.averageOnHand = (entry.opening + entry.closing + 1) / 2
                line.sold = entry.sold
                line.periodDays = periodDays
                line.lastSaleAtMillis = entry.lastSale
                if entry.sold > 0 {
                    line.turnoverPermille = line.averageOnHand > 0 ? entry.sold * 1000 / line.averageOnHand : 0
                    line.daysOfInventory = line.averageOnHand * periodDays / entry.sold
                    line.coverDays = entry.closing * periodDays / entry.sold
                } else {
                    line.daysOfInventory = -1
                    line.coverDays = -1
                }
                line.slowMoving =
                    entry.closing > 0 && (entry.lastSale == 0 || entry.lastSale < to - slowDays * Self.dayMillis)
                line.overstock = entry.closing > 0 && (line.coverDays < 0 || line.coverDays > overstockDays)
                response.lines.append(line)
                if line.slowMoving { response.slowMoving.append(line) }
                if line.overstock { response.overstock.append(line) }
            }
        }
        return response
    }
}
