import OMSCore
import OMSProto
import Testing

@Suite("Inventory low stock and replenishment")
struct InventoryReplenishmentTests {
    func policy(
        _ f: OrderFixture, _ sku: String, reorderPoint: Int64, safety: Int64, lead: Int32, minOrder: Int64 = 0,
        maxStock: Int64 = 0, supplier: String, cost: Int64
    ) async throws -> Oms_V1_ReorderPolicy {
        try await f.call {
            try await f.inventory.setReorderPolicy(
                .with {
                    $0.policy = .with {
                        $0.sku = sku
                        $0.warehouseCode = "MAIN"
                        $0.reorderPoint = reorderPoint
                        $0.safetyStock = safety
                        $0.leadTimeDays = lead
                        $0.minOrderQuantity = minOrder
                        $0.maxStock = maxStock
                        $0.supplier = supplier
                        $0.unitCostMinor = cost
                        $0.currencyCode = "USD"
                    }
                }, actor: "planner")
        }.policy!
    }

    @Test(
        "12 sold in 30 days, lead 7 → demand ceil(84/30) = 3; target max(10, 3 + 5) = 10; position 8 → 2, raised to the minimum 6"
    )
    func suggestAndOrder() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup(mainA: 0, mainB: 0)
            let po = try await f.purchaseOrder([("SKU-A", 20, 100)])
            try await f.receive(po.id, [("SKU-A", 20, "")])
            let order = try await f.create([("SKU-A", 12)])
            _ = try await f.pay(order.id, order.totals!.totalMinor)
            _ = try await f.orders.ship(.with { $0.orderID = order.id }, actor: "wms")
            try f.expectConsistent()

            _ = try await policy(
                f, "SKU-A", reorderPoint: 10, safety: 5, lead: 7, minOrder: 6, supplier: "ACME", cost: 100)
            _ = try await policy(f, "SKU-B", reorderPoint: 3, safety: 2, lead: 10, supplier: "BETA", cost: 40)

            let low = try f.inventory.lowStock(.init()).items
            #expect(
                low.map { "\($0.policy!.sku) \($0.position) \($0.belowReorderPointBy)" } == ["SKU-A 8 2", "SKU-B 0 3"])

            let suggestions = try f.inventory.suggestReplenishment(.init()).suggestions
            let a = try #require(suggestions.first { $0.sku == "SKU-A" })
            #expect(a.soldInWindow == 12 && a.windowDays == 30 && a.demandDuringLeadTime == 3)
            #expect(a.target == 10 && a.position == 8 && a.quantity == 6 && a.supplier == "ACME")
            let b = try #require(suggestions.first { $0.sku == "SKU-B" })
            #expect(b.soldInWindow == 0 && b.target == 3 && b.quantity == 3)

            let created = try await f.call {
                try await f.inventory.createPurchaseOrdersFromSuggestions(
                    .with { $0.requestID = "repl-1" }, actor: "planner")
            }
            #expect(
                created.purchaseOrders.map {
                    "\($0.supplier) \($0.lines.map { "\($0.sku)×\($0.quantity)@\($0.unitCostMinor)" })"
                }
                    == ["ACME [\"SKU-A×6@100\"]", "BETA [\"SKU-B×3@40\"]"])
            #expect(try f.stock("SKU-A", in: "MAIN").incoming == 6)
            #expect(try f.inventory.lowStock(.init()).items == [])
            #expect(try f.inventory.suggestReplenishment(.init()).suggestions == [])
            let replay = try await f.call {
                try await f.inventory.createPurchaseOrdersFromSuggestions(
                    .with { $0.requestID = "repl-1" }, actor: "planner")
            }
            #expect(replay == created)
        }
    }

    @Test("max stock caps a suggestion; sales outside the window do not count")
    func capAndWindow() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup(mainA: 0, mainB: 0)
            try await f.adjust("SKU-A", in: "MAIN", by: 40)
            let order = try await f.create([("SKU-A", 30)])
            _ = try await f.pay(order.id, order.totals!.totalMinor)
            _ = try await f.orders.ship(.with { $0.orderID = order.id }, actor: "wms")
            // 30 sold, lead 30, window 30 → demand 30; target 35; position 10; cap 20 - 10 = 10.
            _ = try await policy(
                f, "SKU-A", reorderPoint: 5, safety: 5, lead: 30, maxStock: 20, supplier: "ACME", cost: 1)
            #expect(try f.inventory.suggestReplenishment(.init()).suggestions.map(\.quantity) == [10])
            f.clock.advance(millis: 31 * 86_400_000)
            let later = try f.inventory.suggestReplenishment(.with { $0.windowDays = 30 }).suggestions
            #expect(later == [])  // no sales in the window; position 10 is above reorder point 5

            let cap = await domainError {
                _ = try await policy(
                    f, "SKU-A", reorderPoint: 10, safety: 0, lead: 1, maxStock: 5, supplier: "A", cost: 1)
            }
            #expect(cap?.kind == .invalidArgument && fields(cap) == ["policy.max_stock"])
            let sku = await domainError {
                _ = try await policy(f, "NOPE", reorderPoint: 1, safety: 0, lead: 1, supplier: "A", cost: 1)
            }
            #expect(sku?.reason == "PRODUCT_NOT_FOUND" && fields(sku) == ["policy.sku"])
            let window = await domainError { _ = try f.inventory.suggestReplenishment(.with { $0.windowDays = -1 }) }
            #expect(fields(window) == ["window_days"])
        }
    }
}

@Suite("Inventory low-stock events")
struct InventoryLowStockEventTests {
    @Test("stock.low is appended once when the position falls below the reorder point, again only after recovering")
    func crossing() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup(mainA: 12, mainB: 0)
            _ = try await f.call {
                try await f.inventory.setReorderPolicy(
                    .with {
                        $0.policy = .with {
                            $0.sku = "SKU-A"
                            $0.warehouseCode = "MAIN"
                            $0.reorderPoint = 10
                            $0.supplier = "ACME"
                            $0.currencyCode = "USD"
                        }
                    }, actor: "planner")
            }
            func lowEvents() throws -> [Oms_V1_Event] {
                try f.store.events.events(after: 0, limit: 10_000).filter { $0.type == "stock.low" }
            }
            try await f.adjust("SKU-A", in: "MAIN", by: -2)  // 10: not below
            #expect(try lowEvents() == [])
            _ = try await f.create([("SKU-A", 1)])  // a reservation: available 9
            let first = try lowEvents()
            #expect(first.count == 1 && first[0].resourceID == "SKU-A@MAIN" && first[0].actor == "test")
            if case .stock(let level) = first[0].payload {
                #expect(level.available == 9)
            } else {
                Issue.record("no level")
            }
            try await f.adjust("SKU-A", in: "MAIN", by: -1)  // still below: no new event
            #expect(try lowEvents().count == 1)
            try await f.adjust("SKU-A", in: "MAIN", by: 5)  // 13: recovered
            try await f.adjust("SKU-A", in: "MAIN", by: -4)  // 9: below again
            #expect(try lowEvents().count == 2)
        }
    }
}
