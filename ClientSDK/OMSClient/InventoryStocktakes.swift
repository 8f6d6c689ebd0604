extension OMSClient.Inventory {
    /// One count of ``recordCounts(stocktakeID:_:requestID:options:)``.
    public struct StocktakeCountRow: Sendable, Hashable {
        public var rowNumber: UInt64
        public var sku: String
        /// "" = unassigned stock.
        public var location: String
        public var counted: Int64
        public init(rowNumber: UInt64 = 0, sku: String, location: String = "", counted: Int64) {
            self.rowNumber = rowNumber
            self.sku = sku
            self.location = location
            self.counted = counted
        }
    }

    /// Starts a stocktake of a warehouse (optionally some locations and skus),
    /// snapshotting the expected on-hand.
    public func startStocktake(
        warehouse: String, locations: [String] = [], skus: [String] = [], requestID: String? = nil,
        options: OMSClient.CallOptions = OMSClient.CallOptions()
    ) async throws(OMSError) -> Oms_V1_Stocktake {
        var request = Oms_V1_StartStocktakeRequest()
        request.requestID = requestID ?? RequestID.generate()
        request.warehouseCode = warehouse
        request.locationCodes = locations
        request.skus = skus
        return try await client.call(
            Oms_V1_InventoryService.Method.startStocktake, request, options: options, idempotent: true
        ).stocktake ?? Oms_V1_Stocktake()
    }

    /// Streams counts; bad counts come back in `failures`, the others are
    /// recorded (the last count of a sku × location wins). No deadline
    /// unless `options` sets one.
    public func recordCounts<Counts: AsyncSequence & Sendable>(
        stocktakeID: String, _ counts: Counts, requestID: String? = nil,
        options: OMSClient.CallOptions = OMSClient.CallOptions()
    ) async throws(OMSError) -> Oms_V1_RecordCountsResponse where Counts.Element == StocktakeCountRow {
        let key = requestID ?? ""
        let messages = counts.map { @Sendable row -> Oms_V1_StocktakeCount in
            var message = Oms_V1_StocktakeCount()
            message.stocktakeID = stocktakeID
            message.rowNumber = row.rowNumber
            message.sku = row.sku
            message.locationCode = row.location
            message.countedQuantity = row.counted
            message.requestID = key
            return message
        }
        var options = options
        if options.timeout == nil { options.timeout = .seconds(7 * 86_400) }
        return try await client.clientStream(
            Oms_V1_InventoryService.Method.recordCounts, requests: messages, options: options)
    }

    /// Every line with snapshot, count, movements during the count and variance (quantity and value).
    public func stocktakeVariance(
        id: String, options: OMSClient.CallOptions = OMSClient.CallOptions()
    )
        async throws(OMSError) -> Oms_V1_Stocktake
    {
        var request = Oms_V1_GetStocktakeVarianceRequest()
        request.id = id
        return try await client.call(
            Oms_V1_InventoryService.Method.getStocktakeVariance, request, options: options, idempotent: true
        ).stocktake ?? Oms_V1_Stocktake()
    }

    /// Writes the variances as STOCKTAKE ledger rows and closes the stocktake.
    public func commitStocktake(
        id: String, requestID: String? = nil, options: OMSClient.CallOptions = OMSClient.CallOptions()
    ) async throws(OMSError) -> Oms_V1_StocktakeResponse {
        var request = Oms_V1_CommitStocktakeRequest()
        request.requestID = requestID ?? RequestID.generate()
        request.id = id
        return try await client.call(
            Oms_V1_InventoryService.Method.commitStocktake, request, options: options, idempotent: true)
    }
}
