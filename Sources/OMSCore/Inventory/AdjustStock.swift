public import OMSProto

/// `AdjustStock`: one on-hand change of a sku in a warehouse (at a location,
/// or unassigned; a decrease without a location is taken from unassigned
/// stock first, then from the locations in code order), as ADJUSTMENT
/// ledger rows. The hot write path: nothing is decoded or encoded here
/// beyond the ledger's own rows.
public struct AdjustStock: WriteCommand {
    public static let method = Oms_V1_InventoryService.Method.adjustStock

    public init() {}

    public func validate(_ request: Oms_V1_AdjustStockRequest, into validator: inout Validator) {
        let maxReasonBytes = Inventory.maxReasonBytes
        validator.checkCode(request.warehouseCode, "warehouse_code")
        validator.checkSKU(request.sku, "sku")
        validator.check(request.delta != 0, "delta", "must not be zero")
        validator.check(
            request.reason.utf8.count <= maxReasonBytes, "reason", "must be at most \(maxReasonBytes) bytes")
        if !request.locationCode.isEmpty {
            validator.checkCode(request.locationCode, "location_code")
        }
        validator.check(
            request.reference.utf8.count <= maxReasonBytes, "reference", "must be at most \(maxReasonBytes) bytes")
    }

    public func apply(
        _ request: Oms_V1_AdjustStockRequest, in context: inout CommandContext
    ) throws -> Oms_V1_AdjustStockResponse {
        try Inventory.requireWarehouse(
            context.transaction, families: context.families, request.warehouseCode, field: "warehouse_code")
        let (level, move) = try StockLedger.apply(
            &context.transaction, families: context.families, sku: request.sku, warehouse: request.warehouseCode,
            location: request.locationCode.isEmpty && request.delta < 0 ? nil : request.locationCode,
            kind: .adjustment, onHandDelta: request.delta, reservedDelta: 0,
            reason: request.reason.isEmpty ? "adjustment" : request.reason, requestID: request.requestID,
            reference: request.reference, actor: context.actor)
        try context.record(
            "stock.adjusted", resource: "stock", id: "\(request.sku)@\(request.warehouseCode)", payload: .stock(level))
        var response = Oms_V1_AdjustStockResponse()
        response.level = level
        response.move = move
        return response
    }
}
