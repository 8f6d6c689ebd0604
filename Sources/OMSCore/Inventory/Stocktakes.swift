import KeyValueStorage
public import OMSProto

// Stocktaking. Start snapshots the expected on-hand of the scope; each
// count is compared with the on-hand at the moment it is recorded (so
// movements during the count are accounted for, StocktakeCounts); commit
// adds each variance to the current on-hand as a STOCKTAKE ledger row (so
// movements after the count are kept, never overwritten). Lines never
// counted are left alone.

/// `StartStocktake`: a COUNTING stocktake of a warehouse (optionally some
/// locations and skus), with the on-hand of its scope as the snapshot.
public struct StartStocktake: WriteCommand {
    public static let method = Oms_V1_InventoryService.Method.startStocktake
    static let maxLines = 100_000

    public init() {}

    public func validate(_ request: Oms_V1_StartStocktakeRequest, into validator: inout Validator) {
        validator.checkCode(request.warehouseCode, "warehouse_code")
        for (index, code) in request.locationCodes.enumerated() where !code.isEmpty {
            validator.checkCode(code, "location_codes[\(index)]")
        }
        for (index, sku) in request.skus.enumerated() {
            validator.checkSKU(sku, "skus[\(index)]")
        }
    }

    public func apply(
        _ request: Oms_V1_StartStocktakeRequest, in context: inout CommandContext
    ) throws -> Oms_V1_StocktakeResponse {
        let families = context.families
        try Inventory.requireWarehouse(
            context.transaction, families: families, request.warehouseCode, field: "warehouse_code")
        for (index, code) in request.locationCodes.enumerated() {
            try StockLedger.requireLocation(
                context.transaction, families: families, warehouse: request.warehouseCode, code: code,
                field: "location_codes[\(index)]")
        }
        var stocktake = Oms_V1_Stocktake()
        stocktake.warehouseCode = request.warehouseCode
        stocktake.locationCodes = request.locationCodes
        stocktake.skus = request.skus
        let rows = try context.transaction.scan(
            families.stock, prefix: StockLedger.placePrefix(warehouse: request.warehouseCode), limit: Int.max)
        for row in rows {
            let stock = try Oms_V1_LocationStock(serializedBytes: row.value)
            guard stock.onHand != 0, stocktake.inScope(sku: stock.sku, location: stock.locationCode) else {
                continue
            }
            var line = Oms_V1_StocktakeLine()
            line.sku = stock.sku
            line.locationCode = stock.locationCode
            line.snapshotQuantity = stock.onHand
            stocktake.lines.append(line)
        }
        guard stocktake.lines.count <= Self.maxLines else {
            throw DomainError(
                .failedPrecondition,
                "the scope holds \(stocktake.lines.count) lines; narrow it to \(Self.maxLines)",
                reason: "STOCKTAKE_TOO_LARGE")
        }
        let now = context.nowMillis
        let number = try MetaCounter.next(
            "stocktake_id_sequence", transaction: &context.transaction, families: families)
        stocktake.id = SortableID.make(prefix: "stk_", millis: now, sequence: number)
        stocktake.status = .counting
        stocktake.startedBy = context.actor
        stocktake.startedAtMillis = now
        return try stocktake.save(moves: [], event: "stocktake.started", in: &context)
    }
}

/// `CommitStocktake`: each counted line's variance becomes a STOCKTAKE
/// ledger row on the current on-hand, valued at the average cost; COMMITTED.
public struct CommitStocktake: WriteCommand {
    public static let method = Oms_V1_InventoryService.Method.commitStocktake

    public init() {}

    public func validate(_ request: Oms_V1_CommitStocktakeRequest, into validator: inout Validator) {
        validator.check(!request.id.isEmpty, "id", "must not be empty")
    }

