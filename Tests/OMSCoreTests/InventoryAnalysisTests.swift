import OMSCore
import OMSProto
import Testing

@Suite("Inventory stock analysis")
struct InventoryAnalysisTests {
    @Test(
        "100 → 80 over 30 days with 20 sold: average 90, turnover 222‰, 135 days of inventory, 120 days cover; unsold stock is slow-moving and overstock"
    )
    func analysis() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup(mainA: 0, mainB: 0)
            let t0 = f.clock.nowNanoseconds() / 1_000_000
            try await f.adjust("SKU-A", in: "MAIN", by: 100)
            try await f.adjust("SKU-B", in: "MAIN", by: 50)
            f.clock.advance(millis: 10 * 86_400_000)
            let order = try await f.create([("SKU-A", 20)])
            _ = try await f.pay(order.id, order.totals!.totalMinor)
            _ = try await f.orders.ship(.with { $0.orderID = order.id }, actor: "wms")
            f.clock.advance(millis: 20 * 86_400_000)

            let result = try f.inventory.stockAnalysis(.with { $0.fromMillis = t0 + 1 })
            let a = try #require(result.lines.first { $0.sku == "SKU-A" })
            #expect(a.openingOnHand == 100 && a.closingOnHand == 80 && a.averageOnHand == 90 && a.sold == 20)
            #expect(a.periodDays == 30 && a.turnoverPermille == 222 && a.daysOfInventory == 135 && a.coverDays == 120)
            #expect(a.lastSaleAtMillis == t0 + 10 * 86_400_000 && !a.slowMoving && !a.overstock)
            let b = try #require(result.lines.first { $0.sku == "SKU-B" })
            #expect(b.sold == 0 && b.daysOfInventory == -1 && b.coverDays == -1 && b.slowMoving && b.overstock)
            #expect(result.slowMoving.map(\.sku) == ["SKU-B"] && result.overstock.map(\.sku) == ["SKU-B"])

            let tight = try f.inventory.stockAnalysis(
                .with {
                    $0.fromMillis = t0 + 1
                    $0.overstockDays = 100
                    $0.slowMovingDays = 15
                })
            #expect(tight.overstock.map(\.sku) == ["SKU-A", "SKU-B"])
            #expect(tight.slowMoving.map(\.sku) == ["SKU-A", "SKU-B"])  // last sale 20 days ago

            let missing = await domainError { _ = try f.inventory.stockAnalysis(.init()) }
            #expect(fields(missing) == ["from_millis"])
            let backwards = await domainError {
                _ = try f.inventory.stockAnalysis(
                    .with {
                        $0.fromMillis = 10
                        $0.toMillis = 5
                    })
            }
            #expect(fields(backwards) == ["to_millis"])
        }
    }
}
