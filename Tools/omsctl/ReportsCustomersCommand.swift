import ArgumentParser
import OMSClient

struct ReportsCustomersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customers",
        abstract: "Top customers by revenue, new vs repeat, tiers and ratings.")

    @OptionGroup var range: ReportRangeOptions
    @Option(help: ArgumentHelp("Top customers per currency (1-1000).", valueName: "n"))
    var top: Int32 = 10
    @Option(help: ArgumentHelp("Only this currency (ISO 4217).", valueName: "code"))
    var currency: String = ""
    @Option(help: ArgumentHelp("Also draw top-customer revenue as bars (table output).", valueName: "chart"))
    var chart: ReportChart?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if !(1...1000).contains(top) { throw ValidationError("--top must be from 1 to 1000") }
    }

    func run() async throws {
        let request = Oms_V1_CustomerReportRequest.with {
            $0.range = range.range
            $0.top = top
            $0.currencyCode = currency.uppercased()
        }
        let r = try await global.withClient { client in try await client.reports.customers(request) }
        switch global.output {
        case .json:
            Console.out(
                JSONWriter.render(
                    .object([
                        "topCustomers": .array(
                            r.topCustomers.map {
                                .object([
                                    "customerId": .string($0.customerID), "currencyCode": .string($0.currencyCode),
                                    "orders": .int64($0.orders), "revenueMinor": .int64($0.revenueMinor),
                                    "tier": .string($0.tier), "newCustomer": .bool($0.newCustomer),
                                ])
                            }),
                        "activeCustomers": .int64(r.activeCustomers), "newCustomers": .int64(r.newCustomers),
                        "repeatCustomers": .int64(r.repeatCustomers),
                        "tiers": .array(
                            r.tiers.map {
                                .object([
                                    "tier": .string($0.tier), "currencyCode": .string($0.currencyCode),
                                    "customers": .int64($0.customers), "orders": .int64($0.orders),
                                    "revenueMinor": .int64($0.revenueMinor),
                                ])
                            }),
                        "ratingsByStars": .array(r.ratingsByStars.map { .int64($0) }),
                        "ratingsCount": .int64(r.ratingsCount), "averageRatingCenti": .int64(r.averageRatingCenti),
                    ])))
        case .csv:
            var csv = CSVWriter(header: [
                "customer_id", "currency_code", "orders", "revenue_minor", "tier", "new_customer",
            ])
            for c in r.topCustomers {
                csv.appendRow([
                    c.customerID, c.currencyCode, String(c.orders), String(c.revenueMinor), c.tier,
                    String(c.newCustomer),
                ])
            }
            Console.out(csv.text)
        case .table:
            var table = TableFormatter(
                columns: [
                    .init(title: "customer", shrinkable: true), .init(title: "cur"),
                    .init(title: "orders", alignRight: true), .init(title: "revenue", alignRight: true),
                    .init(title: "tier"), .init(title: "new"),
                ], width: Console.width)
            for c in r.topCustomers {
                table.append([
                    c.customerID.isEmpty ? "(none)" : c.customerID, c.currencyCode, String(c.orders),
                    MoneyText.decimal(c.revenueMinor, currency: c.currencyCode), c.tier, c.newCustomer ? "yes" : "",
                ])
            }
            Console.out(table.render())
            Console.out(
                "\nactive \(r.activeCustomers), new \(r.newCustomers), repeat \(r.repeatCustomers); ratings \(r.ratingsCount)"
                    + (r.ratingsCount > 0
                        ? ", average \(MoneyText.decimal(r.averageRatingCenti, places: 2)) stars" : ""))
            if !r.tiers.isEmpty {
                var tiers = TableFormatter(
                    columns: [
                        .init(title: "tier"), .init(title: "cur"), .init(title: "customers", alignRight: true),
                        .init(title: "orders", alignRight: true), .init(title: "revenue", alignRight: true),
                    ], width: Console.width)
                for t in r.tiers {
                    tiers.append([
                        t.tier.isEmpty ? "(none)" : t.tier, t.currencyCode, String(t.customers), String(t.orders),
                        MoneyText.decimal(t.revenueMinor, currency: t.currencyCode),
                    ])
                }
                Console.out("\n" + tiers.render())
            }
            if chart != nil {
                Console.out(
                    "\n"
                        + ReportsChart.bars(
                            r.topCustomers.map {
                                (
                                    "\($0.customerID) \($0.currencyCode)", $0.currencyCode, $0.revenueMinor,
                                    MoneyText.decimal($0.revenueMinor, currency: $0.currencyCode)
                                )
                            }, width: Console.width))
            }
        }
    }
}
