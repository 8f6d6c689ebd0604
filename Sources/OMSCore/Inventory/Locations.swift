import KeyValueStorage
public import OMSProto

/// `CreateLocation`: a location (bin) inside a warehouse, once per code
/// there. Stock at a location is held in `LocationStock` rows (StockLevels).
public struct CreateLocation: WriteCommand {
    public static let method = Oms_V1_InventoryService.Method.createLocation
    static let maxPartBytes = 64

    public init() {}

    public func validate(_ request: Oms_V1_CreateLocationRequest, into validator: inout Validator) {
        guard let location = request.location else {
            return validator.check(false, "location", "is required")
        }
        validator.checkCode(location.warehouseCode, "location.warehouse_code")
        validator.checkCode(location.code, "location.code")
        for (value, field) in [
            (location.zone, "location.zone"), (location.aisle, "location.aisle"), (location.bin, "location.bin"),
        ] {
            validator.check(
                value.utf8.count <= Self.maxPartBytes, field, "must be at most \(Self.maxPartBytes) bytes")
        }
        validator.check(location.name.utf8.count <= 200, "location.name", "must be at most 200 bytes")
    }

    public func apply(
        _ request: Oms_V1_CreateLocationRequest, in context: inout CommandContext
    ) throws -> Oms_V1_CreateLocationResponse {
        let families = context.families
        var location = request.location!
        try Inventory.requireWarehouse(
            context.transaction, families: families, location.warehouseCode, field: "location.warehouse_code")
        let key = StockLedger.locationKey(warehouse: location.warehouseCode, code: location.code)
        if try context.transaction.get(families.stock, key) != nil {
            throw DomainError(
                .alreadyExists, "location \(location.code) already exists in warehouse \(location.warehouseCode)",
                violations: [.init(field: "location.code", description: "already exists")],
                reason: "LOCATION_EXISTS")
        }
        location.createdAtMillis = context.nowMillis
        context.transaction.put(families.stock, key, location.serializedBytes())
        try context.record(
            "location.created", resource: "location", id: "\(location.warehouseCode)/\(location.code)", payload: nil)
        var response = Oms_V1_CreateLocationResponse()
        response.location = location
        return response
    }
}

extension StockLedger {
    /// Throws FAILED_PRECONDITION naming `field` unless `code` is "" or a
    /// location of `warehouse`.
    static func requireLocation(
        _ transaction: WriteTransaction, families: ColumnFamilies, warehouse: String, code: String,
        field: String = "location_code"
    ) throws {
        guard !code.isEmpty else { return }
        guard try transaction.get(families.stock, locationKey(warehouse: warehouse, code: code)) != nil else {
            throw DomainError(
                .failedPrecondition, "location \(code) does not exist in warehouse \(warehouse); create it first",
                violations: [.init(field: field, description: "unknown location")], reason: "LOCATION_NOT_FOUND")
        }
    }
}

extension Inventory {
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
