import ArgumentParser
import OMSClient

struct StockLocationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "locations",
        abstract: "Create and list the locations (bins) of a warehouse.",
        discussion: """
            Stock is held per sku × warehouse × location; stock that names no location is
            the warehouse's unassigned stock (shown as location "-").

            EXAMPLES
              omsctl stock locations create MAIN A-01-03 --zone A --aisle 01 --bin 03
              omsctl stock locations list MAIN -o json
            """,
        subcommands: [StockLocationsCreateCommand.self, StockLocationsListCommand.self]
    )

    static func print(_ locations: [Oms_V1_Location], format: OutputFormat) {
        let header = ["warehouseCode", "code", "zone", "aisle", "bin", "name", "createdAtMillis"]
        let rows = locations.map {
            [$0.warehouseCode, $0.code, $0.zone, $0.aisle, $0.bin, $0.name, String($0.createdAtMillis)]
        }
        StockTables.print(header: header, rows: rows, numeric: ["createdAtMillis"], format: format)
    }
}

struct StockLocationsCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a location (exit 6 if the code exists in the warehouse).")

    @Argument(help: ArgumentHelp("The warehouse code.", valueName: "warehouse"))
    var warehouse: String

    @Argument(help: ArgumentHelp("The location code, unique in the warehouse.", valueName: "code"))
    var code: String

    @Option var zone: String = ""
    @Option var aisle: String = ""
    @Option var bin: String = ""
    @Option var name: String = ""

    @Option(
        name: .customLong("request-id"), help: ArgumentHelp("Idempotency key (default: generated).", valueName: "id"))
    var requestID: String?

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let location = try await global.withClient { client in
            try await client.inventory.createLocation(
                warehouse: warehouse, code: code, zone: zone, aisle: aisle, bin: bin, name: name, requestID: requestID)
        }
        StockLocationsCommand.print([location], format: global.output)
    }
}

struct StockLocationsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List a warehouse's locations in code order (every page).")

    @Argument(help: ArgumentHelp("The warehouse code.", valueName: "warehouse"))
    var warehouse: String

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let locations = try await global.withClient { client in
            var all: [Oms_V1_Location] = []
            var token: String?
            repeat {
                let page = try await client.inventory.locations(warehouse: warehouse, pageSize: 1000, pageToken: token)
                all += page.items
                token = page.nextPageToken
            } while token != nil
            return all
        }
        StockLocationsCommand.print(locations, format: global.output)
    }
}
