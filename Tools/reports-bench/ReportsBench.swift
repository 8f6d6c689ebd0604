import Foundation
import OMSCore
import OMSProto

/// Loads orders through the domain API (Orders.create on the single writer,
/// group commit, rollups in the same batch) with a manual clock that spreads
/// them over time, then times SalesReport (day × channel) in-process.
///
///     oms-reports-bench <data-dir> <orders> <first-day-offset> <days> <report-runs>
///
/// Appends to an existing database: run it again with a later day offset to
/// grow the data set. Prints one JSON object.
@main
struct ReportsBench {
    static let channels = ["web", "marketplace", "phone", "erp"]
    static let skus = (0..<50).map { "BENCH-\($0)" }
    static let start: Int64 = 1_767_225_600_000  // 2026-01-01T00:00Z
    static let dayMillis: Int64 = 86_400_000

    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 6, let count = Int(arguments[2]), let firstDay = Int64(arguments[3]),
            let days = Int64(arguments[4]), let runs = Int(arguments[5])
        else {
            FileHandle.standardError.write(Data("usage: oms-reports-bench <data-dir> <orders> <first-day> <days> <report-runs>\n".utf8))
            exit(2)
        }
        let clock = ManualClock(millis: start + firstDay * dayMillis)
        let store = try OMSStore(path: arguments[1], clock: clock)
        defer { store.close() }
        var policy = OrderPolicy.defaults
        policy.duplicateWindowMillis = 0
        let orders = Orders(store: store, policy: policy)
        let inventory = Inventory(store: store)
        if (try? inventory.stock(.with { $0.sku = skus[0] }))?.onHand ?? 0 == 0 {
            _ = try await inventory.createWarehouse(.with { $0.warehouse = .with { $0.code = "BENCH"; $0.priority = 1 } }, actor: "bench")
            for sku in skus {
                _ = try await inventory.adjustStock(
                    .with {
                        $0.sku = sku
                        $0.warehouseCode = "BENCH"
                        $0.delta = 1_000_000_000
                        $0.reason = "bench"
                    }, actor: "bench")
            }
        }
        // Load: a window of concurrent creates so the writer groups them. A
        // group's orders share one timestamp (the writer reads the clock per
        // command as it runs), so the window shrinks for small loads to keep
        // groups within about an hour of simulated time.
        let step = max(1, days * dayMillis / Int64(max(count, 1)))
        let window = Int(max(1, min(512, 3_600_000 / step)))
        var generator = SplitMix(state: UInt64(firstDay) &+ 17)
        let loadStart = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<count {
                if index >= window { try await group.next() }
                clock.advance(millis: step)
                let currency = generator.below(5) == 0 ? "EUR" : "USD"
                let request = Oms_V1_CreateOrderRequest.with {
                    $0.order = .with {
                        $0.customerID = "CUST-\(generator.below(100_000))"
                        $0.channel = channels[generator.below(channels.count)]
                        $0.currencyCode = currency
                        $0.shippingAddress = .with {
                            $0.line1 = "1 Main St"
                            $0.city = "Berlin"
                            $0.countryCode = "DE"
                        }
                        $0.lines = (0...generator.below(3)).map { _ in
                            .with {
                                $0.sku = skus[generator.below(skus.count)]
                                $0.quantity = Int64(1 + generator.below(4))
                                $0.unitPrice = .with {
                                    $0.currencyCode = currency
                                    $0.amountMinor = Int64(100 + generator.below(10_000))
                                }
                            }
                        }
                    }
                }
                group.addTask { _ = try await orders.create(request, actor: "bench") }
            }
            try await group.waitForAll()
        }
        let loadSeconds = Date().timeIntervalSince(loadStart)

        // Report: day × channel over the loaded days, in UTC.
        let reports = Reports(store: store)
        func date(_ day: Int64) -> String {
            let c = Calendar(identifier: .gregorian).dateComponents(
                in: TimeZone(identifier: "UTC")!, from: Date(timeIntervalSince1970: Double(start + day * dayMillis) / 1000))
            return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
        }
        let request = Oms_V1_SalesReportRequest.with {
            $0.range = .with {
                $0.fromDate = date(firstDay)
                $0.toDate = date(firstDay + days - 1)
            }
            $0.period = .day
            $0.dimension = .channel
        }
        var timings: [Double] = []
        var response = Oms_V1_SalesReportResponse()
        for _ in 0..<max(1, runs) {
            let begin = DispatchTime.now().uptimeNanoseconds
            response = try reports.sales(request)
            timings.append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e6)
        }
        timings.sort()
        // The same report in a zone off UTC: whole UTC days do not line up,
        // so it reads the half-hour rows.
        var zoned = request
        zoned.range!.timeZone = "America/New_York"
        var zonedTimings: [Double] = []
        var zonedResponse = Oms_V1_SalesReportResponse()
        for _ in 0..<max(1, runs / 4) {
            let begin = DispatchTime.now().uptimeNanoseconds
            zonedResponse = try reports.sales(zoned)
            zonedTimings.append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e6)
        }
        zonedTimings.sort()
        let ordersInReport = response.rows.reduce(Int64(0)) { $0 + $1.orders + $1.cancelledOrders }

        // Export: CSV of sales by day × customer over the same range (about one
        // row per order), chunks dropped as they come; memory is sampled.
        func residentBytes() -> Int {
            guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
            let fields = statm.split(separator: " ")
            return fields.count > 1 ? (Int(fields[1]) ?? 0) * 4096 : 0
        }
        var exportRequest = Oms_V1_ExportReportRequest()
        exportRequest.format = .csv
        exportRequest.sales = .with {
            $0.range = request.range!
            $0.period = .day
            $0.dimension = .customer
        }
        let rssBefore = residentBytes()
        var rssPeak = rssBefore
        let exportStart = DispatchTime.now().uptimeNanoseconds
        var export = try ReportExport(exportRequest, store: store)
        var exportBytes = 0
        var exportRows: Int64 = 0
        var chunks = 0
        while let chunk = try export.next() {
            exportBytes += chunk.data.count
            chunks += 1
            if chunk.last { exportRows = chunk.rows }
            if chunks % 64 == 0 { rssPeak = max(rssPeak, residentBytes()) }
        }
        rssPeak = max(rssPeak, residentBytes())
        let exportSeconds = Double(DispatchTime.now().uptimeNanoseconds - exportStart) / 1e9
        let result: [String: Any] = [
            "zoned_report_ms_median": zonedTimings[zonedTimings.count / 2],
            "zoned_rollup_rows_read": zonedResponse.rollupRowsRead,
            "export_csv_rows": exportRows, "export_csv_bytes": exportBytes, "export_seconds": exportSeconds,
            "export_max_buffered_bytes": export.maxBufferedBytes, "export_rss_growth_bytes": rssPeak - rssBefore,
            "export_chunks": chunks,
            "orders_loaded": count, "load_seconds": loadSeconds, "load_rate_per_second": Double(count) / loadSeconds,
            "report_from": request.range!.fromDate, "report_to": request.range!.toDate,
            "report_rows": response.rows.count, "rollup_rows_read": response.rollupRowsRead,
            "orders_in_report": ordersInReport, "report_ms_median": timings[timings.count / 2],
            "report_ms_p90": timings[min(timings.count - 1, timings.count * 9 / 10)], "report_ms_min": timings[0],
        ]
        let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }
}

/// SplitMix64: a reproducible workload.
struct SplitMix {
    var state: UInt64
    mutating func below(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
