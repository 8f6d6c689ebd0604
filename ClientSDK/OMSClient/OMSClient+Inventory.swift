extension OMSClient {
    /// `oms.v1.InventoryService`: warehouses and stock levels.
    public var inventory: Inventory { Inventory(client: self) }

    /// Calls of `oms.v1.InventoryService`.
    public struct Inventory: Sendable {
        let client: OMSClient

        /// Creates a warehouse. Lower `priority` values are allocated first.
        ///
        /// - Throws: ``OMSError`` with ``OMSError/Code/alreadyExists`` when the code is taken.
        public func createWarehouse(
            code: String, name: String = "", priority: Int32 = 0, requestID: String? = nil,
            options: CallOptions = CallOptions()
        ) async throws(OMSError) -> Oms_V1_Warehouse {
            var request = Oms_V1_CreateWarehouseRequest()
            request.requestID = requestID ?? RequestID.generate()
            request.warehouse = .with {
                $0.code = code
                $0.name = name
                $0.priority = priority
            }
            let response = try await client.call(
                Oms_V1_InventoryService.Method.createWarehouse, request, options: options, idempotent: true)
            return response.warehouse ?? Oms_V1_Warehouse()
        }

        /// Every warehouse in allocation order (priority, then code).
        public func warehouses(options: CallOptions = CallOptions()) async throws(OMSError) -> [Oms_V1_Warehouse] {
            try await client.call(
                Oms_V1_InventoryService.Method.listWarehouses, Oms_V1_ListWarehousesRequest(), options: options,
                idempotent: true
            ).warehouses
        }

        /// Adds `delta` (negative to remove) to the on-hand stock of `sku` in
        /// `warehouse`, with a ledger entry. On-hand never goes below zero nor
        /// below what is reserved (``OMSError/Code/failedPrecondition``).
        ///
        /// - Returns: the new level and the ledger row written.
        public func adjustStock(
            sku: String, warehouse: String, delta: Int64, reason: String, requestID: String? = nil,
            options: CallOptions = CallOptions()
        ) async throws(OMSError) -> (level: Oms_V1_StockLevel, move: Oms_V1_StockMove) {
            var request = Oms_V1_AdjustStockRequest()
            request.requestID = requestID ?? RequestID.generate()
            request.sku = sku
            request.warehouseCode = warehouse
            request.delta = delta
            request.reason = reason
            let response = try await client.call(
                Oms_V1_InventoryService.Method.adjustStock, request, options: options, idempotent: true)
            return (response.level ?? Oms_V1_StockLevel(), response.move ?? Oms_V1_StockMove())
        }

        /// On-hand, reserved and available of `sku` in one warehouse, or
        /// summed over all of them when `warehouse` is empty (with the
        /// per-warehouse breakdown in `warehouses`).
        public func stock(sku: String, warehouse: String = "", options: CallOptions = CallOptions())
            async throws(OMSError) -> Oms_V1_GetStockResponse
        {
            var request = Oms_V1_GetStockRequest()
            request.sku = sku
            request.warehouseCode = warehouse
            return try await client.call(
                Oms_V1_InventoryService.Method.getStock, request, options: options, idempotent: true)
        }
    }
}
