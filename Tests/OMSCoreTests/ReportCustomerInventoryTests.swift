import Foundation
import OMSCore
import OMSProto
import Storage
import Testing

@Suite("Customer and inventory reports")
struct ReportCustomerInventoryTests {
    static func millis(_ date: String) -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = date.split(separator: "-").map { Int($0)! }
        return Int64(
            calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))!.timeIntervalSince1970)
            * 1000
    }

    @Test("top customers, new vs repeat, tiers and ratings equal a brute-force computation")
    func customersMatchBruteForce() async throws {
        try await withOrderFixture { f in
            f.clock.set(millis: ReportSalesTests.start)
            try await ReportWorkload.run(f, seed: 5, steps: 500)
            let orders = try ReportWorkload.allOrders(f)
            #expect(orders.contains { $0.feedback != nil })
            let reports = Reports(store: f.store)
            for (from, to) in [
                ("2026-03-01", "2026-06-30"), ("2026-03-10", "2026-03-20"), ("2026-03-15", "2026-03-15"),
            ] {
                let start = Self.millis(from)
                let end = Self.millis(to) + 86_400_000
                let report = try reports.customers(
                    .with {
                        $0.range = .with {
                            $0.fromDate = from
                            $0.toDate = to
                        }
                        $0.top = 2
                    })
                let inRange = orders.filter { $0.createdAtMillis >= start && $0.createdAtMillis < end }
                var totals: [String: [String: (orders: Int64, revenue: Int64)]] = [:]
                for order in inRange where order.status != .cancelled {
                    var entry = totals[order.currencyCode]?[order.customerID] ?? (0, 0)
                    entry.orders += 1
                    entry.revenue += order.totals!.totalMinor
                    totals[order.currencyCode, default: [:]][order.customerID] = entry
                }
                var tiers: [String: String] = [:]
                for id in ["C1", "C2", "C3"] { tiers[id] = try f.customers.customer(id: id).tier }
                var expectedTop: [Oms_V1_CustomerRow] = []
                let firstOrder = Dictionary(grouping: orders, by: \.customerID).mapValues {
                    $0.map(\.createdAtMillis).min()!
                }
                for currency in totals.keys.sorted() {
                    let ranked = totals[currency]!.sorted { ($1.value.revenue, $0.key) < ($0.value.revenue, $1.key) }
                    for (customer, value) in ranked.prefix(2) {
                        expectedTop.append(
                            .with {
                                $0.customerID = customer
                                $0.currencyCode = currency
                                $0.orders = value.orders
                                $0.revenueMinor = value.revenue
                                $0.tier = tiers[customer] ?? ""
                                $0.newCustomer = !customer.isEmpty && firstOrder[customer]! >= start
                            })
                    }
                }
                #expect(report.topCustomers == expectedTop, "\(from)..\(to)")
                let active = Set(inRange.filter { $0.status != .cancelled && !$0.customerID.isEmpty }.map(\.customerID))
                #expect(report.activeCustomers == Int64(active.count))
                #expect(report.newCustomers == Int64(active.filter { firstOrder[$0]! >= start }.count))
                #expect(report.repeatCustomers == report.activeCustomers - report.newCustomers)
                var expectedTiers: [String: Oms_V1_TierRow] = [:]
                for (currency, customers) in totals {
                    for (customer, value) in customers where !customer.isEmpty {
                        let tier = tiers[customer] ?? ""
                        expectedTiers[
                            "\(tier)|\(currency)",
                            default: .with {
                                $0.tier = tier
                                $0.currencyCode = currency
                            }
                        ].customers += 1
                        expectedTiers["\(tier)|\(currency)"]!.orders += value.orders
                        expectedTiers["\(tier)|\(currency)"]!.revenueMinor += value.revenue
                    }
                }
                #expect(
                    report.tiers
                        == expectedTiers.values.sorted { ($0.tier, $0.currencyCode) < ($1.tier, $1.currencyCode) })
                var stars = [Int64](repeating: 0, count: 5)
                for order in inRange { if let rating = order.feedback?.rating { stars[Int(rating) - 1] += 1 } }
                #expect(report.ratingsByStars == stars)
                let count = stars.reduce(0, +)
                let sum = stars.enumerated().reduce(Int64(0)) { $0 + Int64($1.offset + 1) * $1.element }
                #expect(
                    report.averageRatingCenti == (count == 0 ? 0 : Int64((Double(sum * 100) / Double(count)).rounded()))
                )
            }
        }
    }

    @Test("levels, value, movements by kind and turnover equal a brute-force computation over the ledger")
    func inventoryMatchesLedger() async throws {
        try await withOrderFixture { f in
            f.clock.set(millis: ReportSalesTests.start)
            try await f.product("SKU-A", price: 700)
            try await ReportWorkload.run(f, seed: 11, steps: 400)
            // The ledger rows, not the time index after them (0xFF keys: the same moves again).
            let moves = try f.store.database.scan(f.store.families.stockMoves, from: [], to: [0xFF], limit: Int.max).map
            {
                try Oms_V1_StockMove(serializedBytes: $0.value)
            }
            #expect(moves.contains { $0.kind == .shipment })
            let reports = Reports(store: f.store)
            let (from, to) = ("2026-03-05", "2026-03-20")
            let start = Self.millis(from)
            let end = Self.millis(to) + 86_400_000
            let report = try reports.inventory(
                .with {
                    $0.range = .with {
                        $0.fromDate = from
                        $0.toDate = to
                    }
                })
            // Levels: what GetStock says, valued at the catalog price where there is one.
            #expect(report.levels.count == 6)
            for level in report.levels {
                let stock = try f.stock(level.sku, in: level.warehouseCode)
                #expect(level.onHand == stock.onHand && level.reserved == stock.reserved)
                #expect(level.valueMinor == (level.sku == "SKU-A" ? 700 * stock.onHand : 0))
            }
            #expect(
                report.totalValue.map(\.amountMinor) == [
                    report.levels.filter { $0.sku == "SKU-A" }.map { $0.onHand * 700 }.reduce(0, +)
                ])
            // Movements by warehouse and kind.
            var expected: [String: [Int64]] = [:]
            for move in moves where move.atMillis >= start && move.atMillis < end {
                let key = "\(move.warehouseCode)|\(String(move.kind.protoName.dropFirst(16)).lowercased())"
                var values = expected[key] ?? [0, 0, 0]
                values[0] += 1
                values[1] += move.onHandDelta
                values[2] += move.reservedDelta
                expected[key] = values
            }
            #expect(
                Dictionary(
                    uniqueKeysWithValues: report.movements.map {
                        ("\($0.warehouseCode)|\($0.kind)", [$0.moves, $0.onHandDelta, $0.reservedDelta])
                    })
                    == expected)
            for row in report.turnover {
                let mine = moves.filter { $0.sku == row.sku }
                let startOnHand = mine.filter { $0.atMillis < start }.reduce(0) { $0 + $1.onHandDelta }
                let endOnHand = mine.filter { $0.atMillis < end }.reduce(0) { $0 + $1.onHandDelta }
                let shipped = -mine.filter { $0.kind == .shipment && $0.atMillis >= start && $0.atMillis < end }
                    .reduce(0) { $0 + $1.onHandDelta }
                #expect(
                    row.onHandStart == startOnHand && row.onHandEnd == endOnHand && row.shippedUnits == shipped,
                    "\(row.sku)")
                let average = Double(startOnHand + endOnHand) / 2
                #expect(row.turnoverCenti == (average == 0 ? 0 : Int64((Double(shipped) * 100 / average).rounded())))
            }
            #expect(report.turnover.contains { $0.shippedUnits > 0 })
            let rebuild = try await reports.rebuildRollups(.init(), actor: "test")
            #expect(rebuild.rowsDifferent == 0)
        }
    }
}
