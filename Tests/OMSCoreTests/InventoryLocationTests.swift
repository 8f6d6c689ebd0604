import OMSCore
import OMSProto
import Testing

@Suite("Inventory locations and ledger")
struct InventoryLocationTests {
    @Test("locations are created per warehouse; duplicates, unknown warehouses and bad codes are refused")
    func createLocations() async throws {
        try await withOrderFixture { f in
            try await f.warehouse("MAIN", priority: 1)
            try await f.warehouse("EAST", priority: 2)
            let bin = try await f.location("A-01-01", in: "MAIN", requestID: "loc-1")
            #expect(bin.createdAtMillis > 0 && bin.warehouseCode == "MAIN" && bin.zone == "A")
            // Same code in another warehouse is a different location.
            try await f.location("A-01-01", in: "EAST")
            // Idempotent retry returns the first answer.
            let again = try await f.location("A-01-01", in: "MAIN", requestID: "loc-1")
            #expect(again == bin)

            let duplicate = await domainError { try await f.location("A-01-01", in: "MAIN") }
            #expect(duplicate?.kind == .alreadyExists && duplicate?.reason == "LOCATION_EXISTS")
            #expect(fields(duplicate) == ["location.code"])
            let unknown = await domainError { try await f.location("B-01", in: "NOPE") }
            #expect(unknown?.kind == .failedPrecondition && fields(unknown) == ["location.warehouse_code"])
            let bad = await domainError { try await f.location("A 01", in: "MAIN") }
            #expect(bad?.kind == .invalidArgument && fields(bad) == ["location.code"])
            let reused = await domainError { try await f.location("A-01-02", in: "MAIN", requestID: "loc-1") }
            #expect(reused?.kind == .alreadyExists && fields(reused) == ["request_id"])

            let page1 = try f.inventory.locations(
                .with {
                    $0.warehouseCode = "MAIN"
                    $0.pageSize = 1
                })
            #expect(page1.locations.map(\.code) == ["A-01-01"])
            let missing = await domainError { _ = try f.inventory.locations(.with { $0.warehouseCode = "NOPE" }) }
            #expect(missing?.kind == .notFound)
        }
    }

    @Test("stock is held per location; rows carry location, reason, actor, reference and resulting balances")
    func perLocationLedger() async throws {
        try await withOrderFixture { f in
            try await f.product("SKU-A")
            try await f.warehouse("MAIN", priority: 1)
            try await f.location("A-01", in: "MAIN")
            try await f.location("B-01", in: "MAIN")
            let first = try await f.adjust(
                "SKU-A", in: "MAIN", at: "B-01", by: 7, reason: "found", reference: "WMS-77", actor: "clerk")
            try await f.adjust("SKU-A", in: "MAIN", at: "A-01", by: 5)
            try await f.adjust("SKU-A", in: "MAIN", by: 3)  // unassigned

            let move = first.move!
            #expect(move.locationCode == "B-01" && move.reason == "found" && move.actor == "clerk")
            #expect(move.reference == "WMS-77" && move.onHandAfter == 7 && move.warehouseOnHandAfter == 7)
            #expect(move.kind == .adjustment && move.onHandDelta == 7)
            #expect(try f.onHandByLocation("SKU-A") == ["MAIN/": 3, "MAIN/A-01": 5, "MAIN/B-01": 7])
            let stock = try f.stock("SKU-A", in: "MAIN")
            #expect(stock.onHand == 15 && stock.available == 15)
            #expect(stock.locations.map(\.locationCode) == ["", "A-01", "B-01"])

            // A removal without a location takes unassigned first, then locations in code order.
            try await f.adjust("SKU-A", in: "MAIN", by: -9)
            let removal = try f.movements {
                $0.sku = "SKU-A"
                $0.kind = .adjustment
            }.suffix(3)
            #expect(removal.map(\.locationCode) == ["", "A-01", "B-01"])
            #expect(removal.map(\.onHandDelta) == [-3, -5, -1])
            #expect(removal.map(\.onHandAfter) == [0, 0, 6])
            #expect(removal.map(\.warehouseOnHandAfter) == [12, 7, 6])
            #expect(try f.onHandByLocation("SKU-A") == ["MAIN/B-01": 6])
        }
    }

