import Foundation
import OMSCore
import OMSProto
import Testing

/// `omsctl reports ...` against a real omsd.
@Suite("omsctl reports")
struct ReportsCommandTests {
    static func day(_ offset: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents(
            [.year, .month, .day], from: calendar.date(byAdding: .day, value: offset, to: Date())!)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    /// Orders placed now through the domain API: web 2 × 12.50 USD and
    /// 1 × 12.50 USD, marketplace 4 × 9.00 EUR.
    static func seed(_ omsd: Daemon) async throws {
        try await omsd.seed([product("LAMP-1", price: 1250)])
        let inventory = Inventory(store: omsd.daemon.store)
        _ = try await inventory.createWarehouse(
            .with {
                $0.warehouse = .with {
                    $0.code = "DC1"
                    $0.priority = 1
                }
            }, actor: "test")
        _ = try await inventory.adjustStock(
            .with {
                $0.sku = "LAMP-1"
                $0.warehouseCode = "DC1"
                $0.delta = 100
                $0.reason = "receipt"
            }, actor: "test")
        let orders = Orders(store: omsd.daemon.store)
        for (channel, currency, quantity) in [("web", "USD", 2), ("web", "USD", 1), ("marketplace", "EUR", 4)] {
            _ = try await orders.create(
                .with {
                    $0.order = .with {
                        $0.channel = channel
                        $0.currencyCode = currency
                        $0.lines = [
                            .with {
                                $0.sku = "LAMP-1"
                                $0.quantity = Int64(quantity)
                                if currency == "EUR" {
                                    $0.unitPrice = .with {
                                        $0.currencyCode = "EUR"
                                        $0.amountMinor = 900
                                    }
                                }
                            }
                        ]
                    }
                }, actor: "test")
        }
    }

    @Test("reports sales: table with a chart, JSON, CSV, and --export to .csv and .xlsx")
    func sales() async throws {
        try await withDaemon { omsd, omsctl in
            try await Self.seed(omsd)
            let range = ["--from", Self.day(-1), "--to", Self.day(1)]
            let json = try await omsctl.run(
                ["reports", "sales", "--by", "total", "--dimension", "channel", "-o", "json"] + range + omsd.flags)
            #expect(json.status == 0, "stderr: \(json.stderr)")
            let rows = try #require(try parseJSON(json.stdout) as? [[String: Any]])
            #expect(rows.map { $0["key"] as? String } == ["marketplace", "web"])
            #expect(rows.map { jsonInt64($0["revenueMinor"]) } == [3600, 3750])
            #expect(rows.map { jsonInt64($0["averageOrderValueMinor"]) } == [3600, 1875])
            #expect(rows.map { $0["currencyCode"] as? String } == ["EUR", "USD"])

            let csv = try await omsctl.run(
                ["reports", "sales", "--by", "day", "-o", "csv", "--currency", "usd"] + range + omsd.flags)
            #expect(csv.status == 0, "stderr: \(csv.stderr)")
            let table = CSV.parse(csv.stdout)
            #expect(table.first?.prefix(4) == ["period_start", "key", "currency_code", "orders"])
            #expect(table.count == 2)
            #expect(table.last?[3...5] == ["2", "3", "3750"])

            let chart = try await omsctl.run(
                ["reports", "sales", "--by", "total", "--dimension", "channel", "--chart", "bar"] + range + omsd.flags)
            #expect(chart.status == 0, "stderr: \(chart.stderr)")
            #expect(chart.stdout.contains("37.50"))
            #expect(chart.stdout.contains("█"))
            let spark = try await omsctl.run(["reports", "sales", "--chart", "sparkline"] + range + omsd.flags)
            #expect(spark.status == 0, "stderr: \(spark.stderr)")
            #expect(spark.stdout.contains("USD  "))

            let csvFile = omsctl.workspace.path + "/sales.csv"
            let export = try await omsctl.run(
                ["reports", "sales", "--by", "total", "--dimension", "sku", "--export", csvFile, "-o", "json"] + range
                    + omsd.flags)
            #expect(export.status == 0, "stderr: \(export.stderr)")
            let exported = try String(contentsOfFile: csvFile, encoding: .utf8)
            #expect(exported.hasPrefix("period_start,key,currency_code,orders,units,revenue_minor"))
            #expect(exported.contains("\r\n,LAMP-1,EUR,1,4,3600,3600,0,0,0,0,0\r\n"))
            let xlsxFile = omsctl.workspace.path + "/sales.xlsx"
            let xlsx = try await omsctl.run(["reports", "sales", "--export", xlsxFile] + range + omsd.flags)
            #expect(xlsx.status == 0, "stderr: \(xlsx.stderr)")
            let bytes = try #require(FileManager.default.contents(atPath: xlsxFile))
            #expect(bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]))
            #expect(!FileManager.default.fileExists(atPath: xlsxFile + ".partial"))
        }
    }

    @Test("reports fulfilment and rebuild; a bad zone or export name is refused with exit 2 or the server's field")
    func fulfilmentRebuildErrors() async throws {
        try await withDaemon { omsd, omsctl in
            try await Self.seed(omsd)
            let range = ["--from", Self.day(-1), "--to", Self.day(1)]
            let fulfilment = try await omsctl.run(["reports", "fulfilment", "-o", "json"] + range + omsd.flags)
            #expect(fulfilment.status == 0, "stderr: \(fulfilment.stderr)")
            let rows = try #require(try parseJSON(fulfilment.stdout) as? [[String: Any]])
            #expect(rows.count == 1)
            #expect(jsonInt64(rows.first?["orders"]) == 3)
            let table = try await omsctl.run(
                ["reports", "fulfillment", "--by", "day", "--chart", "sparkline"] + range + omsd.flags,
                environment: ["COLUMNS": "200"])
            #expect(table.status == 0, "stderr: \(table.stderr)")
            #expect(table.stdout.contains("incomplete 3"))

            let rebuild = try await omsctl.run(["reports", "rebuild", "-o", "json"] + omsd.flags)
            #expect(rebuild.status == 0, "stderr: \(rebuild.stderr)")
            let result = try #require(try parseJSON(rebuild.stdout) as? [String: Any])
            #expect(jsonInt64(result["ordersScanned"]) == 3)
            #expect(jsonInt64(result["rowsDifferent"]) == 0)

            let zone = try await omsctl.run(["reports", "sales", "--tz", "Mars/Base"] + omsd.flags)
            #expect(zone.status == 2, "stderr: \(zone.stderr)")
            let name = try await omsctl.run(["reports", "sales", "--export", "x.pdf"] + omsd.flags)
            #expect(name.status == 2, "stderr: \(name.stderr)")
            let kathmandu = try await omsctl.run(["reports", "sales", "--tz", "Asia/Kathmandu"] + omsd.flags)
            #expect(kathmandu.status != 0)
            #expect(kathmandu.stderr.contains("range.time_zone"), "stderr: \(kathmandu.stderr)")
        }
    }

    @Test("reports customers, inventory, and a saved report: define, definitions, run, runs")
    func customersInventoryDefinitions() async throws {
        try await withDaemon { omsd, omsctl in
            try await Self.seed(omsd)
            let range = ["--from", Self.day(-1), "--to", Self.day(1)]
            let customers = try await omsctl.run(["reports", "customers", "-o", "json"] + range + omsd.flags)
            #expect(customers.status == 0, "stderr: \(customers.stderr)")
            let report = try #require(try parseJSON(customers.stdout) as? [String: Any])
            let top = try #require(report["topCustomers"] as? [[String: Any]])
            #expect(top.map { jsonInt64($0["revenueMinor"]) } == [3600, 3750])

            let inventory = try await omsctl.run(["reports", "inventory", "-o", "json"] + range + omsd.flags)
            #expect(inventory.status == 0, "stderr: \(inventory.stderr)")
            let stock = try #require(try parseJSON(inventory.stdout) as? [String: Any])
            let levels = try #require(stock["levels"] as? [[String: Any]])
            #expect(levels.map { jsonInt64($0["onHand"]) } == [100])
            #expect(levels.map { jsonInt64($0["reserved"]) } == [7])
            #expect(levels.map { jsonInt64($0["valueMinor"]) } == [125_000])
            let table = try await omsctl.run(["reports", "inventory", "--chart", "bar"] + range + omsd.flags)
            #expect(table.status == 0 && table.stdout.contains("reservation"), "\(table.stdout) \(table.stderr)")

            let define = try await omsctl.run(
                [
                    "reports", "define", "--id", "by-channel", "--name", "By channel", "--dimension", "channel",
                    "--by", "total", "--last-days", "3", "--metric", "orders", "--schedule", "daily", "--at-hour", "7",
                    "-o", "json",
                ] + omsd.flags)
            #expect(define.status == 0, "stderr: \(define.stderr)")
            #expect(define.stderr.contains("next run"))
            let bad = try await omsctl.run(
                ["reports", "define", "--id", "x", "--name", "X", "--metric", "profit"] + omsd.flags)
            #expect(bad.status == 6, "stderr: \(bad.stderr)")
            #expect(bad.stderr.contains("definition.metrics[0]"), "stderr: \(bad.stderr)")
            let list = try await omsctl.run(["reports", "definitions", "-o", "json"] + omsd.flags)
            let definitions = try #require(try parseJSON(list.stdout) as? [[String: Any]])
            #expect(definitions.map { $0["id"] as? String } == ["by-channel"])
            let run = try await omsctl.run(["reports", "run", "by-channel", "-o", "csv"] + omsd.flags)
            #expect(run.status == 0, "stderr: \(run.stderr)")
            #expect(CSV.parse(run.stdout).first?.first == "period_start")
            let runs = try await omsctl.run(["reports", "runs", "by-channel", "-o", "json"] + omsd.flags)
            let stored = try #require(try parseJSON(runs.stdout) as? [[String: Any]])
            #expect(stored.count == 1)
            #expect(stored.first?["actor"] as? String == "admin")
        }
    }
}
