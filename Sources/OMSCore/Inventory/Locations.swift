import KeyValueStorage
public import OMSProto

/// Locations (bins) inside a warehouse: `CreateLocation`, `ListLocations`.
extension Inventory {
    public static let createLocationMethod = "/oms.v1.InventoryService/CreateLocation"
    static let maxLocationPartBytes = 64

    public static func validate(_ request: Oms_V1_CreateLocationRequest) throws(DomainError) {
        var validator = Validator()
        Idempotency.validate(request.requestID, into: &validator)
        guard let location = request.location else {
            validator.check(false, "location", "is required")
            try validator.throwIfInvalid()
            return
        }
        validator.checkCode(location.warehouseCode, "location.warehouse_code")
        validator.checkCode(location.code, "location.code")
        for (value, field) in [
            (location.zone, "location.zone"), (location.aisle, "location.aisle"), (location.bin, "location.bin"),
        ] {
            validator.check(
                value.utf8.count <= maxLocationPartBytes, field, "must be at most \(maxLocationPartBytes) bytes")
        }
        validator.check(location.name.utf8.count <= 200, "location.name", "must be at most 200 bytes")
        try validator.throwIfInvalid()
    }

    public func createLocation(
        _ request: Oms_V1_CreateLocationRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_CreateLocationResponse, any Error>) -> Void
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
                try Self.applyCreateLocation(request, actor: actor, store: store, transaction: &transaction)
            }, completion: completion)
    }

    public func createLocation(
        _ request: Oms_V1_CreateLocationRequest, actor: String
    ) async throws
        -> Oms_V1_CreateLocationResponse
    {
        try await withCheckedThrowingContinuation { continuation in
            createLocation(request, actor: actor) { continuation.resume(with: $0) }
        }
    }

    static func applyCreateLocation(
        _ request: Oms_V1_CreateLocationRequest, actor: String, store: OMSStore, transaction: inout WriteTransaction
    ) throws -> (Oms_V1_CreateLocationResponse, UInt64) {
        let families = store.families
        var canonical = request
        canonical.requestID = ""
        return try InventoryCommand.idempotent(
            method: createLocationMethod, requestID: request.requestID, canonical: canonical, families: families,
            transaction: &transaction
        ) { transaction in
            var location = request.location!
            try requireWarehouse(
                transaction, families: families, location.warehouseCode, field: "location.warehouse_code")
            let key = StockLedger.locationKey(warehouse: location.warehouseCode, code: location.code)
            if try transaction.get(families.stock, key) != nil {
                throw DomainError(
                    .alreadyExists, "location \(location.code) already exists in warehouse \(location.warehouseCode)",
                    violations: [.init(field: "location.code", description: "already exists")],
                    reason: "LOCATION_EXISTS")
            }
            let now = transaction.now / 1_000_000
            location.createdAtMillis = now
            transaction.put(families.stock, key, location.serializedBytes())
            let sequence = try ChangeRecord.append(
                store: store, transaction: &transaction, type: "location.created", resourceType: "location",
                resourceID: "\(location.warehouseCode)/\(location.code)", actor: actor, requestID: request.requestID,
                method: createLocationMethod, payload: nil)
            var response = Oms_V1_CreateLocationResponse()
            response.location = location
            return (response, sequence)
        }
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

    /// The locations of a warehouse in code order, paged.
    public func locations(_ request: Oms_V1_ListLocationsRequest) throws -> Oms_V1_ListLocationsResponse {
        var validator = Validator()
        validator.checkCode(request.warehouseCode, "warehouse_code")
        try validator.throwIfInvalid()
        let pageSize = try PageToken.pageSize(request.pageSize)
        let snapshot = try store.engine.readView()
        guard
            try snapshot.get(
                store.families.stock, StockLedger.warehouseKey(request.warehouseCode)) != nil
        else {
            throw DomainError(
                .notFound, "warehouse \(request.warehouseCode) not found",
                violations: [.init(field: "warehouse_code", description: "unknown warehouse")],
                reason: "WAREHOUSE_NOT_FOUND")
        }
        let prefix = StockLedger.locationPrefix(warehouse: request.warehouseCode)
        let page = try FilteredPage(
            view: snapshot, family: store.families.stock, from: prefix,
            to: KeyCodec.prefixUpperBound(prefix), pageToken: request.pageToken, pageSize: pageSize
        ) { _, value in try Oms_V1_Location(serializedBytes: value) }
        var response = Oms_V1_ListLocationsResponse()
        response.locations = page.rows
        response.nextPageToken = page.nextPageToken
        return response
    }
}