    @Test("bad locations and over-removal are refused with the field named and change nothing")
    func negativeLocationCases() async throws {
        try await withOrderFixture { f in
            try await f.product("SKU-A")
            try await f.warehouse("MAIN", priority: 1)
            try await f.location("A-01", in: "MAIN")
            try await f.adjust("SKU-A", in: "MAIN", at: "A-01", by: 4)
            try await f.adjust("SKU-A", in: "MAIN", by: 2)
            let before = try f.movements()

            let unknown = await domainError { try await f.adjust("SKU-A", in: "MAIN", at: "Z-99", by: 1) }
            #expect(unknown?.kind == .failedPrecondition && unknown?.reason == "LOCATION_NOT_FOUND")
            #expect(fields(unknown) == ["location_code"])
            let tooMuch = await domainError { try await f.adjust("SKU-A", in: "MAIN", at: "A-01", by: -5) }
            #expect(tooMuch?.kind == .failedPrecondition && tooMuch?.reason == "STOCK_BELOW_ZERO")
            #expect(fields(tooMuch) == ["location_code"])
            let total = await domainError { try await f.adjust("SKU-A", in: "MAIN", by: -7) }
            #expect(total?.reason == "STOCK_BELOW_ZERO")
            let badCode = await domainError { try await f.adjust("SKU-A", in: "MAIN", at: "a b", by: 1) }
            #expect(badCode?.kind == .invalidArgument && fields(badCode) == ["location_code"])
            let zero = await domainError { try await f.adjust("SKU-A", in: "MAIN", at: "A-01", by: 0) }
            #expect(fields(zero) == ["delta"])

            #expect(try f.movements() == before)
            #expect(try f.onHandByLocation("SKU-A") == ["MAIN/": 2, "MAIN/A-01": 4])
            try f.expectConsistent()
        }
    }

