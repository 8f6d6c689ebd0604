import ArgumentParser
import OMSClient

struct StockListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "On hand per sku × warehouse × location: by product, warehouse or location.",
        discussion: """
            Give --sku (every warehouse and location of the product), --warehouse (all it
            holds, optionally one --location), or both. Fetches every page. Location "-"
            is the warehouse's unassigned stock.

            EXAMPLES
              omsctl stock list --sku MUG-350
              omsctl stock list --warehouse MAIN --location A-01-03 -o csv
            """
    )

    @Option(help: ArgumentHelp("Only this sku.", valueName: "sku"))
    var sku: String = ""

    @Option(help: ArgumentHelp("Only this warehouse.", valueName: "code"))
    var warehouse: String = ""

    @Option(help: ArgumentHelp("Only this location (needs --warehouse).", valueName: "code"))
    var location: String = ""

    @Flag(name: .customLong("include-empty"), help: "Also rows whose on hand is zero.")
    var includeEmpty = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if sku.isEmpty && warehouse.isEmpty { throw ValidationError("give --sku, --warehouse or both") }
        if !location.isEmpty && warehouse.isEmpty { throw ValidationError("--location needs --warehouse") }
    }

    func run() async throws {
        let rows = try await global.withClient { client in
            var all: [Oms_V1_LocationStock] = []
            var token: String?
            repeat {
                let page = try await client.inventory.listStock(
                    sku: sku, warehouse: warehouse, location: location, includeEmpty: includeEmpty, pageSize: 1000,
                    pageToken: token)
                all += page.items
                token = page.nextPageToken
            } while token != nil
            return all
        }
        StockTables.print(
            header: ["sku", "warehouseCode", "locationCode", "onHand"],
            rows: rows.map { [$0.sku, $0.warehouseCode, $0.locationCode, String($0.onHand)] }, numeric: ["onHand"],
            format: global.output)
    }
}
