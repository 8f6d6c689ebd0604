import KeyValueStorage
public import OMSProto

/// Reorder policies, low-stock listing and replenishment suggestions.
///
/// Position = available + incoming (open POs and inbound transfers). A level
/// is low when position < reorder point. A suggestion orders
/// `max(target - position, min_order_quantity)` where target =
/// `max(reorder_point, ceil(sold × lead_time / window) + safety_stock)` and
/// `sold` is what shipped in the last `window_days`; with `max_stock` set,
/// the quantity is capped so position + quantity <= max_stock.
extension Inventory {
    public static let setReorderPolicyMethod = "/oms.v1.InventoryService/SetReorderPolicy"
    public static let createPurchaseOrdersFromSuggestionsMethod =
        "/oms.v1.InventoryService/CreatePurchaseOrdersFromSuggestions"
    static let defaultWindowDays: Int32 = 30

    public static func validate(_ request: Oms_V1_SetReorderPolicyRequest) throws(DomainError) {
        var validator = Validator()
        Idempotency.validate(request.requestID, into: &validator)
        guard let policy = request.policy else {
            validator.check(false, "policy", "is required")
            try validator.throwIfInvalid()
            return
        }
        validator.checkSKU(policy.sku, "policy.sku")
        validator.checkCode(policy.warehouseCode, "policy.warehouse_code")
        validator.check(policy.reorderPoint >= 0, "policy.reorder_point", "must not be negative")
        validator.check(policy.safetyStock >= 0, "policy.safety_stock", "must not be negative")
        validator.check((0...365).contains(policy.leadTimeDays), "policy.lead_time_days", "must be from 0 to 365")
        validator.check(policy.minOrderQuantity >= 0, "policy.min_order_quantity", "must not be negative")
        validator.check(policy.maxStock >= 0, "policy.max_stock", "must not be negative")
        validator.check(
            policy.maxStock == 0 || policy.maxStock >= policy.reorderPoint, "policy.max_stock",
            "must be at least reorder_point")
        validator.check(!policy.supplier.isEmpty, "policy.supplier", "must not be empty")
        validator.check(policy.unitCostMinor >= 0, "policy.unit_cost_minor", "must not be negative")
        validator.check(
            MoneyRules.isCurrencyCode(policy.currencyCode), "policy.currency_code",
            "must be an ISO 4217 code of three upper-case letters")
        try validator.throwIfInvalid()
    }

