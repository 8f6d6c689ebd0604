import OMSProto
import Storage
import Testing

@testable import OMSCore

/// GetStock composes its response from the stored rows (`encodeStock`); these
/// tests prove the bytes equal protobuf-c's encoding of the response built the
/// way it was before: decode every row, sum, filter, encode.
@Suite struct StockLookupTests {
    /// The previous implementation of `Inventory.stock(_:)`, kept as the
    /// reference (one snapshot, decoded rows).
    static func reference(_ store: OMSStore, _ request: Oms_V1_GetStockRequest) throws -> Oms_V1_GetStockResponse {
        var validator = Validator()
        validator.checkSKU(request.sku, "sku")
        if !request.warehouseCode.isEmpty {
            validator.checkCode(request.warehouseCode, "warehouse_code")
        }
        try validator.throwIfInvalid()
        let snapshot = try store.database.snapshot()
        var response = Oms_V1_GetStockResponse()
        response.sku = request.sku
        response.warehouseCode = request.warehouseCode
        if !request.warehouseCode.isEmpty {
            guard
                try store.database.get(
                    store.families.stock, StockLedger.warehouseKey(request.warehouseCode), snapshot: snapshot) != nil
            else {
                throw DomainError(
                    .notFound, "warehouse \(request.warehouseCode) not found", reason: "WAREHOUSE_NOT_FOUND")
            }
        }
        let rows = try store.database.scan(
            store.families.stock, prefix: StockLedger.levelPrefix(sku: request.sku), limit: Int.max,
            snapshot: snapshot)
        for row in rows {
            let level = try Oms_V1_StockLevel(serializedBytes: row.value)
            if !request.warehouseCode.isEmpty && level.warehouseCode != request.warehouseCode { continue }
            response.warehouses.append(level)
            response.onHand += level.onHand
            response.reserved += level.reserved
            response.incoming += level.incoming
            response.inTransit += level.inTransit
        }
        response.available = response.onHand - response.reserved
        let locationPrefix = StockLedger.locationStockPrefix(
            sku: request.sku, warehouse: request.warehouseCode.isEmpty ? nil : request.warehouseCode)
        for row in try store.database.scan(
            store.families.stock, prefix: locationPrefix, limit: Int.max, snapshot: snapshot)
        {
            let stock = try Oms_V1_LocationStock(serializedBytes: row.value)
            if stock.onHand != 0 { response.locations.append(stock) }
        }
        return response
    }

