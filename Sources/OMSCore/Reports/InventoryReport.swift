import KeyValueStorage
public import OMSProto

/// `InventoryReport`: current levels valued at a unit cost, ledger
/// movements by kind from the movement rollups, and turnover per sku.
///
/// Valuation: `unitCost` is the sku's moving-average cost (the one
/// `GetValuation` uses, kept by receipts); a sku never received at a cost
/// falls back to its catalog unit price.
extension Reports {
    public func inventory(_ request: Oms_V1_InventoryReportRequest) throws -> Oms_V1_InventoryReportResponse {
        var validator = Validator()
        Self.validateFilter(request.warehouseCodes, field: "warehouse_codes", into: &validator)
        Self.validateFilter(request.skus, field: "skus", into: &validator)
        try validator.throwIfInvalid()
        let calendar = try ReportCalendar(request.range, period: .total)
        let warehouses = Set(request.warehouseCodes)
        let skus = Set(request.skus)
        let snapshot = try store.engine.readView()
        var response = Oms_V1_InventoryReportResponse()

        // Levels now.
        var onHandNow: [String: Int64] = [:]
        var values: [String: Int64] = [:]
        var costs: [String: Oms_V1_Money?] = [:]
        for row in try snapshot.scan(
            store.families.stock, prefix: [StockLedger.levelTag], limit: Int.max)
        {
            let level = try Oms_V1_StockLevel(serializedBytes: row.value)
            if !warehouses.isEmpty && !warehouses.contains(level.warehouseCode) { continue }
            if !skus.isEmpty && !skus.contains(level.sku) { continue }
            onHandNow[level.sku, default: 0] += level.onHand
            var out = Oms_V1_InventoryLevelRow()
            out.sku = level.sku
            out.warehouseCode = level.warehouseCode
            out.onHand = level.onHand
            out.reserved = level.reserved
            out.available = level.onHand - level.reserved
            if costs[level.sku] == nil { costs[level.sku] = try unitCost(level.sku, snapshot: snapshot) }
            if let cost = costs[level.sku] ?? nil {
                out.currencyCode = cost.currencyCode
                out.unitCostMinor = cost.amountMinor
                let (value, overflow) = cost.amountMinor.multipliedReportingOverflow(by: level.onHand)
                out.valueMinor = overflow ? Int64.max : value
                values[cost.currencyCode, default: 0] &+= out.valueMinor
            }
            response.levels.append(out)
        }
        response.totalValue = values.sorted { $0.key < $1.key }.map { currency, amount in
            Oms_V1_Money.with {
                $0.currencyCode = currency
                $0.amountMinor = amount
            }
        }

        // Movements in the range and after it (to walk on-hand back in time).
        struct MovementKey: Hashable {
            var warehouse: String
            var kind: UInt8
        }
        var movements: [MovementKey: [Int64]] = [:]
        var shipped: [String: Int64] = [:]
        var deltaInRange: [String: Int64] = [:]
        var deltaAfter: [String: Int64] = [:]
        let rows = try snapshot.scan(
            store.families.rollups, from: RollupRow.prefix(RollupRow.stockMovements, slot: calendar.firstSlot),
            to: [RollupRow.stockMovements + 1], limit: Int.max)
        for row in rows {
            var reader = KeyCodec.Reader(Array(row.key.dropFirst()))
            let slot = try reader.readUInt32()
            let warehouse = try reader.readString()
            let sku = try reader.readString()
            guard let kind = reader.readRemaining().first else { continue }
            if !warehouses.isEmpty && !warehouses.contains(warehouse) { continue }
            if !skus.isEmpty && !skus.contains(sku) { continue }
            let metrics = RollupRow.decode(row.value) + [0, 0, 0]
            if slot >= calendar.endSlot {
                deltaAfter[sku, default: 0] += metrics[1]
                continue
            }
            RollupRow.add(&movements[MovementKey(warehouse: warehouse, kind: kind), default: []], metrics)
            deltaInRange[sku, default: 0] += metrics[1]
            if kind == UInt8(Oms_V1_StockMoveKind.shipment.rawValue) { shipped[sku, default: 0] -= metrics[1] }
        }
        response.movements = movements.sorted { ($0.key.warehouse, $0.key.kind) < ($1.key.warehouse, $1.key.kind) }
            .map { key, metrics in
                Oms_V1_MovementRow.with {
                    $0.warehouseCode = key.warehouse
                    $0.kind = String(
                        Oms_V1_StockMoveKind(rawValue: Int32(key.kind)).protoName.dropFirst("STOCK_MOVE_KIND_".count)
                    ).lowercased()
                    $0.moves = metrics[0]
                    $0.onHandDelta = metrics[1]
                    $0.reservedDelta = metrics[2]
                }
            }
        for sku in Set(onHandNow.keys).union(deltaInRange.keys).sorted() {
            let end = (onHandNow[sku] ?? 0) - (deltaAfter[sku] ?? 0)
            let start = end - (deltaInRange[sku] ?? 0)
            var row = Oms_V1_TurnoverRow()
            row.sku = sku
            row.shippedUnits = shipped[sku] ?? 0
            row.onHandStart = start
            row.onHandEnd = end
            // shipped / ((start + end) / 2) × 100 = shipped × 200 / (start + end)
            row.turnoverCenti = Self.roundedQuotient(row.shippedUnits * 200, start + end)
            response.turnover.append(row)
        }
        return response
    }

    /// The unit cost used for valuation (see the type's note), or nil.
    func unitCost(_ sku: String, snapshot: any ReadView) throws -> Oms_V1_Money? {
        if let bytes = try snapshot.get(store.families.stock, StockLedger.skuCostKey(sku)) {
            let cost = try Oms_V1_SkuCost(serializedBytes: bytes)
            if !cost.currencyCode.isEmpty {
                return Oms_V1_Money.with {
                    $0.currencyCode = cost.currencyCode
                    $0.amountMinor = cost.averageCostMinor
                }
            }
        }
        guard let bytes = try snapshot.get(store.families.products, Array(sku.utf8)) else {
            return nil
        }
        return try Oms_V1_Product(serializedBytes: bytes).unitPrice
    }
}
