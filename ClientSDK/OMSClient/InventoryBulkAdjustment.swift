extension OMSClient.Inventory {
    /// One row of ``bulkAdjustStock(_:requestID:options:)``.
    public struct AdjustmentRow: Sendable, Hashable {
        /// Echoed in failures (a CSV line number, say); 0 = position in the stream from 1.
        public var rowNumber: UInt64
        public var sku: String
        public var warehouse: String
        public var delta: Int64
        public var reason: String
        public var location: String
        public init(
            rowNumber: UInt64 = 0, sku: String, warehouse: String, delta: Int64, reason: String = "",
            location: String = ""
        ) {
            self.rowNumber = rowNumber
            self.sku = sku
            self.warehouse = warehouse
            self.delta = delta
            self.reason = reason
            self.location = location
        }
    }

    /// Streams adjustment rows to `BulkAdjustStock`. Each row is validated
    /// and applied on its own: failed rows are listed in the response's
    /// `failures` (row number, gRPC code name, field, message) and never
    /// fail the others. With a `requestID`, re-sending the same rows after
    /// a broken stream applies each row at most once.
    ///
    /// Without a ``OMSClient/CallOptions/timeout`` the call has no deadline
    /// (a large import may take minutes), unlike other calls.
    public func bulkAdjustStock<Rows: AsyncSequence & Sendable>(
        _ rows: Rows, requestID: String? = nil, options: OMSClient.CallOptions = OMSClient.CallOptions()
    ) async throws(OMSError) -> Oms_V1_BulkAdjustStockResponse where Rows.Element == AdjustmentRow {
        let key = requestID ?? ""
        let messages = rows.map { @Sendable row -> Oms_V1_BulkAdjustStockRow in
            var message = Oms_V1_BulkAdjustStockRow()
            message.rowNumber = row.rowNumber
            message.sku = row.sku
            message.warehouseCode = row.warehouse
            message.delta = row.delta
            message.reason = row.reason
            message.locationCode = row.location
            message.requestID = key
            return message
        }
        var options = options
        if options.timeout == nil { options.timeout = .seconds(7 * 86_400) }
        return try await client.clientStream(
            Oms_V1_InventoryService.Method.bulkAdjustStock, requests: messages, options: options)
    }
}
