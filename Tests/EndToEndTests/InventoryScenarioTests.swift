import Foundation
import OMSClient
import OMSCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Inventory scenario through the Swift SDK")
struct InventoryScenarioTests {
    /// Hand-computed: PO1 10 @ 20.00 (6 to A-01, 4 to B-02) → average 2000;
    /// PO2 5 @ 23.00 unassigned → (10 × 2000 + 5 × 2300) / 15 = 31500 / 15 = 2100;
    /// sell 3 (shipped from unassigned: 5 → 2); 1 damaged at A-01 (6 → 5).
    /// Final DC1: on hand 2 + 5 + 4 = 11, reserved 0, available 11, incoming 0;
    /// value 11 × 2100 = 23100 EUR; as of before PO2: 10 × 2000 = 20000.
    /// Then: transfer 4 DC1/B-02 → DC2 (3 arrive, 1 missing), scrap 2 from
    /// A-01 (4200 written off), stocktake of A-01 finds 2 of 3 (-2100).
    /// Replenishment from suggestions orders 6 more. Final: DC1 4, DC2 3, on
    /// hand 7, incoming 6, value 7 × 2100 = 14700 EUR (DC1 8400, DC2 6300).
    @Test(
        "receive POs, sell, transfer and scrap with approval, stocktake, replenish: final GetStock 7 (+6 incoming), GetValuation 14700 EUR"
    )
    func scenario() async throws {
        try await withDaemon { omsd in
            let client = try OMSClient(address: "127.0.0.1:\(omsd.port)", token: omsd.token)
            do {
                _ = try await client.catalog.upsertProduct(
                    .with {
                        $0.sku = "KETTLE"
                        $0.name = "Kettle"
                        $0.unitPrice = .with {
                            $0.currencyCode = "EUR"
                            $0.amountMinor = 4999
                        }
                    })
                _ = try await client.inventory.createWarehouse(code: "DC1", priority: 1)
                _ = try await client.inventory.createWarehouse(code: "DC2", priority: 2)
                _ = try await client.inventory.createLocation(warehouse: "DC1", code: "A-01", zone: "A", aisle: "01")
                _ = try await client.inventory.createLocation(warehouse: "DC1", code: "B-02", zone: "B", aisle: "02")
                #expect(try await client.inventory.locations(warehouse: "DC1").items.map(\.code) == ["A-01", "B-02"])

                let po1 = try await client.inventory.createPurchaseOrder(
                    supplier: "Kettles Ltd", warehouse: "DC1", currency: "EUR",
                    lines: [.init(sku: "KETTLE", quantity: 10, unitCostMinor: 2000)])
                #expect(try await client.inventory.stock(sku: "KETTLE", warehouse: "DC1").incoming == 10)
                let part = try await client.inventory.receivePurchaseOrder(
                    id: po1.id, lines: [.init(sku: "KETTLE", quantity: 6, location: "A-01")])
                #expect(part.purchaseOrder?.status == .partiallyReceived)
                do {
                    _ = try await client.inventory.receivePurchaseOrder(
                        id: po1.id, lines: [.init(sku: "KETTLE", quantity: 5, location: "B-02")])
                    Issue.record("over-receipt accepted")
                } catch let error as OMSError {
                    #expect(error.code == .failedPrecondition && error.reason == "OVER_RECEIPT")
                    #expect(error.fieldViolations.map(\.field) == ["lines[0].quantity"])
                }
                let rest = try await client.inventory.receivePurchaseOrder(
                    id: po1.id, lines: [.init(sku: "KETTLE", quantity: 4, location: "B-02")])
                #expect(rest.purchaseOrder?.status == .received)
                let beforePO2 = rest.moves.last!.atMillis
                usleep(20_000)  // the next receipt lands in a later millisecond

                let po2 = try await client.inventory.createPurchaseOrder(
                    supplier: "Kettles Ltd", warehouse: "DC1", currency: "EUR",
                    lines: [.init(sku: "KETTLE", quantity: 5, unitCostMinor: 2300)])
                let second = try await client.inventory.receivePurchaseOrder(
                    id: po2.id, lines: [.init(sku: "KETTLE", quantity: 5)])
                #expect(second.moves.map(\.unitCostMinor) == [2100])

                let (customer, _) = try await client.customers.upsert(
                    .with {
                        $0.name = "Grace"
                        $0.email = "grace@example.com"
                        $0.addresses = [
                            .with {
                                $0.line1 = "2 Side St"
                                $0.city = "Berlin"
                                $0.countryCode = "DE"
                            }
                        ]
                    })
                let order = try await client.orders.create(
                    .with {
                        $0.customerID = customer.id
                        $0.channel = "web"
                        $0.currencyCode = "EUR"
                        $0.lines = [
                            .with {
                                $0.sku = "KETTLE"
                                $0.quantity = 3
                            }
                        ]
                    })
                _ = try await client.orders.recordPayment(
                    orderID: order.id,
                    amount: .with {
                        $0.currencyCode = "EUR"
                        $0.amountMinor = order.totals!.totalMinor
                    })
                _ = try await client.orders.ship(orderID: order.id)
                let (_, damaged) = try await client.inventory.adjustStock(
                    sku: "KETTLE", warehouse: "DC1", delta: -1, reason: "damaged", location: "A-01",
                    reference: "QC-9")
                #expect(damaged.valueDeltaMinor == -2100 && damaged.onHandAfter == 5)

                let stock = try await client.inventory.stock(sku: "KETTLE")
                #expect(stock.onHand == 11 && stock.reserved == 0 && stock.available == 11)
                #expect(stock.incoming == 0 && stock.inTransit == 0)
                #expect(stock.locations.map { "\($0.locationCode)=\($0.onHand)" } == ["=2", "A-01=5", "B-02=4"])
                let bins = try await client.inventory.listStock(warehouse: "DC1", location: "A-01")
                #expect(bins.items.map(\.onHand) == [5])

                let valuation = try await client.inventory.valuation(sku: "KETTLE")
                #expect(valuation.lines.map(\.valueMinor) == [23100] && valuation.lines.map(\.unitCostMinor) == [2100])
                #expect(
                    valuation.totals.map(\.amountMinor) == [23100] && valuation.totals.map(\.currencyCode) == ["EUR"])
                let earlier = try await client.inventory.valuation(asOfMillis: beforePO2)
                #expect(earlier.lines.map(\.onHand) == [10] && earlier.totals.map(\.amountMinor) == [20000])

                let receipts = try await client.inventory.movements(.init(sku: "KETTLE", kind: .receipt))
                #expect(receipts.items.map(\.onHandDelta) == [6, 4, 5])
                #expect(receipts.items.allSatisfy { $0.reference.hasPrefix("po:") })
                let shipped = try await client.inventory.movements(.init(warehouse: "DC1", kind: .shipment))
                #expect(shipped.items.map(\.onHandDelta) == [-3] && shipped.items.map(\.orderID) == [order.id])
                let all = try await client.inventory.movements(.init(sku: "KETTLE"), pageSize: 2)
                #expect(all.items.count == 2 && all.hasMore)
                #expect(
                    try await client.inventory.purchaseOrders(status: .received).items.map(\.id) == [po1.id, po2.id])

                // Transfer 4 from DC1/B-02 to DC2, approved by another key; 3 arrive, 1 is missing.
                let (_, approverToken) = try await client.admin.createApiKey(name: "approver")
                let approver = try OMSClient(address: "127.0.0.1:\(omsd.port)", token: approverToken)
                defer { Task { await approver.close() } }
                let transfer = try await client.inventory.requestTransfer(
                    from: "DC1", to: "DC2", lines: [.init(sku: "KETTLE", quantity: 4, location: "B-02")])
                do {
                    _ = try await client.inventory.approveTransfer(id: transfer.id)
                    Issue.record("self-approval accepted")
                } catch let error as OMSError {
                    #expect(error.code == .permissionDenied && error.reason == "SELF_APPROVAL")
                }
                #expect(try await approver.inventory.approveTransfer(id: transfer.id).decidedBy == "approver")
                #expect(try await client.inventory.stock(sku: "KETTLE", warehouse: "DC2").incoming == 4)
                _ = try await client.inventory.shipTransfer(id: transfer.id)
                let moving = try await client.inventory.stock(sku: "KETTLE")
                #expect(moving.onHand == 7 && moving.inTransit == 4 && moving.incoming == 4)
                let arrived = try await client.inventory.receiveTransfer(
                    id: transfer.id, lines: [.init(sku: "KETTLE", quantity: 3)], complete: true)
                #expect(arrived.transfer?.status == .received)
                #expect(arrived.transfer?.discrepancies.map(\.missingQuantity) == [1])

                // Scrap 2 damaged from A-01, approved by the other key: 2 × 2100 written off.
                let scrap = try await client.inventory.requestScrap(
                    warehouse: "DC1", lines: [.init(sku: "KETTLE", quantity: 2, location: "A-01")], reason: .damaged)
                let scrapped = try await approver.inventory.approveScrap(id: scrap.id)
                #expect(scrapped.scrap?.writtenOff.map(\.amountMinor) == [4200])

                // Stocktake of DC1/A-01 counts 2 of the 3 expected: variance -1 (-2100).
                let stocktake = try await client.inventory.startStocktake(warehouse: "DC1", locations: ["A-01"])
                #expect(stocktake.lines.map(\.snapshotQuantity) == [3])
                let (countRows, countInput) = AsyncStream.makeStream(of: OMSClient.Inventory.StocktakeCountRow.self)
                countInput.yield(.init(sku: "KETTLE", location: "A-01", counted: 2))
                countInput.finish()
                let recorded = try await client.inventory.recordCounts(stocktakeID: stocktake.id, countRows)
                #expect(recorded.countsRecorded == 1 && recorded.failures.isEmpty)
                let variance = try await client.inventory.stocktakeVariance(id: stocktake.id)
                #expect(variance.lines.map(\.variance) == [-1] && variance.lines.map(\.varianceValueMinor) == [-2100])
                let committed = try await client.inventory.commitStocktake(id: stocktake.id)
                #expect(committed.moves.map(\.kind) == [.stocktake])

                // Replenish DC1: 3 sold in 30 days, lead 7 → demand ceil(21/30) = 1; target
                // max(10, 1 + 2) = 10; position 4 → order 6 from Kettles Ltd.
                var policy = Oms_V1_ReorderPolicy()
                policy.sku = "KETTLE"
                policy.warehouseCode = "DC1"
                policy.reorderPoint = 10
                policy.safetyStock = 2
                policy.leadTimeDays = 7
                policy.supplier = "Kettles Ltd"
                policy.unitCostMinor = 2200
                policy.currencyCode = "EUR"
                _ = try await client.inventory.setReorderPolicy(policy)
                #expect(try await client.inventory.lowStock().map(\.belowReorderPointBy) == [6])
                let suggested = try await client.inventory.suggestReplenishment(warehouse: "DC1")
                #expect(
                    suggested.map { "\($0.soldInWindow) \($0.demandDuringLeadTime) \($0.target) \($0.quantity)" } == [
                        "3 1 10 6"
                    ])
                let replenished = try await client.inventory.createPurchaseOrdersFromSuggestions(warehouse: "DC1")
                #expect(replenished.purchaseOrders.map { $0.lines.map(\.quantity) } == [[6]])
                #expect(try await client.inventory.stock(sku: "KETTLE", warehouse: "DC1").incoming == 6)

