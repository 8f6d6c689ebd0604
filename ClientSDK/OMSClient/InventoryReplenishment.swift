extension OMSClient.Inventory {
    /// Sets the reorder policy of `sku` in `warehouse` (replacing any earlier one).
    public func setReorderPolicy(
        _ policy: Oms_V1_ReorderPolicy, requestID: String? = nil,
        options: OMSClient.CallOptions = OMSClient.CallOptions()
    ) async throws(OMSError) -> Oms_V1_ReorderPolicy {
        var request = Oms_V1_SetReorderPolicyRequest()
        request.requestID = requestID ?? RequestID.generate()
        request.policy = policy
        return try await client.call(
            Oms_V1_InventoryService.Method.setReorderPolicy, request, options: options, idempotent: true
        ).policy ?? Oms_V1_ReorderPolicy()
    }

    /// Levels whose position (available + incoming) is below their reorder point.
    public func lowStock(
        warehouse: String = "", options: OMSClient.CallOptions = OMSClient.CallOptions()
    )
        async throws(OMSError) -> [Oms_V1_LowStockItem]
    {
        var request = Oms_V1_ListLowStockRequest()
        request.warehouseCode = warehouse
        return try await client.call(
            Oms_V1_InventoryService.Method.listLowStock, request, options: options, idempotent: true
        ).items
    }

    /// Order quantities from recent sales, lead time, safety stock and open orders, with every input shown.
    public func suggestReplenishment(
        warehouse: String = "", windowDays: Int32 = 0, options: OMSClient.CallOptions = OMSClient.CallOptions()
    ) async throws(OMSError) -> [Oms_V1_ReplenishmentSuggestion] {
        var request = Oms_V1_SuggestReplenishmentRequest()
        request.warehouseCode = warehouse
        request.windowDays = windowDays
        return try await client.call(
            Oms_V1_InventoryService.Method.suggestReplenishment, request, options: options, idempotent: true
        ).suggestions
    }

    /// Creates one purchase order per warehouse, supplier and currency from the current suggestions.
    public func createPurchaseOrdersFromSuggestions(
        warehouse: String = "", windowDays: Int32 = 0, requestID: String? = nil,
        options: OMSClient.CallOptions = OMSClient.CallOptions()
    ) async throws(OMSError) -> Oms_V1_CreatePurchaseOrdersFromSuggestionsResponse {
        var request = Oms_V1_CreatePurchaseOrdersFromSuggestionsRequest()
        request.requestID = requestID ?? RequestID.generate()
        request.warehouseCode = warehouse
        request.windowDays = windowDays
        return try await client.call(
            Oms_V1_InventoryService.Method.createPurchaseOrdersFromSuggestions, request, options: options,
            idempotent: true)
    }
}
