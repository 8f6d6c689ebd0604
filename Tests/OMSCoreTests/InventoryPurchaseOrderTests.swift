import OMSCore
import OMSProto
import Testing

@Suite("Inventory purchase orders, receipts and valuation")
struct InventoryPurchaseOrderTests {
    func setup(_ f: OrderFixture) async throws {
        try await f.product("SKU-A")
        try await f.product("SKU-B")
        try await f.warehouse("MAIN", priority: 1)
        try await f.warehouse("EAST", priority: 2)
        try await f.location("R-01", in: "MAIN")
        try await f.location("R-02", in: "MAIN")
    }

    @Test("a purchase order counts as incoming until received; partial receipts put stock away and track status")
    func partialReceipts() async throws {
        try await withOrderFixture { f in
            try await setup(f)
            let po = try await f.purchaseOrder([("SKU-A", 10, 100), ("SKU-B", 4, 250)])
            #expect(po.id.hasPrefix("po_") && po.status == .open && po.version == 1 && po.createdBy == "buyer")
            #expect(try f.stock("SKU-A").incoming == 10)
            #expect(try f.stock("SKU-A").onHand == 0)
            #expect(try f.stock("SKU-B", in: "MAIN").incoming == 4)

            let first = try await f.receive(po.id, [("SKU-A", 6, "R-01")])
            #expect(first.purchaseOrder!.status == .partiallyReceived && first.purchaseOrder!.version == 2)
            #expect(first.purchaseOrder!.lines[0].receivedQuantity == 6)
            #expect(first.moves.count == 1)
            let row = first.moves[0]
            #expect(row.kind == .receipt && row.locationCode == "R-01" && row.reference == "po:\(po.id)")
            #expect(row.actor == "receiver" && row.onHandAfter == 6 && row.unitCostMinor == 100)
            #expect(row.valueDeltaMinor == 600 && row.currencyCode == "USD")
            let a = try f.stock("SKU-A", in: "MAIN")
            #expect(a.onHand == 6 && a.incoming == 4 && a.available == 6)

            let second = try await f.receive(po.id, [("SKU-A", 4, "R-02"), ("SKU-B", 4, "")])
            #expect(second.purchaseOrder!.status == .received && second.purchaseOrder!.receipts.count == 2)
            #expect(try f.onHandByLocation("SKU-A") == ["MAIN/R-01": 6, "MAIN/R-02": 4])
            #expect(try f.onHandByLocation("SKU-B") == ["MAIN/": 4])
            #expect(try f.stock("SKU-A").incoming == 0)
            #expect(try f.stock("SKU-B").incoming == 0)
            #expect(try f.inventory.purchaseOrder(id: po.id) == second.purchaseOrder!)
            let listed = try f.inventory.purchaseOrders(.with { $0.status = .received })
            #expect(listed.purchaseOrders.map(\.id) == [po.id])
            #expect(try f.inventory.purchaseOrders(.with { $0.status = .open }).purchaseOrders == [])
        }
    }

    @Test("over-receipt: 10 ordered with 10% tolerance accepts 11 in total and refuses the 12th, changing nothing")
    func overReceipt() async throws {
        try await withOrderFixture { f in
            try await setup(f)
            let strict = try await f.purchaseOrder([("SKU-A", 10, 100)])
            let refused = await domainError { try await f.receive(strict.id, [("SKU-A", 11, "")]) }
            #expect(refused?.kind == .failedPrecondition && refused?.reason == "OVER_RECEIPT")
            #expect(fields(refused) == ["lines[0].quantity"])

            let tolerant = try await f.purchaseOrder([("SKU-A", 10, 100)], tolerancePercent: 10)
            try await f.receive(tolerant.id, [("SKU-A", 10, "")])
            try await f.receive(tolerant.id, [("SKU-A", 1, "")])
            let before = try f.movements()
            let twelfth = await domainError { try await f.receive(tolerant.id, [("SKU-A", 1, "")]) }
            #expect(twelfth?.reason == "OVER_RECEIPT")
            #expect(try f.movements() == before)
            let stock = try f.stock("SKU-A", in: "MAIN")
            // 11 received; incoming still counts the strict order's 10.
            #expect(stock.onHand == 11 && stock.incoming == 10)
            #expect(try f.inventory.purchaseOrder(id: tolerant.id).lines[0].receivedQuantity == 11)
        }
    }

