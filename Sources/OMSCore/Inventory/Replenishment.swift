import KeyValueStorage
public import OMSProto

// Reorder policies, low-stock listing and replenishment suggestions.
//
// Position = available + incoming (open POs and inbound transfers). A level
// is low when position < reorder point. A suggestion orders
// `max(target - position, min_order_quantity)` where target =
// `max(reorder_point, ceil(sold × lead_time / window) + safety_stock)` and
// `sold` is what shipped in the last `window_days`; with `max_stock` set,
// the quantity is capped so position + quantity <= max_stock.

/// `SetReorderPolicy`: the reorder policy of a sku in a warehouse, replaced as a whole.
public struct SetReorderPolicy: WriteCommand {
    public static let method = Oms_V1_InventoryService.Method.setReorderPolicy

    public init() {}

    public func validate(_ request: Oms_V1_SetReorderPolicyRequest, into validator: inout Validator) {
        guard let policy = request.policy else {
            return validator.check(false, "policy", "is required")
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
    }

    public func apply(
        _ request: Oms_V1_SetReorderPolicyRequest, in context: inout CommandContext
    ) throws -> Oms_V1_SetReorderPolicyResponse {
        let families = context.families
        var policy = request.policy!
        try Inventory.requireWarehouse(
            context.transaction, families: families, policy.warehouseCode, field: "policy.warehouse_code")
        guard try context.transaction.get(families.products, Array(policy.sku.utf8)) != nil else {
            throw DomainError(
                .failedPrecondition, "product \(policy.sku) does not exist",
                violations: [.init(field: "policy.sku", description: "unknown sku")], reason: "PRODUCT_NOT_FOUND")
        }
        policy.updatedAtMillis = context.nowMillis
        context.transaction.put(
            families.stock, StockLedger.reorderPolicyKey(warehouse: policy.warehouseCode, sku: policy.sku),
            policy.serializedBytes())
        try context.record(
            "reorder_policy.set", resource: "reorder_policy", id: "\(policy.sku)@\(policy.warehouseCode)",
            payload: nil)
        var response = Oms_V1_SetReorderPolicyResponse()
        response.policy = policy
        return response
    }
}

/// `CreatePurchaseOrdersFromSuggestions`: recomputes the suggestions on the
/// writer (so they match the state the orders are created in) and creates
/// one PO per warehouse, supplier and currency.
public struct CreatePurchaseOrdersFromSuggestions: WriteCommand {
    public static let method = Oms_V1_InventoryService.Method.createPurchaseOrdersFromSuggestions

    public init() {}

    public func validate(
        _ request: Oms_V1_CreatePurchaseOrdersFromSuggestionsRequest, into validator: inout Validator
    ) throws(DomainError) {
        // A bad request_id is reported alone, before the window is looked at.
        try validator.throwIfInvalid()
        Inventory.checkWindow(request.warehouseCode, request.windowDays, into: &validator)
    }

    public func apply(
        _ request: Oms_V1_CreatePurchaseOrdersFromSuggestionsRequest, in context: inout CommandContext
    ) throws -> Oms_V1_CreatePurchaseOrdersFromSuggestionsResponse {
        let suggestions = try Inventory.suggestions(
            StockReader(context.transaction), families: context.families, warehouse: request.warehouseCode,
            windowDays: request.windowDays, nowMillis: context.nowMillis)
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
        for key in order {
            response.purchaseOrders.append(try CreatePurchaseOrder.insert(groups[key]!, in: &context))
        }
        return response
    }
}

extension Inventory {
    static let defaultWindowDays: Int32 = 30

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

    public func lowStock(_ request: Oms_V1_ListLowStockRequest) throws -> Oms_V1_ListLowStockResponse {
        if !request.warehouseCode.isEmpty {
            var validator = Validator()
            validator.checkCode(request.warehouseCode, "warehouse_code")
            try validator.throwIfInvalid()
        }
        var response = Oms_V1_ListLowStockResponse()
        for (policy, level) in try Self.policiesWithLevels(
            StockReader(try store.engine.readView()), families: store.families, warehouse: request.warehouseCode)
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

    /// A suggestion's scope: all warehouses ("") or one, over 0 (the
    /// default, 30) to 365 days of sales.
    static func checkWindow(_ warehouse: String, _ days: Int32, into validator: inout Validator) {
        if !warehouse.isEmpty { validator.checkCode(warehouse, "warehouse_code") }
        validator.check((0...365).contains(days), "window_days", "must be from 0 to 365")
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
        var validator = Validator()
        Self.checkWindow(request.warehouseCode, request.windowDays, into: &validator)
        try validator.throwIfInvalid()
        var response = Oms_V1_SuggestReplenishmentResponse()
        response.suggestions = try Self.suggestions(
            StockReader(try store.engine.readView()), families: store.families, warehouse: request.warehouseCode,
            windowDays: request.windowDays, nowMillis: store.clock.nowNanoseconds() / 1_000_000)
        return response
    }
}
