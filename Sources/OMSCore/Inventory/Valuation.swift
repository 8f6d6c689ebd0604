import KeyValueStorage
public import OMSProto

/// `GetValuation`: on-hand × moving-average unit cost per sku × warehouse
/// (see `MovingAverageCost` for the rule). As of a past time it replays the
/// ledger: on-hand is the sum of the rows at or before that time and the
/// cost is the average carried by the sku's last such row.
extension Inventory {
    public func valuation(_ request: Oms_V1_GetValuationRequest) throws -> Oms_V1_GetValuationResponse {
        var validator = Validator()
        if !request.sku.isEmpty { validator.checkSKU(request.sku, "sku") }
        if !request.warehouseCode.isEmpty {
            validator.checkCode(request.warehouseCode, "warehouse_code")
        }
        validator.check(request.asOfMillis >= 0, "as_of_millis", "must not be negative")
        try validator.throwIfInvalid()
        let snapshot = try store.engine.readView()
        let families = store.families
        if !request.warehouseCode.isEmpty {
            guard
                try snapshot.get(
                    families.stock, StockLedger.warehouseKey(request.warehouseCode)) != nil
            else {
                throw DomainError(
                    .notFound, "warehouse \(request.warehouseCode) not found",
                    violations: [.init(field: "warehouse_code", description: "unknown warehouse")],
                    reason: "WAREHOUSE_NOT_FOUND")
            }
        }
        // (sku, warehouse) → on hand, and sku → (unit cost, currency).
        var onHand: [String: [String: Int64]] = [:]
        var costs: [String: (unit: Int64, currency: String)] = [:]
        var response = Oms_V1_GetValuationResponse()
        if request.asOfMillis == 0 {
            response.asOfMillis = 0
            let prefix = request.sku.isEmpty ? [StockLedger.levelTag] : StockLedger.levelPrefix(sku: request.sku)
            for row in try snapshot.scan(families.stock, prefix: prefix, limit: Int.max) {
                let level = try Oms_V1_StockLevel(serializedBytes: row.value)
                onHand[level.sku, default: [:]][level.warehouseCode] = level.onHand
            }
            let costPrefix = request.sku.isEmpty ? [StockLedger.skuCostTag] : StockLedger.skuCostKey(request.sku)
            for row in try snapshot.scan(families.stock, prefix: costPrefix, limit: Int.max) {
                let cost = try Oms_V1_SkuCost(serializedBytes: row.value)
                costs[cost.sku] = (cost.averageCostMinor, cost.currencyCode)
            }
        } else {
            response.asOfMillis = request.asOfMillis
            var latest: [String: UInt64] = [:]
            let rows =
                request.sku.isEmpty
                ? try snapshot.scan(
                    families.stockMoves, from: [], to: [StockLedger.timeIndexTag], limit: Int.max)
                : try snapshot.scan(
                    families.stockMoves, prefix: StockLedger.movePrefix(sku: request.sku, warehouse: nil),
                    limit: Int.max)
            for row in rows {
                let move = try Oms_V1_StockMove(serializedBytes: row.value)
                guard move.atMillis <= request.asOfMillis else { continue }
                onHand[move.sku, default: [:]][move.warehouseCode, default: 0] += move.onHandDelta
                if move.sequence > latest[move.sku] ?? 0 {
                    latest[move.sku] = move.sequence
                    costs[move.sku] = (move.unitCostMinor, move.currencyCode)
                }
            }
        }
        var totals: [String: Int64] = [:]
        for sku in onHand.keys.sorted() {
            for (warehouse, quantity) in onHand[sku]!.sorted(by: { $0.key < $1.key }) {
                if !request.warehouseCode.isEmpty && warehouse != request.warehouseCode { continue }
                if quantity == 0 { continue }
                let cost = costs[sku] ?? (0, "")
                var line = Oms_V1_ValuationLine()
                line.sku = sku
                line.warehouseCode = warehouse
                line.onHand = quantity
                line.unitCostMinor = cost.unit
                line.currencyCode = cost.currency
                let (value, overflow) = quantity.multipliedReportingOverflow(by: cost.unit)
                guard !overflow else {
                    throw DomainError(.failedPrecondition, "value of \(sku) in \(warehouse) overflows int64")
                }
                line.valueMinor = value
                response.lines.append(line)
                if !cost.currency.isEmpty { totals[cost.currency, default: 0] += value }
            }
        }
        response.totals = totals.keys.sorted().map { currency in
            var money = Oms_V1_Money()
            money.currencyCode = currency
            money.amountMinor = totals[currency]!
            return money
        }
        return response
    }
}
