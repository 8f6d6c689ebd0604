import Foundation
import OMSCore
import OMSProto
import Storage
import Testing

@Suite("Sales report and rollups")
struct ReportSalesTests {
    /// 2026-03-01T00:00Z: the workload crosses the US switch to daylight time (2026-03-08).
    static let start: Int64 = 1_772_323_200_000

    func range(_ from: String, _ to: String, _ zone: String) -> Oms_V1_ReportRange {
        .with {
            $0.fromDate = from
            $0.toDate = to
            $0.timeZone = zone
        }
    }

    @Test("every dimension, period, zone and filter equals a brute-force computation over the raw orders")
    func salesMatchBruteForce() async throws {
        try await withOrderFixture { f in
            f.clock.set(millis: Self.start)
            try await ReportWorkload.run(f, seed: 42, steps: 400)
            let orders = try ReportWorkload.allOrders(f)
            #expect(orders.count > 100)
            #expect(orders.contains { $0.status == .cancelled })
            #expect(orders.contains { $0.totals!.refundedMinor > 0 })
            #expect(orders.contains { $0.status == .partiallyShipped })
            #expect(
                Set(orders.flatMap { $0.lines.flatMap { $0.reservations.map(\.warehouseCode) } }) == ["MAIN", "EAST"])
            #expect(Set(orders.map(\.currencyCode)) == ["USD", "EUR"])
            let reports = Reports(store: f.store)
            var compared = 0
            for zone in ["UTC", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"] {
                for period in [Oms_V1_ReportPeriod.day, .week, .month, .total] {
                    for dimension in [Oms_V1_SalesDimension.none, .channel, .sku, .customer, .warehouse] {
                        let request = Oms_V1_SalesReportRequest.with {
                            $0.range = range("2026-03-02", "2026-04-30", zone)
                            $0.period = period
                            $0.dimension = dimension
                        }
                        let actual = try reports.sales(request).rows
                        let expected = ReportWorkload.expectedSales(orders, request)
                        #expect(actual == expected, "\(zone) \(period) \(dimension)")
                        compared += actual.count
                    }
                }
            }
            #expect(compared > 1000)
            // Filters.
            let filtered: [Oms_V1_SalesReportRequest] = [
                .with {
                    $0.range = range("2026-03-01", "2026-03-20", "Europe/Berlin")
                    $0.dimension = .channel
                    $0.channels = ["web", "phone"]
                    $0.currencyCode = "EUR"
                },
                .with {
                    $0.range = range("2026-03-03", "2026-03-09", "America/Los_Angeles")
                    $0.dimension = .sku
                    $0.skus = ["SKU-B"]
                    $0.channels = ["marketplace"]
                },
                .with {
                    $0.range = range("2026-03-01", "2026-05-01", "UTC")
                    $0.dimension = .customer
                    $0.customerIds = ["C2", ""]
                    $0.period = .week
                },
                .with {
                    $0.range = range("2026-03-05", "2026-04-30", "Asia/Kolkata")
                    $0.dimension = .warehouse
                    $0.warehouseCodes = ["EAST"]
                    $0.currencyCode = "USD"
                },
            ]
            for request in filtered {
                let actual = try reports.sales(request).rows
                #expect(!actual.isEmpty, "\(request)")
                #expect(actual == ReportWorkload.expectedSales(orders, request), "\(request)")
            }
        }
    }

    @Test("RebuildRollups recomputes exactly what the writes maintained, and repairs a damaged row")
    func rebuildEqualsIncremental() async throws {
        try await withOrderFixture { f in
            f.clock.set(millis: Self.start)
            try await ReportWorkload.run(f, seed: 7, steps: 300)
            let reports = Reports(store: f.store)
            let check = try await reports.rebuildRollups(.with { $0.maxDifferences = 5 }, actor: "test")
            #expect(check.ordersScanned > 100)
            #expect(check.rowsExpected > 100)
            #expect(check.rowsStored == check.rowsExpected)
            #expect(check.rowsDifferent == 0)
            #expect(check.differences == [])

            // Damage: change one row, drop another, add a stray one.
            let rows = try f.store.database.scan(f.store.families.rollups, from: [], to: [0x20], limit: Int.max)
            try f.store.database.put(f.store.families.rollups, rows[0].key, [UInt8](repeating: 1, count: 64))
            try f.store.database.delete(f.store.families.rollups, rows[rows.count / 2].key)
            try f.store.database.put(
                f.store.families.rollups, [0x01, 0, 0, 0, 1, 0x55, 0, 0, 0x77, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0])
            let damaged = try await reports.rebuildRollups(.with { $0.maxDifferences = 10 }, actor: "test")
            #expect(damaged.rowsDifferent == 3)
            #expect(damaged.differences.count == 3)
            #expect(damaged.differences.allSatisfy { $0.key.hasPrefix("sales_by_") || $0.key.hasPrefix("fulfilment_") })
            #expect(!damaged.repaired)
            let repaired = try await reports.rebuildRollups(.with { $0.repair = true }, actor: "test")
            #expect(repaired.repaired)
            #expect(repaired.rowsDifferent == 3)
            let after = try await reports.rebuildRollups(.init(), actor: "test")
            #expect(after.rowsDifferent == 0)
        }
    }

    @Test("a zero-total change touches no rollup row; a cancellation moves the order to cancelled")
    func cancellationAndAverage() async throws {
        try await withOrderFixture { f in
            f.clock.set(millis: Self.start + 23 * 3_600_000 + 45 * 60_000)  // 23:45 UTC
            try await f.standardSetup(mainA: 10, mainB: 10)
            let a = try await f.create([("SKU-A", 1)])  // 10.00 + tax 0
            let b = try await f.create([("SKU-B", 1)], channel: "phone")  // 2.50
            _ = try await f.create([("SKU-B", 2)])  // 5.00
            let reports = Reports(store: f.store)
            func day(_ zone: String) throws -> [Oms_V1_SalesReportRow] {
                try reports.sales(
                    .with {
                        $0.range = range("2026-03-01", "2026-03-02", zone)
                        $0.dimension = .none
                    }
                ).rows
            }
            var rows = try day("UTC")
            #expect(rows.count == 1)
            #expect(rows[0].periodStart == "2026-03-01")
            #expect(rows[0].orders == 3)
            #expect(rows[0].revenueMinor == 1750)
            #expect(rows[0].averageOrderValueMinor == 583)  // 583.33 → 583
            // 23:45 UTC is already the next day in Berlin.
            #expect(try day("Europe/Berlin").map(\.periodStart) == ["2026-03-02"])
            _ = try await f.cancel(a.id)
            rows = try day("UTC")
            #expect(rows[0].orders == 2)
            #expect(rows[0].cancelledOrders == 1)
            #expect(rows[0].revenueMinor == 750)
            #expect(rows[0].averageOrderValueMinor == 375)  // 375 exactly
            _ = try await f.pay(b.id, 250)
            #expect(try day("UTC") == rows)  // payment does not move sales
        }
    }

    @Test("bad requests name the field and change nothing")
    func validation() throws {
        try withOrderFixtureSync { f in
            let reports = Reports(store: f.store)
            func field(_ request: Oms_V1_SalesReportRequest) -> String? {
                do {
                    _ = try reports.sales(request)
                    return nil
                } catch let error as DomainError {
                    return error.violations.first?.field
                } catch {
                    return "unexpected \(error)"
                }
            }
            #expect(field(.with { $0.range = range("2026-13-01", "2026-12-31", "UTC") }) == "range.from_date")
            #expect(field(.with { $0.range = range("2026-02-01", "2026-02-30", "UTC") }) == "range.to_date")
            #expect(field(.with { $0.range = range("2026-02-01", "2026-01-30", "UTC") }) == "range.to_date")
            #expect(field(.with { $0.range = range("2026-02-01", "2026-02-03", "Mars/Olympus") }) == "range.time_zone")
            #expect(
                field(.with { $0.range = range("2026-02-01", "2026-02-03", "Asia/Kathmandu") }) == "range.time_zone")
            #expect(field(.with { $0.range = range("2000-01-01", "2026-02-03", "UTC") }) == "range.to_date")
            #expect(
                field(
                    .with {
                        $0.range = range("2026-02-01", "2026-02-03", "UTC")
                        $0.currencyCode = "usd"
                    }) == "currency_code")
            #expect(
                field(
                    .with {
                        $0.range = range("2026-02-01", "2026-02-03", "UTC")
                        $0.skus = ["SKU-A"]
                    }) == "skus")
            #expect(
                field(
                    .with {
                        $0.range = range("2026-02-01", "2026-02-03", "UTC")
                        $0.dimension = .init(rawValue: 99)
                    }) == "dimension")
        }
    }
}

func withOrderFixtureSync(_ body: (OrderFixture) throws -> Void) throws {
    let fixture = try OrderFixture()
    defer { fixture.close() }
    try body(fixture)
}
