import ArgumentParser
import OMSClient

struct ReportsInventoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "Stock levels and value, movements by kind, turnover per sku.",
        discussion: """
            Value is on hand × unit cost; the unit cost is the catalog unit price until
            moving-average costing lands. Turnover = units shipped in the range / average
            of on hand at its start and end.
            """)

    @OptionGroup var range: ReportRangeOptions
    @Option(
        name: .customLong("warehouse"), help: ArgumentHelp("Only this warehouse; repeat for more.", valueName: "code"))
    var warehouses: [String] = []
    @Option(name: .customLong("sku"), help: ArgumentHelp("Only this sku; repeat for more.", valueName: "sku"))
    var skus: [String] = []
    @Option(help: ArgumentHelp("Also draw on-hand per sku as bars (table output).", valueName: "chart"))
    var chart: ReportChart?

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let request = Oms_V1_InventoryReportRequest.with {
            $0.range = range.range
            $0.warehouseCodes = warehouses
            $0.skus = skus
        }
        let r = try await global.withClient { client in try await client.reports.inventory(request) }
        switch global.output {
        case .json:
            Console.out(
                JSONWriter.render(
                    .object([
                        "levels": .array(
                            r.levels.map {
                                .object([
                                    "sku": .string($0.sku), "warehouseCode": .string($0.warehouseCode),
                                    "onHand": .int64($0.onHand), "reserved": .int64($0.reserved),
                                    "available": .int64($0.available), "currencyCode": .string($0.currencyCode),
                                    "unitCostMinor": .int64($0.unitCostMinor), "valueMinor": .int64($0.valueMinor),
                                ])
                            }),
                        "totalValue": .array(
                            r.totalValue.map {
                                .object([
                                    "currencyCode": .string($0.currencyCode), "amountMinor": .int64($0.amountMinor),
                                ])
                            }),
                        "movements": .array(
                            r.movements.map {
                                .object([
                                    "warehouseCode": .string($0.warehouseCode), "kind": .string($0.kind),
                                    "moves": .int64($0.moves), "onHandDelta": .int64($0.onHandDelta),
                                    "reservedDelta": .int64($0.reservedDelta),
                                ])
                            }),
                        "turnover": .array(
                            r.turnover.map {
                                .object([
                                    "sku": .string($0.sku), "shippedUnits": .int64($0.shippedUnits),
                                    "onHandStart": .int64($0.onHandStart), "onHandEnd": .int64($0.onHandEnd),
                                    "turnoverCenti": .int64($0.turnoverCenti),
                                ])
                            }),
                    ])))
        case .csv:
            var csv = CSVWriter(header: [
                "sku", "warehouse_code", "on_hand", "reserved", "available", "currency_code", "unit_cost_minor",
                "value_minor",
            ])
            for l in r.levels {
                csv.appendRow([
                    l.sku, l.warehouseCode, String(l.onHand), String(l.reserved), String(l.available), l.currencyCode,
                    String(l.unitCostMinor), String(l.valueMinor),
                ])
            }
            Console.out(csv.text)
        case .table:
            var levels = TableFormatter(
                columns: [
                    .init(title: "sku", shrinkable: true), .init(title: "warehouse"),
                    .init(title: "on hand", alignRight: true), .init(title: "reserved", alignRight: true),
                    .init(title: "available", alignRight: true), .init(title: "value", alignRight: true),
                ], width: Console.width)
            for l in r.levels {
                levels.append([
                    l.sku, l.warehouseCode, String(l.onHand), String(l.reserved), String(l.available),
                    l.currencyCode.isEmpty
                        ? "-" : MoneyText.display(currency: l.currencyCode, amountMinor: l.valueMinor),
                ])
            }
            Console.out(levels.render())
            Console.out(
                "\nvalue: "
                    + r.totalValue.map { MoneyText.display(currency: $0.currencyCode, amountMinor: $0.amountMinor) }
                    .joined(separator: ", "))
            var moves = TableFormatter(
                columns: [
                    .init(title: "warehouse"), .init(title: "kind"), .init(title: "moves", alignRight: true),
                    .init(title: "on hand Δ", alignRight: true), .init(title: "reserved Δ", alignRight: true),
                ], width: Console.width)
            for m in r.movements {
                moves.append([m.warehouseCode, m.kind, String(m.moves), String(m.onHandDelta), String(m.reservedDelta)])
            }
            Console.out("\n" + moves.render())
            var turnover = TableFormatter(
                columns: [
                    .init(title: "sku", shrinkable: true), .init(title: "shipped", alignRight: true),
                    .init(title: "start", alignRight: true), .init(title: "end", alignRight: true),
                    .init(title: "turnover", alignRight: true),
                ], width: Console.width)
            for t in r.turnover {
                turnover.append([
                    t.sku, String(t.shippedUnits), String(t.onHandStart), String(t.onHandEnd),
                    MoneyText.decimal(t.turnoverCenti, places: 2),
                ])
            }
            Console.out("\n" + turnover.render())
            if chart != nil {
                var perSKU: [String: Int64] = [:]
                for l in r.levels { perSKU[l.sku, default: 0] += l.onHand }
                Console.out(
                    "\n"
                        + ReportsChart.bars(
                            perSKU.sorted { $0.key < $1.key }.map { ($0.key, "", $0.value, String($0.value)) },
                            width: Console.width))
            }
        }
    }
}
