extension OMSClient.Inventory {
    /// A line of a transfer, scrap or receipt: `quantity` of `sku` at
    /// `location` ("" = unassigned; for removals, unassigned first then
    /// locations in code order).
    public struct StockLine: Sendable, Hashable {
        public var sku: String
        public var quantity: Int64
        public var location: String
        public init(sku: String, quantity: Int64, location: String = "") {
            self.sku = sku
            self.quantity = quantity
            self.location = location
        }
    }

    /// Requests a transfer; someone else must approve it.
    public func requestTransfer(
        from: String, to: String, lines: [StockLine], note: String = "", requestID: String? = nil,
        options: OMSClient.CallOptions = OMSClient.CallOptions()
    ) async throws(OMSError) -> Oms_V1_Transfer {
        var transfer = Oms_V1_Transfer()
        transfer.fromWarehouseCode = from
        transfer.toWarehouseCode = to
        transfer.note = note
        transfer.lines = lines.map {
            var line = Oms_V1_TransferLine()
            line.sku = $0.sku
            line.quantity = $0.quantity
            line.fromLocationCode = $0.location
            return line
        }
        var request = Oms_V1_RequestTransferRequest()
        request.requestID = requestID ?? RequestID.generate()
        request.transfer = transfer
        return try await client.call(
            Oms_V1_InventoryService.Method.requestTransfer, request, options: options, idempotent: true
        ).transfer ?? Oms_V1_Transfer()
    }

    /// Approves a transfer (``OMSError/Code/permissionDenied`` for the requester).
    public func approveTransfer(
        id: String, requestID: String? = nil, options: OMSClient.CallOptions = OMSClient.CallOptions()
    ) async throws(OMSError) -> Oms_V1_Transfer {
        var request = Oms_V1_ApproveTransferRequest()
        request.requestID = requestID ?? RequestID.generate()
        request.id = id
        return try await client.call(
            Oms_V1_InventoryService.Method.approveTransfer, request, options: options, idempotent: true
        ).transfer ?? Oms_V1_Transfer()
    }

    public func rejectTransfer(
        id: String, reason: String, requestID: String? = nil, options: OMSClient.CallOptions = OMSClient.CallOptions()
    ) async throws(OMSError) -> Oms_V1_Transfer {
        var request = Oms_V1_RejectTransferRequest()
        request.requestID = requestID ?? RequestID.generate()
        request.id = id
        request.reason = reason
        return try await client.call(
            Oms_V1_InventoryService.Method.rejectTransfer, request, options: options, idempotent: true
        ).transfer ?? Oms_V1_Transfer()
    }

    /// Ships an approved transfer: TRANSFER_OUT rows at the source, in transit to the destination.
    public func shipTransfer(
        id: String, requestID: String? = nil, options: OMSClient.CallOptions = OMSClient.CallOptions()
    ) async throws(OMSError) -> Oms_V1_TransferResponse {
        var request = Oms_V1_ShipTransferRequest()
        request.requestID = requestID ?? RequestID.generate()
        request.id = id
        return try await client.call(
            Oms_V1_InventoryService.Method.shipTransfer, request, options: options, idempotent: true)
    }

    /// Receives (part of) a shipped transfer; `complete` closes it, recording
    /// what is still missing as discrepancies.
    public func receiveTransfer(
        id: String, lines: [StockLine], complete: Bool = false, requestID: String? = nil,
        options: OMSClient.CallOptions = OMSClient.CallOptions()
    ) async throws(OMSError) -> Oms_V1_TransferResponse {
        var request = Oms_V1_ReceiveTransferRequest()
        request.requestID = requestID ?? RequestID.generate()
        request.id = id
        request.complete = complete
        request.lines = lines.map {
            var line = Oms_V1_TransferReceiptLine()
            line.sku = $0.sku
            line.quantity = $0.quantity
            line.locationCode = $0.location
            return line
        }
        return try await client.call(
            Oms_V1_InventoryService.Method.receiveTransfer, request, options: options, idempotent: true)
    }

    public func transfer(
        id: String, options: OMSClient.CallOptions = OMSClient.CallOptions()
    ) async throws(OMSError)
        -> Oms_V1_Transfer
    {
        var request = Oms_V1_GetTransferRequest()
        request.id = id
        return try await client.call(
            Oms_V1_InventoryService.Method.getTransfer, request, options: options, idempotent: true
        ).transfer ?? Oms_V1_Transfer()
    }

    /// Requests a scrap (reason damaged, expired or lost); someone else must approve it.
    public func requestScrap(
        warehouse: String, lines: [StockLine], reason: Oms_V1_ScrapReason, note: String = "",
        requestID: String? = nil, options: OMSClient.CallOptions = OMSClient.CallOptions()
    ) async throws(OMSError) -> Oms_V1_Scrap {
        var scrap = Oms_V1_Scrap()
        scrap.warehouseCode = warehouse
        scrap.reason = reason
        scrap.note = note
        scrap.lines = lines.map {
            var line = Oms_V1_ScrapLine()
            line.sku = $0.sku
            line.quantity = $0.quantity
            line.locationCode = $0.location
            return line
        }
        var request = Oms_V1_RequestScrapRequest()
        request.requestID = requestID ?? RequestID.generate()
        request.scrap = scrap
        return try await client.call(
            Oms_V1_InventoryService.Method.requestScrap, request, options: options, idempotent: true
        ).scrap ?? Oms_V1_Scrap()
    }

    /// Approves a scrap: the stock leaves and its value is written off.
    public func approveScrap(
        id: String, requestID: String? = nil, options: OMSClient.CallOptions = OMSClient.CallOptions()
    ) async throws(OMSError) -> Oms_V1_ScrapResponse {
        var request = Oms_V1_ApproveScrapRequest()
        request.requestID = requestID ?? RequestID.generate()
        request.id = id
        return try await client.call(
            Oms_V1_InventoryService.Method.approveScrap, request, options: options, idempotent: true)
    }

    public func rejectScrap(
        id: String, reason: String, requestID: String? = nil, options: OMSClient.CallOptions = OMSClient.CallOptions()
    ) async throws(OMSError) -> Oms_V1_Scrap {
        var request = Oms_V1_RejectScrapRequest()
        request.requestID = requestID ?? RequestID.generate()
        request.id = id
        request.reason = reason
        return try await client.call(
            Oms_V1_InventoryService.Method.rejectScrap, request, options: options, idempotent: true
        ).scrap ?? Oms_V1_Scrap()
    }

    public func scrap(
        id: String, options: OMSClient.CallOptions = OMSClient.CallOptions()
    ) async throws(OMSError)
        -> Oms_V1_Scrap
    {
        var request = Oms_V1_GetScrapRequest()
        request.id = id
        return try await client.call(
            Oms_V1_InventoryService.Method.getScrap, request, options: options, idempotent: true
        ).scrap ?? Oms_V1_Scrap()
    }
}