                // Final: DC1 2 unassigned + 2 at A-01 = 4; DC2 3; 7 × 2100 = 14700 EUR; 6 incoming.
                let final = try await client.inventory.stock(sku: "KETTLE")
                #expect(final.onHand == 7 && final.reserved == 0 && final.available == 7)
                #expect(final.incoming == 6 && final.inTransit == 0)
                #expect(final.warehouses.map { "\($0.warehouseCode)=\($0.onHand)" } == ["DC1=4", "DC2=3"])
                #expect(
                    final.locations.map { "\($0.warehouseCode)/\($0.locationCode)=\($0.onHand)" } == [
                        "DC1/=2", "DC1/A-01=2", "DC2/=3",
                    ])
                let finalValue = try await client.inventory.valuation()
                #expect(finalValue.lines.map(\.valueMinor) == [8400, 6300])
                #expect(finalValue.totals.map(\.amountMinor) == [14700])
                // The inventory report values stock at the same moving-average cost.
                let today = Date().ISO8601Format(.iso8601.year().month().day())
                let report = try await client.reports.inventory(
                    .with {
                        $0.range = .with {
                            $0.fromDate = today
                            $0.toDate = today
                        }
                        $0.skus = ["KETTLE"]
                    })
                #expect(
                    report.levels.map { "\($0.warehouseCode) \($0.onHand) × \($0.unitCostMinor)" } == [
                        "DC1 4 × 2100", "DC2 3 × 2100",
                    ])
                #expect(report.totalValue.map(\.amountMinor) == [14700])
            } catch {
                await client.close()
                throw error
            }
            await client.close()
        }
    }
}
