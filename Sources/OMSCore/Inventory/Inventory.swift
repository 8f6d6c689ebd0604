public import OMSProto

/// Warehouses, locations, stock levels and their ledger, purchase orders,
/// transfers, scrap, stocktakes, valuation and replenishment. One async
/// method per write command (each a `WriteCommand` run through the single
/// writer by `OMSStore.run`); the queries, in the files of their commands,
/// read the database directly and never wait for the writer.
public struct Inventory: Sendable {
    /// Rows (or counts) per writer round of the client-streaming commands.
    public static let bulkChunkSize = 1000
    /// Free text on a request (a reason, a note, a reference) is at most this long.
    static let maxReasonBytes = 500

    let store: OMSStore

    public init(store: OMSStore) {
        self.store = store
    }

    // MARK: Commands

    /// Creates a warehouse (`CreateWarehouse`).
    public func createWarehouse(
        _ request: Oms_V1_CreateWarehouseRequest, actor: String
    ) async throws -> Oms_V1_CreateWarehouseResponse {
        try await store.run(CreateWarehouse(), request, actor: actor)
    }

    /// Changes the on-hand of a sku in a warehouse or at one of its locations (`AdjustStock`).
    public func adjustStock(
        _ request: Oms_V1_AdjustStockRequest, actor: String
    ) async throws -> Oms_V1_AdjustStockResponse {
        try await store.run(AdjustStock(), request, actor: actor)
    }

    /// Creates a location in a warehouse (`CreateLocation`).
    public func createLocation(
        _ request: Oms_V1_CreateLocationRequest, actor: String
    ) async throws -> Oms_V1_CreateLocationResponse {
        try await store.run(CreateLocation(), request, actor: actor)
    }

    /// Opens a purchase order; its lines count as incoming (`CreatePurchaseOrder`).
    public func createPurchaseOrder(
        _ request: Oms_V1_CreatePurchaseOrderRequest, actor: String
    ) async throws -> Oms_V1_CreatePurchaseOrderResponse {
        try await store.run(CreatePurchaseOrder(), request, actor: actor)
    }

    /// Receives some of a purchase order's lines at their unit cost (`ReceivePurchaseOrder`).
    public func receivePurchaseOrder(
        _ request: Oms_V1_ReceivePurchaseOrderRequest, actor: String
    ) async throws -> Oms_V1_ReceivePurchaseOrderResponse {
        try await store.run(ReceivePurchaseOrder(), request, actor: actor)
    }

    /// Requests a transfer between two warehouses (`RequestTransfer`).
    public func requestTransfer(
        _ request: Oms_V1_RequestTransferRequest, actor: String
    ) async throws -> Oms_V1_TransferResponse {
        try await store.run(RequestTransfer(), request, actor: actor)
    }

    /// Approves someone else's transfer request (`ApproveTransfer`).
    public func approveTransfer(
        _ request: Oms_V1_ApproveTransferRequest, actor: String
    ) async throws -> Oms_V1_TransferResponse {
        try await store.run(ApproveTransfer(), request, actor: actor)
    }

    /// Rejects someone else's transfer request (`RejectTransfer`).
    public func rejectTransfer(
        _ request: Oms_V1_RejectTransferRequest, actor: String
    ) async throws -> Oms_V1_TransferResponse {
        try await store.run(RejectTransfer(), request, actor: actor)
    }

    /// Ships an approved transfer (`ShipTransfer`).
    public func shipTransfer(
        _ request: Oms_V1_ShipTransferRequest, actor: String
    ) async throws -> Oms_V1_TransferResponse {
        try await store.run(ShipTransfer(), request, actor: actor)
    }

    /// Receives (some of) a shipped transfer (`ReceiveTransfer`).
    public func receiveTransfer(
        _ request: Oms_V1_ReceiveTransferRequest, actor: String
    ) async throws -> Oms_V1_TransferResponse {
        try await store.run(ReceiveTransfer(), request, actor: actor)
    }

    /// Requests scrap of stock (`RequestScrap`).
    public func requestScrap(_ request: Oms_V1_RequestScrapRequest, actor: String) async throws -> Oms_V1_ScrapResponse
    {
        try await store.run(RequestScrap(), request, actor: actor)
    }

    /// Approves someone else's scrap request: the stock is written off (`ApproveScrap`).
    public func approveScrap(_ request: Oms_V1_ApproveScrapRequest, actor: String) async throws -> Oms_V1_ScrapResponse
    {
        try await store.run(ApproveScrap(), request, actor: actor)
    }

    /// Rejects someone else's scrap request (`RejectScrap`).
    public func rejectScrap(_ request: Oms_V1_RejectScrapRequest, actor: String) async throws -> Oms_V1_ScrapResponse {
        try await store.run(RejectScrap(), request, actor: actor)
    }

    /// Starts a stocktake of a warehouse (or part of one) (`StartStocktake`).
    public func startStocktake(
        _ request: Oms_V1_StartStocktakeRequest, actor: String
    ) async throws -> Oms_V1_StocktakeResponse {
        try await store.run(StartStocktake(), request, actor: actor)
    }

    /// Commits a stocktake's variances to the ledger (`CommitStocktake`).
    public func commitStocktake(
        _ request: Oms_V1_CommitStocktakeRequest, actor: String
    ) async throws -> Oms_V1_StocktakeResponse {
        try await store.run(CommitStocktake(), request, actor: actor)
    }

    /// Sets the reorder policy of a sku in a warehouse (`SetReorderPolicy`).
    public func setReorderPolicy(
        _ request: Oms_V1_SetReorderPolicyRequest, actor: String
    ) async throws -> Oms_V1_SetReorderPolicyResponse {
        try await store.run(SetReorderPolicy(), request, actor: actor)
    }

    /// Turns the current replenishment suggestions into purchase orders (`CreatePurchaseOrdersFromSuggestions`).
    public func createPurchaseOrdersFromSuggestions(
        _ request: Oms_V1_CreatePurchaseOrdersFromSuggestionsRequest, actor: String
    ) async throws -> Oms_V1_CreatePurchaseOrdersFromSuggestionsResponse {
        try await store.run(CreatePurchaseOrdersFromSuggestions(), request, actor: actor)
    }

    /// Checks reserved against the open reservations: with `repair`, a
    /// command that releases orphan leases and corrects the levels; without,
    /// a report from a snapshot (`reservationReport`).
    public func reconcileReservations(
        _ request: Oms_V1_ReconcileReservationsRequest, actor: String
    ) async throws -> Oms_V1_ReconcileReservationsResponse {
        guard request.repair else { return try reservationReport() }
        return try await store.run(ReconcileReservations(), request, actor: actor)
    }

    /// A stream of adjustments, each row its own `AdjustStock` (see `BulkAdjustment`).
    public func bulkAdjustStock<Rows: AsyncSequence>(
        _ rows: Rows, actor: String
    ) async throws -> Oms_V1_BulkAdjustStockResponse where Rows.Element == Oms_V1_BulkAdjustStockRow {
        try await BulkAdjustment(store: store).run(rows, actor: actor)
    }

    /// A stream of stocktake counts, recorded a chunk at a time (see `StocktakeCounts`).
    public func recordCounts<Counts: AsyncSequence>(
        _ counts: Counts, actor: String
    ) async throws -> Oms_V1_RecordCountsResponse where Counts.Element == Oms_V1_StocktakeCount {
        try await StocktakeCounts(store: store).record(counts, actor: actor)
    }
}