    @Test("bad purchase orders and receipts are refused with the field named")
    func negativeCases() async throws {
        try await withOrderFixture { f in
            try await setup(f)
            let negative = await domainError { _ = try await f.purchaseOrder([("SKU-A", -1, 100)]) }
            #expect(negative?.kind == .invalidArgument && fields(negative) == ["purchase_order.lines[0].quantity"])
            let cost = await domainError { _ = try await f.purchaseOrder([("SKU-A", 1, -5)]) }
            #expect(fields(cost) == ["purchase_order.lines[0].unit_cost_minor"])
            let twice = await domainError { _ = try await f.purchaseOrder([("SKU-A", 1, 5), ("SKU-A", 2, 5)]) }
            #expect(fields(twice) == ["purchase_order.lines[1].sku"])
            let currency = await domainError { _ = try await f.purchaseOrder([("SKU-A", 1, 5)], currency: "usd") }
            #expect(fields(currency) == ["purchase_order.currency_code"])
            let sku = await domainError { _ = try await f.purchaseOrder([("NOPE", 1, 5)]) }
            #expect(sku?.kind == .failedPrecondition && sku?.reason == "PRODUCT_NOT_FOUND")
            #expect(fields(sku) == ["purchase_order.lines[0].sku"])
            let warehouse = await domainError { _ = try await f.purchaseOrder([("SKU-A", 1, 5)], warehouse: "NOPE") }
            #expect(
                warehouse?.reason == "WAREHOUSE_NOT_FOUND" && fields(warehouse) == ["purchase_order.warehouse_code"])

            let po = try await f.purchaseOrder([("SKU-A", 5, 100)])
            let unknown = await domainError { try await f.receive("po_nope", [("SKU-A", 1, "")]) }
            #expect(unknown?.kind == .notFound && fields(unknown) == ["id"])
            let notOnOrder = await domainError { try await f.receive(po.id, [("SKU-B", 1, "")]) }
            #expect(notOnOrder?.reason == "SKU_NOT_ON_PURCHASE_ORDER" && fields(notOnOrder) == ["lines[0].sku"])
            let location = await domainError { try await f.receive(po.id, [("SKU-A", 1, "Z-9")]) }
            #expect(location?.reason == "LOCATION_NOT_FOUND" && fields(location) == ["lines[0].location_code"])
            let zero = await domainError { try await f.receive(po.id, [("SKU-A", 0, "")]) }
            #expect(zero?.kind == .invalidArgument && fields(zero) == ["lines[0].quantity"])
            // A bad second line refuses the whole receipt.
            let partlyBad = await domainError { try await f.receive(po.id, [("SKU-A", 1, ""), ("SKU-A", 9, "")]) }
            #expect(fields(partlyBad) == ["lines[1].quantity"])
            #expect(try f.stock("SKU-A").onHand == 0)
            #expect(try f.stock("SKU-A").incoming == 5)
            let other = await domainError { _ = try await f.purchaseOrder([("SKU-A", 1, 5)], currency: "EUR") }
            #expect(other == nil)  // no cost yet: any currency may start it
        }
    }

    @Test("a retried receipt with the same request_id returns the first answer and receives once")
    func idempotentReceipt() async throws {
        try await withOrderFixture { f in
            try await setup(f)
            let po = try await f.purchaseOrder([("SKU-A", 10, 100)], requestID: "po-1")
            let again = try await f.purchaseOrder([("SKU-A", 10, 100)], requestID: "po-1")
            #expect(again == po)
            let first = try await f.receive(po.id, [("SKU-A", 3, "")], requestID: "rcv-1")
            let retry = try await f.receive(po.id, [("SKU-A", 3, "")], requestID: "rcv-1")
            #expect(retry == first)
            #expect(try f.stock("SKU-A").onHand == 3)
            let reused = await domainError { try await f.receive(po.id, [("SKU-A", 4, "")], requestID: "rcv-1") }
            #expect(reused?.kind == .alreadyExists)
        }
    }

    @Test("moving average: 10 @ 100 then 5 @ 130 averages 110 (1650/15); then 3 @ 121 averages 112 (2013/18 = 111.83)")
    func movingAverageWorkedExample() async throws {
        try await withOrderFixture { f in
            try await setup(f)
            let po1 = try await f.purchaseOrder([("SKU-A", 10, 100)])
            try await f.receive(po1.id, [("SKU-A", 10, "")])
            let po2 = try await f.purchaseOrder([("SKU-A", 5, 130)], warehouse: "EAST")
            let r2 = try await f.receive(po2.id, [("SKU-A", 5, "")])
            #expect(r2.moves[0].unitCostMinor == 110 && r2.moves[0].valueDeltaMinor == 650)
            // The average is per sku over every warehouse: MAIN 10 × 110, EAST 5 × 110.
            let v = try f.valuation(sku: "SKU-A")
            #expect(v.lines.map(\.valueMinor) == [550, 1100])
            #expect(v.totals.map(\.amountMinor) == [1650] && v.totals.map(\.currencyCode) == ["USD"])
            let po3 = try await f.purchaseOrder([("SKU-A", 3, 121)])
            let r3 = try await f.receive(po3.id, [("SKU-A", 3, "")])
            #expect(r3.moves[0].unitCostMinor == 112)
            // Issues leave the average alone and are valued at it.
            let issue = try await f.adjust("SKU-A", in: "MAIN", by: -4)
            #expect(issue.move!.unitCostMinor == 112 && issue.move!.valueDeltaMinor == -448)
            #expect(try f.valuation(sku: "SKU-A").totals[0].amountMinor == 14 * 112)
        }
    }

    @Test(
        "moving average rounds half up: 1 @ 100 then 1 @ 101 averages 101 (100.5); 2 @ 100 then 1 @ 101 averages 100 (100.33)"
    )
    func movingAverageRounding() throws {
        #expect(
            try MovingAverageCost.afterReceipt(onHand: 1, averageCostMinor: 100, quantity: 1, unitCostMinor: 101) == 101
        )
        #expect(
            try MovingAverageCost.afterReceipt(onHand: 2, averageCostMinor: 100, quantity: 1, unitCostMinor: 101) == 100
        )
        #expect(
            try MovingAverageCost.afterReceipt(onHand: 1, averageCostMinor: 100, quantity: 2, unitCostMinor: 101) == 101
        )
        // 100.67 → 101; from nothing on hand the receipt's cost is the average.
        #expect(
            try MovingAverageCost.afterReceipt(onHand: 0, averageCostMinor: 999, quantity: 7, unitCostMinor: 55) == 55)
        // 0.5 rounds up to 1.
        #expect(try MovingAverageCost.afterReceipt(onHand: 3, averageCostMinor: 0, quantity: 1, unitCostMinor: 2) == 1)
        #expect(throws: DomainError.self) {
            try MovingAverageCost.afterReceipt(
                onHand: Int64.max / 2, averageCostMinor: 10, quantity: 1, unitCostMinor: 1)
        }
    }

    @Test("GetValuation as of a past time replays the ledger: quantities and the average then")
    func valuationAsOf() async throws {
        try await withOrderFixture { f in
            try await setup(f)
            let po1 = try await f.purchaseOrder([("SKU-A", 10, 100), ("SKU-B", 2, 50)])
            try await f.receive(po1.id, [("SKU-A", 10, "R-01"), ("SKU-B", 2, "")])
            let t1 = f.clock.nowNanoseconds() / 1_000_000
            f.clock.advance(millis: 60_000)
            try await f.adjust("SKU-A", in: "MAIN", by: -4)  // 6 @ 100
            let t2 = f.clock.nowNanoseconds() / 1_000_000
            f.clock.advance(millis: 60_000)
            let po2 = try await f.purchaseOrder([("SKU-A", 2, 300)])
            try await f.receive(po2.id, [("SKU-A", 2, "")])  // (600 + 600) / 8 = 150

            let now = try f.valuation()
            #expect(
                now.lines.map { "\($0.sku)@\($0.warehouseCode) \($0.onHand) × \($0.unitCostMinor) = \($0.valueMinor)" }
                    == ["SKU-A@MAIN 8 × 150 = 1200", "SKU-B@MAIN 2 × 50 = 100"])
            #expect(now.totals.map(\.amountMinor) == [1300])
            let atT1 = try f.valuation(asOf: t1)
            #expect(atT1.lines.map(\.valueMinor) == [1000, 100] && atT1.totals[0].amountMinor == 1100)
            let atT2 = try f.valuation(sku: "SKU-A", asOf: t2)
            #expect(atT2.lines.map(\.onHand) == [6] && atT2.lines[0].unitCostMinor == 100)
            #expect(atT2.totals[0].amountMinor == 600)
            #expect(try f.valuation(asOf: t1 - 1).lines == [])
            #expect(try f.valuation(warehouse: "EAST").lines == [])
            let unknown = await domainError { _ = try f.valuation(warehouse: "NOPE") }
            #expect(unknown?.kind == .notFound && fields(unknown) == ["warehouse_code"])
            let negative = await domainError { _ = try f.valuation(asOf: -1) }
            #expect(fields(negative) == ["as_of_millis"])
        }
    }
}
