import ArgumentParser
import OMSClient

struct StockValuationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "valuation",
        abstract: "Stock value: on hand × moving-average unit cost per sku and warehouse.",
        discussion: """
            The average is per sku over all warehouses, updated by each receipt as
            (on hand × average + received × cost) / (on hand + received), rounded half up
            to a minor unit. --as-of (Unix ms) values the stock as it was then. Totals per
            currency go to standard error in table mode.

            EXAMPLES
              omsctl stock valuation
              omsctl stock valuation --sku MUG-350 --as-of 1767225600000 -o json
            """
    )

    @Option var sku: String = ""
    @Option var warehouse: String = ""
    @Option(name: .customLong("as-of"), help: ArgumentHelp("Value as of this time (Unix ms).", valueName: "ms"))
    var asOf: Int64 = 0

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let valuation = try await global.withClient { client in
            try await client.inventory.valuation(sku: sku, warehouse: warehouse, asOfMillis: asOf)
        }
        StockTables.print(
            header: ["sku", "warehouseCode", "onHand", "unitCostMinor", "valueMinor", "currencyCode"],
            rows: valuation.lines.map {
                [
                    $0.sku, $0.warehouseCode, String($0.onHand), String($0.unitCostMinor), String($0.valueMinor),
                    $0.currencyCode,
                ]
            }, numeric: ["onHand", "unitCostMinor", "valueMinor"], format: global.output)
        if global.output == .table {
            for total in valuation.totals {
                Console.error(
                    "total \(MoneyText.display(currency: total.currencyCode, amountMinor: total.amountMinor))")
            }
        }
    }
}