    public func setReorderPolicy(
        _ request: Oms_V1_SetReorderPolicyRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_SetReorderPolicyResponse, any Error>) -> Void
    ) {
        let store = self.store
        InventoryCommand.submit(
            store, request, validate: Self.validate,
            apply: { transaction in
                var canonical = request
                canonical.requestID = ""
                let families = store.families
                return try InventoryCommand.idempotent(
                    method: Self.setReorderPolicyMethod, requestID: request.requestID, canonical: canonical,
                    families: families, transaction: &transaction
                ) { transaction in
                    var policy = request.policy!
                    try Self.requireWarehouse(
                        transaction, families: families, policy.warehouseCode, field: "policy.warehouse_code")
                    guard try transaction.get(families.products, Array(policy.sku.utf8)) != nil else {
                        throw DomainError(
                            .failedPrecondition, "product \(policy.sku) does not exist",
                            violations: [.init(field: "policy.sku", description: "unknown sku")],
                            reason: "PRODUCT_NOT_FOUND")
                    }
                    policy.updatedAtMillis = transaction.now / 1_000_000
                    transaction.put(
                        families.stock, StockLedger.reorderPolicyKey(warehouse: policy.warehouseCode, sku: policy.sku),
                        policy.serializedBytes())
                    let sequence = try ChangeRecord.append(
                        store: store, transaction: &transaction, type: "reorder_policy.set",
                        resourceType: "reorder_policy", resourceID: "\(policy.sku)@\(policy.warehouseCode)",
                        actor: actor, requestID: request.requestID, method: Self.setReorderPolicyMethod, payload: nil)
                    var response = Oms_V1_SetReorderPolicyResponse()
                    response.policy = policy
                    return (response, sequence)
                }
            }, completion: completion)
    }

    /// Policies with their levels, through a snapshot or the writer.
    static func policiesWithLevels(
        _ reader: StockReader, families: ColumnFamilies, warehouse: String
    ) throws
        -> [(policy: Oms_V1_ReorderPolicy, level: Oms_V1_StockLevel)]
    {
        let prefix =
            warehouse.isEmpty
            ? [StockLedger.reorderPolicyTag] : StockLedger.reorderPolicyKey(warehouse: warehouse, sku: nil)
        return try reader.scan(families.stock, prefix).map { row in
            let policy = try Oms_V1_ReorderPolicy(serializedBytes: row.value)
            var level = Oms_V1_StockLevel()
            if let bytes = try reader.get(
                families.stock, StockLedger.levelKey(sku: policy.sku, warehouse: policy.warehouseCode))
            {
                level = try Oms_V1_StockLevel(serializedBytes: bytes)
            }
            return (policy, level)
        }
    }

    func snapshotReader() throws -> StockReader {
        let snapshot = try store.engine.readView()
        return StockReader(
            get: { try snapshot.get($0, $1) },
            scan: { try snapshot.scan($0, prefix: $1, limit: Int.max) })
    }

    public func lowStock(_ request: Oms_V1_ListLowStockRequest) throws -> Oms_V1_ListLowStockResponse {
        if !request.warehouseCode.isEmpty {
            var validator = Validator()
            validator.checkCode(request.warehouseCode, "warehouse_code")
            try validator.throwIfInvalid()
        }
        var response = Oms_V1_ListLowStockResponse()
        for (policy, level) in try Self.policiesWithLevels(
            try snapshotReader(), families: store.families, warehouse: request.warehouseCode)
        {
            let position = level.available + level.incoming
            guard position < policy.reorderPoint else { continue }
            var item = Oms_V1_LowStockItem()
            item.policy = policy
            item.onHand = level.onHand
            item.reserved = level.reserved
            item.available = level.available
            item.incoming = level.incoming
            item.position = position
            item.belowReorderPointBy = policy.reorderPoint - position
            response.items.append(item)
        }
        return response
    }

    static func validateWindow(_ warehouse: String, _ days: Int32) throws(DomainError) {
        var validator = Validator()
        if !warehouse.isEmpty { validator.checkCode(warehouse, "warehouse_code") }
        validator.check((0...365).contains(days), "window_days", "must be from 0 to 365")
        try validator.throwIfInvalid()
    }

    static func suggestions(
        _ reader: StockReader, families: ColumnFamilies, warehouse: String, windowDays: Int32, nowMillis: Int64
    ) throws -> [Oms_V1_ReplenishmentSuggestion] {
        let days = windowDays == 0 ? defaultWindowDays : windowDays
        let since = nowMillis - Int64(days) * 86_400_000
        var suggestions: [Oms_V1_ReplenishmentSuggestion] = []
        for (policy, level) in try policiesWithLevels(reader, families: families, warehouse: warehouse) {
            var sold: Int64 = 0
            for row in try reader.scan(
                families.stockMoves, StockLedger.movePrefix(sku: policy.sku, warehouse: policy.warehouseCode))
            {
                let move = try Oms_V1_StockMove(serializedBytes: row.value)
                if move.kind == .shipment && move.atMillis >= since && move.atMillis <= nowMillis {
                    sold -= move.onHandDelta
                }
            }
            let lead = Int64(policy.leadTimeDays)
            let demand = (sold * lead + Int64(days) - 1) / Int64(days)  // ceil, sold and lead >= 0
            let target = max(policy.reorderPoint, demand + policy.safetyStock)
            let position = level.available + level.incoming
            var quantity = max(target - position, 0)
            if quantity > 0 { quantity = max(quantity, policy.minOrderQuantity) }
            if policy.maxStock > 0 { quantity = min(quantity, max(0, policy.maxStock - position)) }
            guard quantity > 0 else { continue }
            var suggestion = Oms_V1_ReplenishmentSuggestion()
            suggestion.sku = policy.sku
            suggestion.warehouseCode = policy.warehouseCode
            suggestion.soldInWindow = sold
            suggestion.windowDays = days
            suggestion.leadTimeDays = policy.leadTimeDays
            suggestion.demandDuringLeadTime = demand
            suggestion.safetyStock = policy.safetyStock
            suggestion.reorderPoint = policy.reorderPoint
            suggestion.available = level.available
            suggestion.incoming = level.incoming
            suggestion.position = position
            suggestion.target = target
            suggestion.quantity = quantity
            suggestion.supplier = policy.supplier
            suggestion.unitCostMinor = policy.unitCostMinor
            suggestion.currencyCode = policy.currencyCode
            suggestions.append(suggestion)
        }
        return suggestions
    }

    public func suggestReplenishment(
        _ request: Oms_V1_SuggestReplenishmentRequest
    ) throws
        -> Oms_V1_SuggestReplenishmentResponse
    {
        try Self.validateWindow(request.warehouseCode, request.windowDays)
        var response = Oms_V1_SuggestReplenishmentResponse()
        response.suggestions = try Self.suggestions(
            try snapshotReader(), families: store.families, warehouse: request.warehouseCode,
            windowDays: request.windowDays, nowMillis: store.clock.nowNanoseconds() / 1_000_000)
        return response
    }

    /// Recomputes the suggestions on the writer (so they match the state the
    /// orders are created in) and creates one PO per warehouse, supplier and
    /// currency.
    public func createPurchaseOrdersFromSuggestions(
        _ request: Oms_V1_CreatePurchaseOrdersFromSuggestionsRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_CreatePurchaseOrdersFromSuggestionsResponse, any Error>) -> Void
    ) {
        let store = self.store
        InventoryCommand.submit(
            store, request,
            validate: { (r) throws(DomainError) in
                var validator = Validator()
                Idempotency.validate(r.requestID, into: &validator)
                try validator.throwIfInvalid()
                try Self.validateWindow(r.warehouseCode, r.windowDays)
            },
            apply: { transaction in
                var canonical = request
                canonical.requestID = ""
                let families = store.families
                return try InventoryCommand.idempotent(
                    method: Self.createPurchaseOrdersFromSuggestionsMethod, requestID: request.requestID,
                    canonical: canonical, families: families, transaction: &transaction
                ) { transaction in
                    let view = transaction
                    let reader = StockReader(
                        get: { try view.get($0, $1) }, scan: { try view.scan($0, prefix: $1, limit: Int.max) })
                    let suggestions = try Self.suggestions(
                        reader, families: families, warehouse: request.warehouseCode, windowDays: request.windowDays,
                        nowMillis: transaction.now / 1_000_000)
                    var groups: [String: Oms_V1_PurchaseOrder] = [:]
                    var order: [String] = []
                    for suggestion in suggestions {
                        let key = "\(suggestion.warehouseCode)|\(suggestion.supplier)|\(suggestion.currencyCode)"
                        if groups[key] == nil {
                            var po = Oms_V1_PurchaseOrder()
                            po.supplier = suggestion.supplier
                            po.warehouseCode = suggestion.warehouseCode
                            po.currencyCode = suggestion.currencyCode
                            groups[key] = po
                            order.append(key)
                        }
                        var line = Oms_V1_PurchaseOrderLine()
                        line.sku = suggestion.sku
                        line.quantity = suggestion.quantity
                        line.unitCostMinor = suggestion.unitCostMinor
                        groups[key]!.lines.append(line)
                    }
                    var response = Oms_V1_CreatePurchaseOrdersFromSuggestionsResponse()
                    response.suggestions = suggestions
                    var last: UInt64 = 0
                    for key in order {
                        let (po, sequence) = try Self.insertPurchaseOrder(
                            groups[key]!, actor: actor, requestID: request.requestID, store: store,
                            transaction: &transaction)
                        response.purchaseOrders.append(po)
                        last = sequence
                    }
                    return (response, last)
                }
            }, completion: completion)
    }
}