    /// Both paths for one request: the same bytes, or the same error.
    static func expectSame(
        _ fixture: OrderFixture, sku: String, warehouse: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let request = Oms_V1_GetStockRequest.with {
            $0.sku = sku
            $0.warehouseCode = warehouse
        }
        let expected: Result<[UInt8], DomainError> = Result { () throws(DomainError) in
            do { return try reference(fixture.store, request).serializedBytes() } catch let error as DomainError {
                throw error
            } catch { fatalError("\(error)") }
        }
        var bytes: [UInt8] = [7, 7, 7]
        let actual: Result<[UInt8], DomainError> = Result { () throws(DomainError) in
            do {
                try fixture.inventory.encodeStock(request, appendingTo: &bytes)
                return Array(bytes.dropFirst(3))
            } catch let error as DomainError { throw error } catch { fatalError("\(error)") }
        }
        switch (expected, actual) {
        case (.success(let expected), .success(let actual)):
            #expect(actual == expected, "\(sku)@\(warehouse)", sourceLocation: sourceLocation)
            #expect(bytes.prefix(3) == [7, 7, 7], "appends after what is there", sourceLocation: sourceLocation)
            #expect(
                try fixture.inventory.stock(request) == reference(fixture.store, request),
                sourceLocation: sourceLocation)
        case (.failure(let expected), .failure(let actual)):
            #expect(actual.kind == expected.kind, "\(sku)@\(warehouse)", sourceLocation: sourceLocation)
            #expect(actual.reason == expected.reason, sourceLocation: sourceLocation)
            #expect(actual.violations == expected.violations, sourceLocation: sourceLocation)
        default:
            Issue.record(
                "\(sku)@\(warehouse): reference \(expected), encodeStock \(actual)", sourceLocation: sourceLocation)
        }
    }

    /// Random stock rows written straight into the `stock` column family: every
    /// field of the levels and location rows random (zero, negative, huge),
    /// location rows with zero on hand, levels of warehouses that were never
    /// created, neighbouring skus whose names extend each other, and rows of
    /// the other key kinds in between.
    @Test func randomStockRowsEncodeLikeTheDecodedResponse() throws {
        let skus = ["A", "AB", "A.B", "A-1", "B", "Z9", "LONG-" + String(repeating: "x", count: 60)]
        let warehouses = ["W1", "W10", "W2", "X", "MAIN"]
        let locations = ["", "L1", "L1.2", "BIN-7"]
        var generator = SystemRandomNumberGenerator()
        func quantity() -> Int64 {
            switch Int.random(in: 0..<6, using: &generator) {
            case 0: 0
            case 1: Int64.random(in: -5...5, using: &generator)
            case 2: Int64.random(in: 0...1_000_000, using: &generator)
            case 3: Int64.random(in: -(1 << 40)...(1 << 40), using: &generator)
            default: Int64.random(in: 0...200, using: &generator)
            }
        }
        for trial in 0..<12 {
            let fixture = try OrderFixture()
            defer { fixture.close() }
            let database = fixture.store.database
            let stock = fixture.store.families.stock
            let batch = WriteBatch(database: database)
            var created: [String] = []
            for code in warehouses where Bool.random(using: &generator) || trial == 0 {
                created.append(code)
                batch.put(
                    stock, StockLedger.warehouseKey(code), Oms_V1_Warehouse.with { $0.code = code }.serializedBytes())
                batch.put(
                    stock, StockLedger.locationKey(warehouse: code, code: "L1"),
                    Oms_V1_Location.with { $0.code = "L1" }.serializedBytes())
            }
            for sku in skus where trial != 1 {
                batch.put(stock, StockLedger.skuCostKey(sku), Oms_V1_SkuCost.with { $0.sku = sku }.serializedBytes())
                for warehouse in warehouses where Int.random(in: 0..<3, using: &generator) != 0 {
                    let level = Oms_V1_StockLevel.with {
                        $0.sku = sku
                        $0.warehouseCode = warehouse
                        $0.onHand = quantity()
                        $0.reserved = quantity()
                        $0.available = $0.onHand - $0.reserved
                        $0.updatedAtMillis =
                            Bool.random(using: &generator) ? 0 : Int64.random(in: 0...(1 << 42), using: &generator)
                        $0.incoming = quantity()
                        $0.inTransit = quantity()
                    }
                    batch.put(stock, StockLedger.levelKey(sku: sku, warehouse: warehouse), level.serializedBytes())
                    for location in locations where Bool.random(using: &generator) {
                        let row = Oms_V1_LocationStock.with {
                            $0.sku = sku
                            $0.warehouseCode = warehouse
                            $0.locationCode = location
                            $0.onHand = Bool.random(using: &generator) ? 0 : quantity()
                            $0.updatedAtMillis = Int64.random(in: 0...(1 << 42), using: &generator)
                        }
                        batch.put(
                            stock, StockLedger.locationStockPrefix(sku: sku, warehouse: warehouse, location: location),
                            row.serializedBytes())
                        batch.put(
                            stock, StockLedger.placePrefix(warehouse: warehouse, location: location, sku: sku),
                            row.serializedBytes())
                    }
                }
            }
            try database.write(batch, sync: false)
            if trial % 2 == 1 { try database.flush() }  // from SST files as well as the memtable
            for sku in skus + ["UNKNOWN", "A.", "AB0"] {
                for warehouse in [""] + warehouses + ["NOPE"] {
                    try Self.expectSame(fixture, sku: sku, warehouse: warehouse)
                }
            }
        }
    }

    /// Invalid requests fail the same way on both paths.
    @Test func invalidRequests() throws {
        let fixture = try OrderFixture()
        defer { fixture.close() }
        let requests = [("", ""), ("bad sku", ""), ("A", "bad code"), (String(repeating: "s", count: 300), "")]
        for (sku, warehouse) in requests {
            try Self.expectSame(fixture, sku: sku, warehouse: warehouse)
        }
    }

    /// Stock made by the real commands: locations, a location emptied again,
    /// incoming from a purchase order, reservations of an order.
    @Test func stockFromCommands() async throws {
        let fixture = try OrderFixture()
        defer { fixture.close() }
        try await fixture.standardSetup(mainA: 10, eastA: 3, mainB: 4)
        try await fixture.location("L1", in: "MAIN")
        try await fixture.location("L2", in: "MAIN")
        try await fixture.adjust("SKU-A", in: "MAIN", at: "L1", by: 7)
        try await fixture.adjust("SKU-A", in: "MAIN", at: "L2", by: 2)
        try await fixture.adjust("SKU-A", in: "MAIN", at: "L2", by: -2)
        _ = try await fixture.purchaseOrder([(sku: "SKU-A", quantity: 5, cost: 100)], warehouse: "EAST")
        for sku in ["SKU-A", "SKU-B", "SKU-C"] {
            for warehouse in ["", "MAIN", "EAST", "WEST"] {
                try Self.expectSame(fixture, sku: sku, warehouse: warehouse)
            }
        }
        let stock = try fixture.stock("SKU-A")
        #expect(stock.onHand == 20)
        #expect(stock.warehouses.map(\.warehouseCode) == ["EAST", "MAIN"])
        // EAST's and MAIN's unassigned stock and MAIN/L1; L2 is empty again.
        #expect(stock.locations.map { "\($0.warehouseCode)/\($0.locationCode)" } == ["EAST/", "MAIN/", "MAIN/L1"])
    }
}
