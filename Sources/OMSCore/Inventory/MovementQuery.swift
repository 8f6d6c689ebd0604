import KeyValueStorage
public import OMSProto

/// `ListMovements`: the ledger filtered by sku, warehouse, location, kind
/// and time range, paged. With a sku it reads that sku's rows (sku,
/// warehouse, sequence order); without, the time index (time order).
extension Inventory {
    public func movements(_ request: Oms_V1_ListMovementsRequest) throws -> Oms_V1_ListMovementsResponse {
        var validator = Validator()
        if !request.sku.isEmpty { validator.checkSKU(request.sku, "sku") }
        if !request.warehouseCode.isEmpty {
            validator.checkCode(request.warehouseCode, "warehouse_code")
        }
        if !request.locationCode.isEmpty {
            validator.checkCode(request.locationCode, "location_code")
            validator.check(!request.warehouseCode.isEmpty, "warehouse_code", "is required with location_code")
        }
        if case .UNRECOGNIZED(let value) = request.kind {
            validator.check(false, "kind", "unknown movement kind \(value)")
        }
        validator.check(request.fromMillis >= 0, "from_millis", "must not be negative")
        validator.check(request.toMillis >= 0, "to_millis", "must not be negative")
        validator.check(
            request.toMillis == 0 || request.toMillis > request.fromMillis, "to_millis", "must be after from_millis")
        try validator.throwIfInvalid()
        let pageSize = try PageToken.pageSize(request.pageSize)
        let snapshot = try store.engine.readView()

        let lower: [UInt8]
        let upper: [UInt8]?
        if !request.sku.isEmpty {
            lower = StockLedger.movePrefix(
                sku: request.sku, warehouse: request.warehouseCode.isEmpty ? nil : request.warehouseCode)
            upper = KeyCodec.prefixUpperBound(lower)
        } else {
            lower = [StockLedger.timeIndexTag] + KeyCodec.encode(UInt64(bitPattern: request.fromMillis) ^ (1 << 63))
            upper =
                request.toMillis == 0
                ? nil : [StockLedger.timeIndexTag] + KeyCodec.encode(UInt64(bitPattern: request.toMillis) ^ (1 << 63))
        }
        let page = try FilteredPage(
            view: snapshot, family: store.families.stockMoves, from: lower, to: upper,
            pageToken: request.pageToken, pageSize: pageSize
        ) { _, value -> Oms_V1_StockMove? in
            let move = try Oms_V1_StockMove(serializedBytes: value)
            if !request.warehouseCode.isEmpty && move.warehouseCode != request.warehouseCode { return nil }
            if !request.locationCode.isEmpty && move.locationCode != request.locationCode { return nil }
            if request.kind != .unspecified && move.kind != request.kind { return nil }
            if move.atMillis < request.fromMillis { return nil }
            if request.toMillis != 0 && move.atMillis >= request.toMillis { return nil }
            return move
        }
        var response = Oms_V1_ListMovementsResponse()
        response.moves = page.rows
        response.nextPageToken = page.nextPageToken
        return response
    }
}
