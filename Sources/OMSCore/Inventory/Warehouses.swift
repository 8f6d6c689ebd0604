import KeyValueStorage
public import OMSProto

/// `CreateWarehouse`: a warehouse, once per code (its name defaults to the code).
public struct CreateWarehouse: WriteCommand {
    public static let method = Oms_V1_InventoryService.Method.createWarehouse

    public init() {}

    public func validate(_ request: Oms_V1_CreateWarehouseRequest, into validator: inout Validator) {
        guard let warehouse = request.warehouse else {
            return validator.check(false, "warehouse", "is required")
        }
        validator.checkCode(warehouse.code, "warehouse.code")
        validator.check(warehouse.name.utf8.count <= 200, "warehouse.name", "must be at most 200 bytes")
    }

    public func apply(
        _ request: Oms_V1_CreateWarehouseRequest, in context: inout CommandContext
    ) throws -> Oms_V1_CreateWarehouseResponse {
        var warehouse = request.warehouse!
        let key = StockLedger.warehouseKey(warehouse.code)
        if try context.transaction.get(context.families.stock, key) != nil {
            throw DomainError(
                .alreadyExists, "warehouse \(warehouse.code) already exists", reason: "WAREHOUSE_EXISTS")
        }
        warehouse.createdAtMillis = context.nowMillis
        if warehouse.name.isEmpty { warehouse.name = warehouse.code }
        context.transaction.put(context.families.stock, key, warehouse.serializedBytes())
        try context.record(
            "warehouse.created", resource: "warehouse", id: warehouse.code, payload: .warehouse(warehouse))
        var response = Oms_V1_CreateWarehouseResponse()
        response.warehouse = warehouse
        return response
    }
}

extension Inventory {
    /// Every warehouse in allocation order (priority, then code).
    public func warehouses() throws -> [Oms_V1_Warehouse] {
        let rows = try store.engine.scan(store.families.stock, prefix: StockLedger.warehousePrefix, limit: Int.max)
        return try rows.map { try Oms_V1_Warehouse(serializedBytes: $0.value) }
            .sorted { ($0.priority, $0.code) < ($1.priority, $1.code) }
    }

    /// Throws FAILED_PRECONDITION naming `field` unless the warehouse exists.
    static func requireWarehouse(
        _ transaction: WriteTransaction, families: ColumnFamilies, _ code: String, field: String
    ) throws {
        guard try transaction.get(families.stock, StockLedger.warehouseKey(code)) != nil else {
            throw DomainError(
                .failedPrecondition, "warehouse \(code) does not exist; create it first",
                violations: [.init(field: field, description: "unknown warehouse")], reason: "WAREHOUSE_NOT_FOUND")
        }
    }
}
