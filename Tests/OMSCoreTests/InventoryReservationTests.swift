import OMSCore
import OMSProto
import Storage
import Testing

@Suite("Inventory reservation reconciler")
struct InventoryReservationTests {
    func levelKey(_ sku: String, _ warehouse: String) -> [UInt8] {
        var key: [UInt8] = [0x02]
        KeyCodec.append(sku, to: &key)
        KeyCodec.append(warehouse, to: &key)
        return key
    }

    @Test(
        "a consistent store reports nothing; an orphan lease and a lost lease are reported, then repaired with ledger rows"
    )
    func reconcile() async throws {
        try await withOrderFixture { f in
            try await f.standardSetup(mainA: 10, mainB: 10)
            let first = try await f.create([("SKU-A", 3)])
            let second = try await f.create([("SKU-B", 2)])
            let clean = try f.inventory.reservationReport()
            #expect(clean.orphans == [] && clean.mismatches == [] && clean.reservationsChecked == 2)

            // Damage the store behind the writer's back: the second order
            // disappears (its lease is orphaned), the first order's lease is lost.
            let db = f.store.database
            let families = f.store.families
            try db.delete(families.orders, Array(second.id.utf8))
            var prefix: [UInt8] = []
            KeyCodec.append(first.id, to: &prefix)
            for row in try db.scan(families.reservations, prefix: prefix, limit: 10) {
                try db.delete(families.reservations, row.key)
            }
            #expect(try f.inventory.invariantViolations() != [])

            let report = try f.inventory.reservationReport()
            #expect(
                report.orphans.map { "\($0.orderID) \($0.sku) \($0.quantity) \($0.why)" } == [
                    "\(second.id) SKU-B 2 order not found"
                ])
            #expect(
                report.mismatches.map { "\($0.sku)@\($0.warehouseCode) \($0.reserved)/\($0.openReservations)" } == [
                    "SKU-A@MAIN 3/0"
                ])
            #expect(report.repaired == false)
            #expect(try f.stock("SKU-A", in: "MAIN").reserved == 3)  // a report changes nothing

            let repaired = try await f.call {
                try await f.inventory.reconcileReservations(
                    .with {
                        $0.repair = true
                        $0.requestID = "rec-1"
                    }, actor: "admin")
            }
            #expect(repaired.repaired && repaired.moves.map(\.reservedDelta) == [-2, -3])
            #expect(repaired.moves.allSatisfy { $0.kind == .release && $0.reason.hasPrefix("reconciler") })
            #expect(try f.stock("SKU-A", in: "MAIN").reserved == 0)
            #expect(try f.stock("SKU-B", in: "MAIN").available == 10)
            let after = try f.inventory.reservationReport()
            #expect(after.orphans == [] && after.mismatches == [])
            let replay = try await f.call {
                try await f.inventory.reconcileReservations(
                    .with {
                        $0.repair = true
                        $0.requestID = "rec-1"
                    }, actor: "admin")
            }
            #expect(replay == repaired)
        }
    }
}