    public func apply(
        _ request: Oms_V1_CommitStocktakeRequest, in context: inout CommandContext
    ) throws -> Oms_V1_StocktakeResponse {
        let families = context.families
        var stocktake = try Oms_V1_Stocktake.stored(request.id, context.transaction, families: families, field: "id")
        guard stocktake.status == .counting else {
            throw DomainError(
                .failedPrecondition, "stocktake \(request.id) is already committed", reason: "STOCKTAKE_STATUS")
        }
        var moves: [Oms_V1_StockMove] = []
        for (index, line) in stocktake.lines.enumerated() where line.counted && line.variance != 0 {
            let result = try StockLedger.applyAll(
                &context.transaction, families: families, sku: line.sku, warehouse: stocktake.warehouseCode,
                location: line.locationCode, kind: .stocktake, onHandDelta: line.variance, reservedDelta: 0,
                reason:
                    "stocktake \(stocktake.id): counted \(line.countedQuantity), expected \(line.expectedAtCount)",
                requestID: request.requestID, reference: "stocktake:\(stocktake.id)", actor: context.actor)
            moves += result.moves
            stocktake.lines[index].varianceValueMinor = result.moves.reduce(0) { $0 + $1.valueDeltaMinor }
            stocktake.lines[index].currencyCode = result.moves.last?.currencyCode ?? ""
        }
        stocktake.status = .committed
        stocktake.committedBy = context.actor
        stocktake.committedAtMillis = context.nowMillis
        return try stocktake.save(moves: moves, event: "stocktake.committed", in: &context)
    }
}

extension Oms_V1_Stocktake {
    /// The stored stocktake `id`; NOT_FOUND naming `field` when there is none.
    static func stored(
        _ id: String, _ transaction: WriteTransaction, families: ColumnFamilies, field: String
    ) throws -> Self {
        guard let bytes = try transaction.get(families.stock, StockLedger.stocktakeKey(id)) else {
            throw DomainError(
                .notFound, "stocktake \(id) not found",
                violations: [.init(field: field, description: "unknown stocktake")], reason: "STOCKTAKE_NOT_FOUND")
        }
        return try Self(serializedBytes: bytes)
    }

    /// Whether the stocktake counts `sku` at `location` (no skus or
    /// locations named: all of them).
    func inScope(sku: String, location: String) -> Bool {
        (skus.isEmpty || skus.contains(sku)) && (locationCodes.isEmpty || locationCodes.contains(location))
    }

    /// Stores the stocktake (version + 1), records its event, returns the response.
    mutating func save(
        moves: [Oms_V1_StockMove], event: String, in context: inout CommandContext
    ) throws -> Oms_V1_StocktakeResponse {
        version += 1
        context.transaction.put(context.families.stock, StockLedger.stocktakeKey(id), serializedBytes())
        try context.record(event, resource: "stocktake", id: id, payload: nil)
        var response = Oms_V1_StocktakeResponse()
        response.stocktake = self
        response.moves = moves
        return response
    }
}

extension Inventory {
    /// The stocktake with each line's variance valued at the current average cost.
    public func stocktakeVariance(id: String) throws -> Oms_V1_StocktakeResponse {
        guard !id.isEmpty else { throw DomainError.invalid(field: "id", "must not be empty") }
        let snapshot = try store.engine.readView()
        guard let bytes = try snapshot.get(store.families.stock, StockLedger.stocktakeKey(id))
        else {
            throw DomainError(
                .notFound, "stocktake \(id) not found",
                violations: [.init(field: "id", description: "unknown stocktake")],
                reason: "STOCKTAKE_NOT_FOUND")
        }
        var stocktake = try Oms_V1_Stocktake(serializedBytes: bytes)
        for index in stocktake.lines.indices {
            let sku = stocktake.lines[index].sku
            if let cost = try snapshot.get(store.families.stock, StockLedger.skuCostKey(sku)) {
                let average = try Oms_V1_SkuCost(serializedBytes: cost)
                let (value, overflow) = stocktake.lines[index].variance.multipliedReportingOverflow(
                    by: average.averageCostMinor)
                stocktake.lines[index].varianceValueMinor = overflow ? 0 : value
                stocktake.lines[index].currencyCode = average.currencyCode
            }
        }
        var response = Oms_V1_StocktakeResponse()
        response.stocktake = stocktake
        return response
    }
}
