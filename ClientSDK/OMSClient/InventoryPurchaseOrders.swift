extension OMSClient.Inventory {
    /// One line of a purchase order to create.
    public struct PurchaseOrderLine: Sendable, Hashable {
        public var sku: String
        public var quantity: Int64
        /// Cost per unit in minor units of the order's currency.
        public var unitCostMinor: Int64
        public init(sku: String, quantity: Int64, unitCostMinor: Int64) {
            self.sku = sku
            self.quantity = quantity
            self.unitCostMinor = unitCostMinor
        }
    }

    /// One line of a receipt: units of `sku` put away at `location` ("" = unassigned).
    public struct ReceiptLine: Sendable, Hashable {
        public var sku: String
        public var quantity: Int64
        public var location: String
        public init(sku: String, quantity: Int64, location: String = "") {
            self.sku = sku
            self.quantity = quantity
            self.location = location
        }
    }

    /// Creates a purchase order; its quantities count as `incoming` of the
    /// warehouse until received.
    ///
    /// - Parameter overReceiptTolerancePercent: a line may receive at most
    ///   `quantity + floor(quantity × percent / 100)` in total.
    public func createPurchaseOrder(
        supplier: String, warehouse: String, currency: String, lines: [PurchaseOrderLine],
        expectedAtMillis: Int64 = 0, overReceiptTolerancePercent: UInt32 = 0, requestID: String? = nil,
        options: OMSClient.CallOptions = OMSClient.CallOptions()
    ) async throws(OMSError) -> Oms_V1_PurchaseOrder {
        var order = Oms_V1_PurchaseOrder()
        order.supplier = supplier
        order.warehouseCode = warehouse
        order.currencyCode = currency
        order.expectedAtMillis = expectedAtMillis
        order.overReceiptTolerancePercent = overReceiptTolerancePercent
        order.lines = lines.map {
            var line = Oms_V1_PurchaseOrderLine()
            line.sku = $0.sku
            line.quantity = $0.quantity
            line.unitCostMinor = $0.unitCostMinor
            return line
        }
        var request = Oms_V1_CreatePurchaseOrderRequest()
        request.requestID = requestID ?? RequestID.generate()
        request.purchaseOrder = order
        let response = try await client.call(
            Oms_V1_InventoryService.Method.createPurchaseOrder, request, options: options, idempotent: true)
        return response.purchaseOrder ?? Oms_V1_PurchaseOrder()
    }

    /// Receives (part of) a purchase order: RECEIPT ledger rows at the
    /// lines' unit costs, which update the moving-average cost.
    ///
    /// - Throws: ``OMSError`` with ``OMSError/Code/failedPrecondition`` (reason `OVER_RECEIPT`)
    ///   beyond the tolerance; nothing is received then.
    public func receivePurchaseOrder(
        id: String, lines: [ReceiptLine], requestID: String? = nil,
        options: OMSClient.CallOptions = OMSClient.CallOptions()
    ) async throws(OMSError) -> Oms_V1_ReceivePurchaseOrderResponse {
        var request = Oms_V1_ReceivePurchaseOrderRequest()
        request.requestID = requestID ?? RequestID.generate()
        request.id = id
        request.lines = lines.map {
            var line = Oms_V1_PurchaseOrderReceiptLine()
            line.sku = $0.sku
            line.quantity = $0.quantity
            line.locationCode = $0.location
            return line
        }
        return try await client.call(
            Oms_V1_InventoryService.Method.receivePurchaseOrder, request, options: options, idempotent: true)
    }

    public func purchaseOrder(
        id: String, options: OMSClient.CallOptions = OMSClient.CallOptions()
    ) async throws(OMSError)
        -> Oms_V1_PurchaseOrder
    {
        var request = Oms_V1_GetPurchaseOrderRequest()
        request.id = id
        let response = try await client.call(
            Oms_V1_InventoryService.Method.getPurchaseOrder, request, options: options, idempotent: true)
        return response.purchaseOrder ?? Oms_V1_PurchaseOrder()
    }

    /// One page of purchase orders, oldest first; `.unspecified` = every status.
    public func purchaseOrders(
        status: Oms_V1_PurchaseOrderStatus = .unspecified, pageSize: Int32 = 0, pageToken: String? = nil,
        options: OMSClient.CallOptions = OMSClient.CallOptions()
    ) async throws(OMSError) -> Page<Oms_V1_PurchaseOrder> {
        var request = Oms_V1_ListPurchaseOrdersRequest()
        request.status = status
        request.pageSize = pageSize
        request.pageToken = pageToken ?? ""
        let response = try await client.call(
            Oms_V1_InventoryService.Method.listPurchaseOrders, request, options: options, idempotent: true)
        return Page(
            items: response.purchaseOrders, nextPageToken: response.nextPageToken.isEmpty ? nil : response.nextPageToken
        )
    }

    /// Stock value (on hand × moving-average cost) per sku × warehouse, now
    /// (`asOfMillis` 0) or as of a past time.
    public func valuation(
        sku: String = "", warehouse: String = "", asOfMillis: Int64 = 0,
        options: OMSClient.CallOptions = OMSClient.CallOptions()
    ) async throws(OMSError) -> Oms_V1_GetValuationResponse {
        var request = Oms_V1_GetValuationRequest()
        request.sku = sku
        request.warehouseCode = warehouse
        request.asOfMillis = asOfMillis
        return try await client.call(
            Oms_V1_InventoryService.Method.getValuation, request, options: options, idempotent: true)
    }
}
