import Foundation
import OMSCore
import OMSProto
import Testing

@Suite("Fulfilment report")
struct ReportFulfillmentTests {
    /// Nearest-rank percentile of exact durations, reported as the upper
    /// bound of its histogram bucket (the documented precision).
    static func expectedPercentile(_ durations: [Int64], _ percent: Int) -> Int64 {
        guard !durations.isEmpty else { return 0 }
        let sorted = durations.sorted()
        let rank = max(1, (sorted.count * percent + 99) / 100)
        let value = sorted[rank - 1]
        return DurationHistogram.upperBounds.first { value < $0 } ?? DurationHistogram.upperBounds.last!
    }

    @Test("percentiles, exceptions and late shipments equal a brute-force computation per period and zone")
    func fulfilmentMatchesBruteForce() async throws {
        try await withOrderFixture { f in
            f.clock.set(millis: ReportSalesTests.start)
            try await ReportWorkload.run(f, seed: 99, steps: 400)
            let orders = try ReportWorkload.allOrders(f)
            let reports = Reports(store: f.store)
            var stagesSeen = 0
            for zone in ["UTC", "America/New_York", "Asia/Kolkata"] {
                for period in [Oms_V1_ReportPeriod.total, .day, .week] {
                    for channels in [[], ["web", "erp"]] {
                        let request = Oms_V1_FulfillmentReportRequest.with {
                            $0.range = .with {
                                $0.fromDate = "2026-03-02"
                                $0.toDate = "2026-03-31"
                                $0.timeZone = zone
                            }
                            $0.period = period
                            $0.channels = channels
                            $0.lateAfterHours = 20
                        }
                        let response = try reports.fulfillment(request)
                        let tz = TimeZone(identifier: zone)!
                        var byPeriod: [String: [Oms_V1_Order]] = [:]
                        for order in orders {
                            let day = ReportWorkload.label(ReportWorkload.localDate(order.createdAtMillis, zone: tz))
                            guard day >= "2026-03-02", day <= "2026-03-31" else { continue }
                            if !channels.isEmpty && !channels.contains(order.channel) { continue }
                            byPeriod[
                                ReportWorkload.periodLabel(order.createdAtMillis, zone: tz, period: period), default: []
                            ]
                            .append(order)
                        }
                        let late = DurationHistogram.upperBounds.first { $0 >= 20 * 3_600_000 }!
                        for row in response.rows {
                            let group = byPeriod[row.periodStart] ?? []
                            #expect(row.orders == Int64(group.count), "\(zone) \(period) \(row.periodStart)")
                            #expect(row.lateThresholdMillis == late)
                            let payment = group.filter { $0.paidAtMillis > 0 }.map {
                                $0.paidAtMillis - $0.createdAtMillis
                            }
                            let shipment = group.compactMap { order in
                                order.shipments.map(\.shippedAtMillis).min().map { $0 - order.createdAtMillis }
                            }
                            let delivery = group.filter { $0.deliveredAtMillis > 0 }.map {
                                $0.deliveredAtMillis - $0.createdAtMillis
                            }
                            for (stage, durations) in [
                                (Oms_V1_FulfillmentStage.payment, payment), (.shipment, shipment),
                                (.delivery, delivery),
                            ] {
                                let actual = row.stages.first { $0.stage == stage }
                                #expect(actual?.count == Int64(durations.count), "\(stage)")
                                #expect(actual?.p50Millis == Self.expectedPercentile(durations, 50))
                                #expect(actual?.p90Millis == Self.expectedPercentile(durations, 90))
                                #expect(actual?.p99Millis == Self.expectedPercentile(durations, 99))
                                if !durations.isEmpty { stagesSeen += 1 }
                            }
                            #expect(row.lateShipments == Int64(shipment.filter { $0 >= late }.count))
                            var reasons: [String: Int64] = [:]
                            for order in group {
                                for flag in Set(order.flags) {
                                    let name: String? =
                                        switch flag {
                                        case .incomplete: "incomplete"
                                        case .abnormalAmount: "abnormal_amount"
                                        case .possibleDuplicate: "possible_duplicate"
                                        case .deliveryException: "delivery_exception"
                                        default: nil
                                        }
                                    if let name { reasons[name, default: 0] += 1 }
                                }
                            }
                            #expect(
                                Dictionary(uniqueKeysWithValues: row.exceptions.map { ($0.reason, $0.orders) })
                                    == reasons)
                        }
                        #expect(
                            Set(response.rows.filter { $0.orders > 0 }.map(\.periodStart))
                                == Set(byPeriod.keys))
                    }
                }
            }
            #expect(stagesSeen > 50)
            #expect(orders.contains { $0.flags.contains(.deliveryException) })
        }
    }

    @Test("histogram buckets: bounds grow by 5/4, percentiles are bucket bounds, thresholds round up")
    func histogram() {
        #expect(DurationHistogram.upperBounds.count == 64)
        #expect(DurationHistogram.upperBounds[0] == 60_000)
        #expect(DurationHistogram.upperBounds[1] == 75_000)
        #expect(DurationHistogram.bucket(millis: 0) == 0)
        #expect(DurationHistogram.bucket(millis: 59_999) == 0)
        #expect(DurationHistogram.bucket(millis: 60_000) == 1)
        #expect(DurationHistogram.bucket(millis: Int64.max) == 63)
        var counts = [Int64](repeating: 0, count: 64)
        counts[2] = 90
        counts[10] = 10
        #expect(DurationHistogram.percentile(counts, percent: 50) == DurationHistogram.upperBounds[2])
        #expect(DurationHistogram.percentile(counts, percent: 90) == DurationHistogram.upperBounds[2])
        #expect(DurationHistogram.percentile(counts, percent: 91) == DurationHistogram.upperBounds[10])
        let threshold = DurationHistogram.threshold(atLeast: 70_000)
        #expect(threshold.millis == 75_000)
        #expect(threshold.firstBucket == 2)
    }
}
