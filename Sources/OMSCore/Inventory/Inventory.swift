import KeyValueStorage
public import OMSProto

/// Warehouses and stock levels: the minimal stock model orders reserve from.
/// Writes go through the single writer; reads use the database directly.
public struct Inventory: Sendable {
    public static let createWarehouseMethod = "/oms.v1.InventoryService/CreateWarehouse"
    public static let adjustStockMethod = "/oms.v1.InventoryService/AdjustStock"
    static let maxReasonBytes = 500

    let store: OMSStore

    public init(store: OMSStore) {
        self.store = store
    }

    // MARK: Validation

    public static func validate(_ request: Oms_V1_CreateWarehouseRequest) throws(DomainError) {
        var validator = Validator()
        Idempotency.validate(request.requestID, into: &validator)
        guard let warehouse = request.warehouse else {
            validator.check(false, "warehouse", "is required")
            try validator.throwIfInvalid()
            return
        }
        validator.checkCode(warehouse.code, "warehouse.code")
        validator.check(warehouse.name.utf8.count <= 200, "warehouse.name", "must be at most 200 bytes")
        try validator.throwIfInvalid()
    }

    public static func validate(_ request: Oms_V1_AdjustStockRequest) throws(DomainError) {
        var validator = Validator()
        Idempotency.validate(request.requestID, into: &validator)
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
        try validator.throwIfInvalid()
    }

    // MARK: Commands

    public func createWarehouse(
        _ request: Oms_V1_CreateWarehouseRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_CreateWarehouseResponse, any Error>) -> Void
    ) {
        do {
            try Self.validate(request)
        } catch {
            return completion(.failure(error))
        }
        let store = self.store
        DomainCommand.submit(
            store,
            { transaction in
                try Self.applyCreateWarehouse(request, actor: actor, store: store, transaction: &transaction)
            }, completion: completion)
    }

    public func createWarehouse(
        _ request: Oms_V1_CreateWarehouseRequest, actor: String
    ) async throws
        -> Oms_V1_CreateWarehouseResponse
    {
        try await withCheckedThrowingContinuation { continuation in
            createWarehouse(request, actor: actor) { continuation.resume(with: $0) }
        }
    }

    static func applyCreateWarehouse(
        _ request: Oms_V1_CreateWarehouseRequest, actor: String, store: OMSStore, transaction: inout WriteTransaction
    ) throws -> (Oms_V1_CreateWarehouseResponse, UInt64) {
        let families = store.families
        var canonical = request
        canonical.requestID = ""
        if let replay = try Idempotency.replay(
            transaction, families: families, method: createWarehouseMethod, requestID: request.requestID,
            request: canonical, as: Oms_V1_CreateWarehouseResponse.self)
        {
            return (replay, 0)
        }
        var warehouse = request.warehouse!
        let key = StockLedger.warehouseKey(warehouse.code)
        if try transaction.get(families.stock, key) != nil {
            throw DomainError(
                .alreadyExists, "warehouse \(warehouse.code) already exists", reason: "WAREHOUSE_EXISTS")
        }
        let now = transaction.now / 1_000_000
        warehouse.createdAtMillis = now
        if warehouse.name.isEmpty { warehouse.name = warehouse.code }
        transaction.put(families.stock, key, warehouse.serializedBytes())
        let sequence = try ChangeRecord.append(
            store: store, transaction: &transaction, type: "warehouse.created", resourceType: "warehouse",
            resourceID: warehouse.code, actor: actor, requestID: request.requestID, method: createWarehouseMethod,
            payload: .warehouse(warehouse))
        var response = Oms_V1_CreateWarehouseResponse()
        response.warehouse = warehouse
        Idempotency.record(
            &transaction, families: families, method: createWarehouseMethod, requestID: request.requestID,
            request: canonical, response: response, nowMillis: now)
        return (response, sequence)
    }

    public func adjustStock(
        _ request: Oms_V1_AdjustStockRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_AdjustStockResponse, any Error>) -> Void
    ) {
        do {
            try Self.validate(request)
        } catch {
            return completion(.failure(error))
        }
        let store = self.store
        DomainCommand.submit(
            store,
            { transaction in
                try Self.applyAdjustStock(request, actor: actor, store: store, transaction: &transaction)
            }, completion: completion)
    }

    public func adjustStock(
        _ request: Oms_V1_AdjustStockRequest, actor: String
    ) async throws
        -> Oms_V1_AdjustStockResponse
    {
        try await withCheckedThrowingContinuation { continuation in
            adjustStock(request, actor: actor) { continuation.resume(with: $0) }
        }
    }

    static func applyAdjustStock(
        _ request: Oms_V1_AdjustStockRequest, actor: String, store: OMSStore, transaction: inout WriteTransaction
    ) throws -> (Oms_V1_AdjustStockResponse, UInt64) {
        let families = store.families
        var canonical = request
        canonical.requestID = ""
        if let replay = try Idempotency.replay(
            transaction, families: families, method: adjustStockMethod, requestID: request.requestID,
            request: canonical, as: Oms_V1_AdjustStockResponse.self)
        {
            return (replay, 0)
        }
        guard try transaction.get(families.stock, StockLedger.warehouseKey(request.warehouseCode)) != nil else {
            throw DomainError(
                .failedPrecondition, "warehouse \(request.warehouseCode) does not exist; create it first",
                violations: [.init(field: "warehouse_code", description: "unknown warehouse")],
                reason: "WAREHOUSE_NOT_FOUND")
        }
        let (level, move) = try StockLedger.apply(
            &transaction, families: families, sku: request.sku, warehouse: request.warehouseCode,
            location: request.locationCode.isEmpty && request.delta < 0 ? nil : request.locationCode,
            kind: .adjustment, onHandDelta: request.delta, reservedDelta: 0,
            reason: request.reason.isEmpty ? "adjustment" : request.reason, requestID: request.requestID,
            reference: request.reference, actor: actor)
        let sequence = try ChangeRecord.append(
            store: store, transaction: &transaction, type: "stock.adjusted", resourceType: "stock",
            resourceID: "\(request.sku)@\(request.warehouseCode)", actor: actor, requestID: request.requestID,
            method: adjustStockMethod, payload: .stock(level))
        var response = Oms_V1_AdjustStockResponse()
        response.level = level
        response.move = move
        Idempotency.record(
            &transaction, families: families, method: adjustStockMethod, requestID: request.requestID,
            request: canonical, response: response, nowMillis: move.atMillis)
        return (response, sequence)
    }

    // MARK: Queries

    /// Every warehouse in allocation order (priority, then code).
    public func warehouses() throws -> [Oms_V1_Warehouse] {
        let rows = try store.engine.scan(store.families.stock, prefix: StockLedger.warehousePrefix, limit: Int.max)
        return try rows.map { try Oms_V1_Warehouse(serializedBytes: $0.value) }
            .sorted { ($0.priority, $0.code) < ($1.priority, $1.code) }
    }
}