    @Test("ListStock by product, warehouse and location, paged")
    func listStock() async throws {
        try await withOrderFixture { f in
            try await f.product("SKU-A")
            try await f.product("SKU-B")
            try await f.warehouse("MAIN", priority: 1)
            try await f.warehouse("EAST", priority: 2)
            try await f.location("A-01", in: "MAIN")
            try await f.location("A-02", in: "MAIN")
            try await f.location("A-01", in: "EAST")
            try await f.adjust("SKU-A", in: "MAIN", at: "A-01", by: 1)
            try await f.adjust("SKU-A", in: "MAIN", at: "A-02", by: 2)
            try await f.adjust("SKU-A", in: "EAST", at: "A-01", by: 3)
            try await f.adjust("SKU-B", in: "MAIN", at: "A-01", by: 4)
            try await f.adjust("SKU-B", in: "MAIN", at: "A-02", by: 5)
            try await f.adjust("SKU-B", in: "MAIN", at: "A-02", by: -5)  // empty now

            func collect(_ configure: (inout Oms_V1_ListStockRequest) -> Void) throws -> [String] {
                var request = Oms_V1_ListStockRequest()
                configure(&request)
                request.pageSize = 2
                var out: [String] = []
                var pages = 0
                repeat {
                    let page = try f.inventory.listStock(request)
                    out += page.rows.map { "\($0.sku)@\($0.warehouseCode)/\($0.locationCode)=\($0.onHand)" }
                    request.pageToken = page.nextPageToken
                    pages += 1
                } while !request.pageToken.isEmpty && pages < 10
                return out
            }
            #expect(
                try collect { $0.sku = "SKU-A" } == ["SKU-A@EAST/A-01=3", "SKU-A@MAIN/A-01=1", "SKU-A@MAIN/A-02=2"])
            #expect(
                try collect { $0.warehouseCode = "MAIN" } == [
                    "SKU-A@MAIN/A-01=1", "SKU-B@MAIN/A-01=4", "SKU-A@MAIN/A-02=2",
                ])
            #expect(
                try collect {
                    $0.warehouseCode = "MAIN"
                    $0.locationCode = "A-02"
                } == ["SKU-A@MAIN/A-02=2"])
            #expect(
                try collect {
                    $0.warehouseCode = "MAIN"
                    $0.locationCode = "A-02"
                    $0.includeEmpty = true
                }
                    == ["SKU-A@MAIN/A-02=2", "SKU-B@MAIN/A-02=0"])
            #expect(
                try collect {
                    $0.sku = "SKU-B"
                    $0.warehouseCode = "MAIN"
                } == ["SKU-B@MAIN/A-01=4"])

            let neither = await domainError { _ = try f.inventory.listStock(.init()) }
            #expect(neither?.kind == .invalidArgument && fields(neither) == ["sku"])
            let unknown = await domainError {
                _ = try f.inventory.listStock(
                    .with {
                        $0.warehouseCode = "MAIN"
                        $0.locationCode = "Q"
                    })
            }
            #expect(unknown?.kind == .notFound && fields(unknown) == ["location_code"])
            let token = await domainError {
                _ = try f.inventory.listStock(
                    .with {
                        $0.sku = "SKU-A"
                        $0.pageToken = "x"
                    })
            }
            #expect(fields(token) == ["page_token"])
        }
    }

    @Test("ListMovements filters by sku, warehouse, kind and time range, paged")
    func listMovements() async throws {
        try await withOrderFixture { f in
            try await f.product("SKU-A")
            try await f.product("SKU-B")
            try await f.warehouse("MAIN", priority: 1)
            try await f.warehouse("EAST", priority: 2)
            let t0 = f.clock.nowNanoseconds() / 1_000_000
            try await f.adjust("SKU-A", in: "MAIN", by: 10)  // t0
            f.clock.advance(millis: 1000)
            try await f.adjust("SKU-B", in: "EAST", by: 5)  // t0+1000
            f.clock.advance(millis: 1000)
            try await f.adjust("SKU-A", in: "EAST", by: 2)  // t0+2000
            f.clock.advance(millis: 1000)
            try await f.adjust("SKU-A", in: "MAIN", by: -4)  // t0+3000

            #expect(try f.movements().map(\.onHandDelta) == [10, 5, 2, -4])
            #expect(try f.movements { $0.sku = "SKU-A" }.map(\.onHandDelta) == [2, 10, -4])  // EAST before MAIN
            #expect(
                try f.movements {
                    $0.sku = "SKU-A"
                    $0.warehouseCode = "MAIN"
                }.map(\.onHandDelta) == [10, -4])
            #expect(try f.movements { $0.warehouseCode = "EAST" }.map(\.sku) == ["SKU-B", "SKU-A"])
            #expect(
                try f.movements {
                    $0.fromMillis = t0 + 1000
                    $0.toMillis = t0 + 3000
                }.map(\.onHandDelta) == [5, 2])
            #expect(
                try f.movements {
                    $0.sku = "SKU-A"
                    $0.fromMillis = t0 + 1
                    $0.toMillis = t0 + 2001
                }.map(
                    \.onHandDelta) == [2])
            #expect(try f.movements { $0.kind = .receipt } == [])

            var request = Oms_V1_ListMovementsRequest()
            request.pageSize = 3
            let page1 = try f.inventory.movements(request)
            #expect(page1.moves.count == 3 && !page1.nextPageToken.isEmpty)
            request.pageToken = page1.nextPageToken
            let page2 = try f.inventory.movements(request)
            #expect(page2.moves.map(\.onHandDelta) == [-4] && page2.nextPageToken.isEmpty)

            let range = await domainError {
                _ = try f.inventory.movements(
                    .with {
                        $0.fromMillis = 10
                        $0.toMillis = 5
                    })
            }
            #expect(range?.kind == .invalidArgument && fields(range) == ["to_millis"])
            let kind = await domainError { _ = try f.inventory.movements(.with { $0.kind = .UNRECOGNIZED(99) }) }
            #expect(fields(kind) == ["kind"])
        }
    }

    @Test("orders reserve per warehouse; a shipment takes unassigned stock first, then locations in code order")
    func ordersShipFromLocations() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup(mainA: 2, mainB: 0)
            try await f.location("A-01", in: "MAIN")
            try await f.adjust("SKU-A", in: "MAIN", at: "A-01", by: 5)
            let cancelled = try await f.create([("SKU-A", 1)])
            _ = try await f.cancel(cancelled.id)
            let released = try f.movements {
                $0.sku = "SKU-A"
                $0.kind = .release
            }
            #expect(released.count == 1 && released[0].reservedDelta == -1 && released[0].orderID == cancelled.id)

            let order = try await f.create([("SKU-A", 4)])
            let stock = try f.stock("SKU-A", in: "MAIN")
            #expect(stock.onHand == 7 && stock.reserved == 4 && stock.available == 3)
            // Reservations stay per warehouse: the locations keep their on-hand.
            #expect(try f.onHandByLocation("SKU-A") == ["MAIN/": 2, "MAIN/A-01": 5])
            _ = try await f.pay(order.id, order.totals!.totalMinor)
            _ = try await f.orders.ship(.with { $0.orderID = order.id }, actor: "wms")
            try f.expectConsistent()
            let shipped = try f.movements {
                $0.sku = "SKU-A"
                $0.kind = .shipment
            }
            #expect(shipped.map(\.locationCode) == ["", "A-01"])
            #expect(shipped.map(\.onHandDelta) == [-2, -2])
            #expect(shipped.map(\.reservedDelta) == [-4, 0])
            #expect(try f.onHandByLocation("SKU-A") == ["MAIN/A-01": 3])
            let after = try f.stock("SKU-A", in: "MAIN")
            #expect(after.onHand == 3 && after.reserved == 0)
        }
    }
}
