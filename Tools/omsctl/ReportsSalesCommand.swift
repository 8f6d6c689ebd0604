import ArgumentParser
import Foundation
import OMSClient

struct ReportsSalesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sales",
        abstract: "Revenue, orders, units, average order value, discounts and refunds.",
        discussion: """
            One row per period (--by), dimension value (--dimension) and currency.
            Revenue of order-level rows (none, channel, customer) is the orders' total;
            of line-level rows (sku, warehouse) the lines' net. AOV = revenue / orders,
            rounded half away from zero. CSV and JSON carry minor units.
            --export FILE writes the report to FILE.csv or FILE.xlsx as well (streamed
            by the server).
            """)

    @OptionGroup var range: ReportRangeOptions
    @Option(help: ArgumentHelp("Period: day, week (ISO, from Monday), month or total.", valueName: "period"))
    var by: ReportPeriodArgument = .day
    @Option(help: ArgumentHelp("none, channel, sku, customer or warehouse.", valueName: "dimension"))
    var dimension: SalesDimensionArgument = .none
    @Option(help: ArgumentHelp("Only this currency (ISO 4217).", valueName: "code"))
    var currency: String = ""
    @Option(
        name: .customLong("channel"), help: ArgumentHelp("Only this channel; repeat for more.", valueName: "channel"))
    var channels: [String] = []
    @Option(name: .customLong("sku"), help: ArgumentHelp("Only this sku (needs --dimension sku).", valueName: "sku"))
    var skus: [String] = []
    @Option(
        name: .customLong("customer"),
        help: ArgumentHelp("Only this customer (needs --dimension customer).", valueName: "id"))
    var customers: [String] = []
    @Option(
        name: .customLong("warehouse"),
        help: ArgumentHelp("Only this warehouse (needs --dimension warehouse).", valueName: "code"))
    var warehouses: [String] = []
    @Option(help: ArgumentHelp("Also draw revenue as bar or sparkline (table output).", valueName: "chart"))
    var chart: ReportChart?
    @Option(help: ArgumentHelp("Also write the report to a .csv or .xlsx file.", valueName: "file"))
    var export: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let export { _ = try ReportExportFile.format(of: export) }
    }

    var request: Oms_V1_SalesReportRequest {
        .with {
            $0.range = range.range
            $0.period = by.proto
            $0.dimension = dimension.proto
            $0.currencyCode = currency.uppercased()
            $0.channels = channels
            $0.skus = skus
            $0.customerIds = customers
            $0.warehouseCodes = warehouses
        }
    }

    func run() async throws {
        let request = self.request
        let response = try await global.withClient { client in
            let response = try await client.reports.sales(request)
            if let export {
                let bytes = try await ReportExportFile.write(
                    client: client, request: .with { $0.sales = request }, to: export)
                Console.error("exported \(bytes) bytes to \(export)")
            }
            return response
        }
        let rows = response.rows
        switch global.output {
        case .json:
            Console.out(
                JSONWriter.render(
                    .array(
                        rows.map { r in
                            .object([
                                "periodStart": .string(r.periodStart), "key": .string(r.key),
                                "currencyCode": .string(r.currencyCode), "orders": .int64(r.orders),
                                "units": .int64(r.units), "revenueMinor": .int64(r.revenueMinor),
                                "averageOrderValueMinor": .int64(r.averageOrderValueMinor),
                                "discountMinor": .int64(r.discountMinor), "taxMinor": .int64(r.taxMinor),
                                "shippingMinor": .int64(r.shippingMinor), "refundedMinor": .int64(r.refundedMinor),
                                "cancelledOrders": .int64(r.cancelledOrders),
                            ])
                        })))
        case .csv:
            var csv = CSVWriter(header: Self.csvHeader)
            for r in rows { csv.appendRow(Self.csvFields(r)) }
            Console.out(csv.text)
        case .table:
            if rows.isEmpty {
                Console.error("no sales in \(request.range!.fromDate) .. \(request.range!.toDate) (\(range.tz))")
                return
            }
            var table = TableFormatter(
                columns: [
                    .init(title: "period"),
                    .init(title: dimension == .none ? "" : dimension.rawValue, shrinkable: true),
                    .init(title: "cur"), .init(title: "orders", alignRight: true),
                    .init(title: "units", alignRight: true), .init(title: "revenue", alignRight: true),
                    .init(title: "aov", alignRight: true), .init(title: "discount", alignRight: true),
                    .init(title: "refunded", alignRight: true), .init(title: "cancelled", alignRight: true),
                ], width: Console.width)
            for r in rows {
                let money = { (value: Int64) in MoneyText.decimal(value, currency: r.currencyCode) }
                table.append([
                    r.periodStart.isEmpty ? "total" : r.periodStart, r.key, r.currencyCode, String(r.orders),
                    String(r.units), money(r.revenueMinor), money(r.averageOrderValueMinor), money(r.discountMinor),
                    money(r.refundedMinor), String(r.cancelledOrders),
                ])
            }
            Console.out(table.render())
            if let chart { Console.out("\n" + Self.chart(rows, chart)) }
        }
    }

    static let csvHeader = [
        "period_start", "key", "currency_code", "orders", "units", "revenue_minor", "average_order_value_minor",
        "discount_minor", "tax_minor", "shipping_minor", "refunded_minor", "cancelled_orders",
    ]

    static func csvFields(_ r: Oms_V1_SalesReportRow) -> [String] {
        [
            r.periodStart, r.key, r.currencyCode, String(r.orders), String(r.units), String(r.revenueMinor),
            String(r.averageOrderValueMinor), String(r.discountMinor), String(r.taxMinor), String(r.shippingMinor),
            String(r.refundedMinor), String(r.cancelledOrders),
        ]
    }

    /// Revenue as bars (one per row) or sparklines (one per key and currency over the periods).
    static func chart(_ rows: [Oms_V1_SalesReportRow], _ chart: ReportChart) -> String {
        switch chart {
        case .bar:
            return ReportsChart.bars(
                rows.map {
                    (
                        [$0.periodStart.isEmpty ? "total" : $0.periodStart, $0.key, $0.currencyCode]
                            .filter { !$0.isEmpty }.joined(separator: " "),
                        $0.currencyCode, $0.revenueMinor, MoneyText.decimal($0.revenueMinor, currency: $0.currencyCode)
                    )
                }, width: Console.width)
        case .sparkline:
            let periods = Array(Set(rows.map(\.periodStart))).sorted()
            var series: [String: [Int64]] = [:]
            for row in rows {
                let name = [row.key, row.currencyCode].filter { !$0.isEmpty }.joined(separator: " ")
                var values = series[name] ?? [Int64](repeating: 0, count: periods.count)
                values[periods.firstIndex(of: row.periodStart)!] += row.revenueMinor
                series[name] = values
            }
            let width = series.keys.map(\.count).max() ?? 0
            var lines = ["revenue \(periods.first ?? "") .. \(periods.last ?? "")"]
            for (name, values) in series.sorted(by: { $0.key < $1.key }) {
                lines.append(name.padded(to: width) + "  " + ReportsChart.sparkline(values))
            }
            return lines.joined(separator: "\n")
        }
    }
}

enum SalesDimensionArgument: String, CaseIterable, ExpressibleByArgument {
    case none, channel, sku, customer, warehouse
    var proto: Oms_V1_SalesDimension {
        switch self {
        case .none: .none
        case .channel: .channel
        case .sku: .sku
        case .customer: .customer
        case .warehouse: .warehouse
        }
    }
}
