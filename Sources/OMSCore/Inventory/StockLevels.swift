import KeyValueStorage
public import OMSProto

/// Stock levels: per sku × warehouse (`StockLevel`: on hand, reserved,
/// available, and the expected `incoming` and `in_transit`) and per sku ×
/// warehouse × location (`LocationStock`: on hand). On hand and reserved
/// change only through `StockLedger.apply`, the expected quantities through
/// `addExpected`.
extension StockLedger {
    /// The level of `sku` in `warehouse` as the transaction sees it (zeros when none).
    static func level(
        _ transaction: WriteTransaction, families: ColumnFamilies, sku: String, warehouse: String
    ) throws -> Oms_V1_StockLevel {
        if let bytes = try transaction.get(families.stock, levelKey(sku: sku, warehouse: warehouse)) {
            return try Oms_V1_StockLevel(serializedBytes: bytes)
        }
        var level = Oms_V1_StockLevel()
        level.sku = sku
        level.warehouseCode = warehouse
        return level
    }

    /// Every level of `sku` (one per warehouse that ever held it).
    static func levels(
        _ transaction: WriteTransaction, families: ColumnFamilies, sku: String
    ) throws
        -> [Oms_V1_StockLevel]
    {
        try transaction.scan(families.stock, prefix: levelPrefix(sku: sku), limit: Int.max).map {
            try Oms_V1_StockLevel(serializedBytes: $0.value)
        }
    }

    static func locationStock(
        _ transaction: WriteTransaction, families: ColumnFamilies, sku: String, warehouse: String, location: String
    ) throws -> Oms_V1_LocationStock {
        let key = locationStockPrefix(sku: sku, warehouse: warehouse, location: location)
        if let bytes = try transaction.get(families.stock, key) {
            return try Oms_V1_LocationStock(serializedBytes: bytes)
        }
        var stock = Oms_V1_LocationStock()
        stock.sku = sku
        stock.warehouseCode = warehouse
        stock.locationCode = location
        return stock
    }

    /// Changes the expected quantities of a level (`incoming`, `in_transit`),
    /// which are not on hand and so have no ledger rows.
    static func addExpected(
        _ transaction: inout WriteTransaction, families: ColumnFamilies, sku: String, warehouse: String,
        incoming: Int64, inTransit: Int64 = 0
    ) throws {
        var level = try level(transaction, families: families, sku: sku, warehouse: warehouse)
        let before = level
        level.incoming = max(0, level.incoming + incoming)
        level.inTransit = max(0, level.inTransit + inTransit)
        level.updatedAtMillis = transaction.now / 1_000_000
        transaction.put(families.stock, levelKey(sku: sku, warehouse: warehouse), level.serializedBytes())
        try LowStockAlert.check(
            before: before, after: level, actor: "", requestID: "", families: families, transaction: &transaction)
    }
}

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
