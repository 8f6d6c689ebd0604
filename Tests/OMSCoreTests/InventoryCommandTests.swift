import OMSCore
import OMSProto
import Testing

@Suite("Inventory commands on the one command shape")
struct InventoryCommandTests {
    @Test("purchase orders made from suggestions are audited under the RPC that made them")
    func suggestionsAuditedUnderTheirRPC() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup(mainA: 0, mainB: 0)
            _ = try await f.inventory.setReorderPolicy(
                .with {
                    $0.policy = .with {
                        $0.sku = "SKU-A"
                        $0.warehouseCode = "MAIN"
                        $0.reorderPoint = 5
                        $0.supplier = "ACME"
                        $0.unitCostMinor = 100
                        $0.currencyCode = "USD"
                    }
                }, actor: "planner")
            let created = try await f.inventory.createPurchaseOrdersFromSuggestions(
                .with { $0.requestID = "repl-1" }, actor: "planner")
            #expect(created.purchaseOrders.count == 1)
            let audit = try AuditLog.records(
                in: f.store.database, families: f.store.families, fromMillis: 0, limit: 1000
            ).filter { $0.resourceType == "purchase_order" }
            #expect(audit.map(\.method) == [CreatePurchaseOrdersFromSuggestions.method.path])
            #expect(audit.map(\.resourceID) == created.purchaseOrders.map(\.id))
            #expect(audit.map(\.requestID) == ["repl-1"])
        }
    }

    @Test("ReconcileReservations is a command only as a repair; without, the facade reports from a snapshot")
    func reconcileIsACommandOnlyAsARepair() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup()
            let report = try await f.inventory.reconcileReservations(.init(), actor: "admin")
            #expect(report.levelsChecked > 0 && report.repaired == false)
            let notRepair = await domainError {
                _ = try await f.store.run(ReconcileReservations(), .init(), actor: "a")
            }
            #expect(notRepair?.kind == .invalidArgument && fields(notRepair) == ["repair"])
            let repair = try await f.inventory.reconcileReservations(.with { $0.repair = true }, actor: "admin")
            #expect(repair.repaired == false && repair.moves == [])  // nothing to repair
        }
    }
}
