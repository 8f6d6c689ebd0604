extension OMSClient.Inventory {
    /// Turnover, days of inventory, slow-moving and overstock per sku ×
    /// warehouse over `[fromMillis, toMillis)` (`toMillis` 0 = now), in units.
    public func stockAnalysis(
        fromMillis: Int64, toMillis: Int64 = 0, sku: String = "", warehouse: String = "", slowMovingDays: Int32 = 0,
        overstockDays: Int32 = 0, options: OMSClient.CallOptions = OMSClient.CallOptions()
    ) async throws(OMSError) -> Oms_V1_GetStockAnalysisResponse {
        var request = Oms_V1_GetStockAnalysisRequest()
        request.fromMillis = fromMillis
        request.toMillis = toMillis
        request.sku = sku
        request.warehouseCode = warehouse
        request.slowMovingDays = slowMovingDays
        request.overstockDays = overstockDays
        return try await client.call(
            Oms_V1_InventoryService.Method.getStockAnalysis, request, options: options, idempotent: true)
    }
}
