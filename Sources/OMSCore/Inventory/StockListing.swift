import KeyValueStorage
public import OMSProto

/// `ListStock`: on-hand per sku × warehouse × location, by product (every
/// warehouse and location), by warehouse or by location, paged.
extension Inventory {
    public func listStock(_ request: Oms_V1_ListStockRequest) throws -> Oms_V1_ListStockResponse {
        var validator = Validator()
        if !request.sku.isEmpty { validator.checkSKU(request.sku, "sku") }
        if !request.warehouseCode.isEmpty {
            validator.checkCode(request.warehouseCode, "warehouse_code")
        }
        if !request.locationCode.isEmpty {
            validator.checkCode(request.locationCode, "location_code")
            validator.check(!request.warehouseCode.isEmpty, "warehouse_code", "is required with location_code")
        }
        validator.check(
            !request.sku.isEmpty || !request.warehouseCode.isEmpty, "sku", "sku or warehouse_code is required")
        try validator.throwIfInvalid()
        let pageSize = try PageToken.pageSize(request.pageSize)
        let snapshot = try store.engine.readView()
        let families = store.families
        if !request.warehouseCode.isEmpty {
            guard
                try snapshot.get(
                    families.stock, StockLedger.warehouseKey(request.warehouseCode)) != nil
            else {
                throw DomainError(
                    .notFound, "warehouse \(request.warehouseCode) not found",
                    violations: [.init(field: "warehouse_code", description: "unknown warehouse")],
                    reason: "WAREHOUSE_NOT_FOUND")
            }
        }
        if !request.locationCode.isEmpty {
            let key = StockLedger.locationKey(warehouse: request.warehouseCode, code: request.locationCode)
            guard try snapshot.get(families.stock, key) != nil else {
                throw DomainError(
                    .notFound, "location \(request.locationCode) not found in warehouse \(request.warehouseCode)",
                    violations: [.init(field: "location_code", description: "unknown location")],
                    reason: "LOCATION_NOT_FOUND")
            }
        }
        // By product: 0x04 sku [warehouse]; by place: 0x05 warehouse [location].
        let prefix: [UInt8]
        if !request.sku.isEmpty && request.locationCode.isEmpty {
            prefix = StockLedger.locationStockPrefix(
                sku: request.sku, warehouse: request.warehouseCode.isEmpty ? nil : request.warehouseCode)
        } else {
            prefix = StockLedger.placePrefix(
                warehouse: request.warehouseCode, location: request.locationCode.isEmpty ? nil : request.locationCode)
        }
        let page = try FilteredPage(
            view: snapshot, family: families.stock, from: prefix,
            to: KeyCodec.prefixUpperBound(prefix), pageToken: request.pageToken, pageSize: pageSize
        ) { _, value -> Oms_V1_LocationStock? in
            let stock = try Oms_V1_LocationStock(serializedBytes: value)
            if !request.sku.isEmpty && stock.sku != request.sku { return nil }
            if stock.onHand == 0 && !request.includeEmpty { return nil }
            return stock
        }
        var response = Oms_V1_ListStockResponse()
        response.rows = page.rows
        response.nextPageToken = page.nextPageToken
        return response
    }
}
