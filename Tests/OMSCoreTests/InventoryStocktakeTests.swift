import OMSCore
import OMSProto
import Testing

@Suite("Inventory stocktaking")
struct InventoryStocktakeTests {
    func counts(
        _ id: String, _ specs: [(sku: String, location: String, counted: Int64)], requestID: String = ""
    )
        -> AsyncStream<Oms_V1_StocktakeCount>
    {
        AsyncStream { continuation in
            for (index, spec) in specs.enumerated() {
                continuation.yield(
                    .with {
                        $0.stocktakeID = id
                        $0.sku = spec.sku
                        $0.locationCode = spec.location
                        $0.countedQuantity = spec.counted
                        if index == 0 { $0.requestID = requestID }
                    })
            }
            continuation.finish()
        }
    }

    func start(_ f: OrderFixture, skus: [String] = [], locations: [String] = []) async throws -> Oms_V1_Stocktake {
        try await f.call {
            try await f.inventory.startStocktake(
                .with {
                    $0.warehouseCode = "MAIN"
                    $0.skus = skus
                    $0.locationCodes = locations
                }, actor: "counter")
        }.stocktake!
    }

    @Test(
        "counts compare with on-hand at count time; commit adds the variance to later movements instead of overwriting them"
    )
    func stocktakeWithMovements() async throws {
        try await withOrderFixture { f in
            try await f.product("SKU-A")
            try await f.product("SKU-B")
            try await f.warehouse("MAIN", priority: 1)
            try await f.location("A-01", in: "MAIN")
            let po = try await f.purchaseOrder([("SKU-A", 10, 100), ("SKU-B", 5, 40)])
            try await f.receive(po.id, [("SKU-A", 10, "A-01"), ("SKU-B", 5, "")])

            let stocktake = try await start(f)
            #expect(stocktake.id.hasPrefix("stk_") && stocktake.status == .counting)
            #expect(
                stocktake.lines.map { "\($0.sku)@\($0.locationCode)=\($0.snapshotQuantity)" } == [
                    "SKU-B@=5", "SKU-A@A-01=10",
                ])

            try await f.adjust("SKU-A", in: "MAIN", at: "A-01", by: -2)  // moved during the count
            let recorded = try await f.inventory.recordCounts(
                counts(
                    stocktake.id,
                    [("SKU-A", "A-01", 7), ("SKU-B", "", 5), ("SKU-A", "", 1), ("SKU-B", "", -1), ("SKU-B", "Z-9", 1)]),
                actor: "counter")
            #expect(recorded.countsReceived == 5 && recorded.countsRecorded == 3)
            #expect(recorded.failures.map(\.rowNumber) == [4, 5])
            #expect(recorded.failures.map(\.field) == ["counted_quantity", "location_code"])
            let events = try f.store.events.events(after: 0, limit: 10_000)
            #expect(events.filter { $0.type == "stocktake.counted" }.map(\.resourceID) == [stocktake.id])
            try await f.adjust("SKU-A", in: "MAIN", at: "A-01", by: 3)  // after the count

            let variance = try f.inventory.stocktakeVariance(id: stocktake.id).stocktake!
            let lines = Dictionary(uniqueKeysWithValues: variance.lines.map { ("\($0.sku)@\($0.locationCode)", $0) })
            let a = try #require(lines["SKU-A@A-01"])
            #expect(a.snapshotQuantity == 10 && a.expectedAtCount == 8 && a.movementsDuringCount == -2)
            #expect(a.countedQuantity == 7 && a.variance == -1 && a.varianceValueMinor == -100)
            #expect(lines["SKU-A@"]?.variance == 1 && lines["SKU-A@"]?.snapshotQuantity == 0)
            #expect(lines["SKU-B@"]?.variance == 0 && lines["SKU-B@"]?.counted == true)

            let committed = try await f.call {
                try await f.inventory.commitStocktake(.with { $0.id = stocktake.id }, actor: "supervisor")
            }
            #expect(committed.stocktake!.status == .committed && committed.stocktake!.committedBy == "supervisor")
            #expect(committed.moves.map(\.kind) == [.stocktake, .stocktake])
            #expect(committed.moves.map(\.onHandDelta).sorted() == [-1, 1])
            // 11 on hand at A-01 after the later receipt, minus the 1 missing; 1 found unassigned.
            #expect(try f.onHandByLocation("SKU-A") == ["MAIN/A-01": 10, "MAIN/": 1])
            #expect(try f.onHandByLocation("SKU-B") == ["MAIN/": 5])

            let again = await domainError {
                _ = try await f.call {
                    try await f.inventory.commitStocktake(.with { $0.id = stocktake.id }, actor: "s")
                }
            }
            #expect(again?.reason == "STOCKTAKE_STATUS")
            let late = await domainError {
                _ = try await f.inventory.recordCounts(counts(stocktake.id, [("SKU-A", "A-01", 1)]), actor: "counter")
            }
            #expect(late?.reason == "STOCKTAKE_STATUS")
        }
    }

    @Test("scope, unknown stocktakes and bad starts are refused precisely; a retried count stream records once")
    func negativeCases() async throws {
        try await withOrderFixture { f in
            try await f.product("SKU-A")
            try await f.warehouse("MAIN", priority: 1)
            try await f.location("A-01", in: "MAIN")
            try await f.adjust("SKU-A", in: "MAIN", at: "A-01", by: 4)
            let scoped = try await start(f, skus: ["SKU-A"], locations: ["A-01"])
            let out = try await f.inventory.recordCounts(
                counts(scoped.id, [("SKU-B", "A-01", 1), ("SKU-A", "", 1)]), actor: "c")
            #expect(out.failures.map(\.code) == ["FAILED_PRECONDITION", "FAILED_PRECONDITION"])
            #expect(out.countsRecorded == 0)

            let first = try await f.inventory.recordCounts(
                counts(scoped.id, [("SKU-A", "A-01", 3)], requestID: "cnt-1"), actor: "c")
            let retry = try await f.inventory.recordCounts(
                counts(scoped.id, [("SKU-A", "A-01", 3)], requestID: "cnt-1"), actor: "c")
            #expect(first == retry && first.countsRecorded == 1)

            let unknown = await domainError {
                _ = try await f.inventory.recordCounts(counts("stk_nope", [("SKU-A", "A-01", 1)]), actor: "c")
            }
            #expect(unknown?.kind == .notFound && fields(unknown) == ["stocktake_id"])
            let badWarehouse = await domainError {
                _ = try await f.call {
                    try await f.inventory.startStocktake(.with { $0.warehouseCode = "NOPE" }, actor: "c")
                }
            }
            #expect(badWarehouse?.reason == "WAREHOUSE_NOT_FOUND" && fields(badWarehouse) == ["warehouse_code"])
            let badLocation = await domainError { _ = try await start(f, locations: ["Z-9"]) }
            #expect(fields(badLocation) == ["location_codes[0]"])
            let missing = await domainError { _ = try f.inventory.stocktakeVariance(id: "stk_nope") }
            #expect(missing?.kind == .notFound)
        }
    }
}
