import ArgumentParser
import OMSClient

struct StockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stock",
        abstract: "Show and adjust stock levels per sku and warehouse.",
        discussion: """
            Available = on hand − reserved. Every adjustment writes a ledger entry; on hand
            never goes below zero nor below what open orders have reserved.

            EXAMPLES
              omsctl stock get MUG-350
              omsctl stock get MUG-350 --warehouse MAIN -o json
              omsctl stock adjust MUG-350 --warehouse MAIN --delta 100 --reason "receipt PO-17"
              omsctl stock adjust MUG-350 --warehouse MAIN --location A-01-03 --delta 5
              omsctl stock list --sku MUG-350
              omsctl stock movements --sku MUG-350 --kind receipt
              omsctl stock valuation
              omsctl stock import counts.csv
            """,
        subcommands: [
            StockGetCommand.self, StockAdjustCommand.self, StockListCommand.self, StockMovementsCommand.self,
            StockLocationsCommand.self, StockPurchaseOrdersCommand.self, StockValuationCommand.self,
            StockTransfersCommand.self, StockScrapCommand.self, StockStocktakeCommand.self, StockImportCommand.self,
            StockGenerateCSVCommand.self, StockReconcileCommand.self, StockReplenishCommand.self,
            StockAnalysisCommand.self,
        ]
    )
}

enum StockPresentation {
    static func print(_ stock: Oms_V1_GetStockResponse, format: OutputFormat) {
        switch format {
        case .table:
            var table = TableFormatter(
                columns: [
                    .init(title: "sku"), .init(title: "warehouse"), .init(title: "on hand", alignRight: true),
                    .init(title: "reserved", alignRight: true), .init(title: "available", alignRight: true),
                ], width: Console.width)
            for level in stock.warehouses {
                table.append([
                    level.sku, level.warehouseCode, String(level.onHand), String(level.reserved),
                    String(level.available),
                ])
            }
            if stock.warehouseCode.isEmpty {
                table.append([
                    stock.sku, "(all)", String(stock.onHand), String(stock.reserved), String(stock.available),
                ])
            }
            Console.out(table.render())
        case .json:
            Console.out(
                JSONWriter.render(
                    .object([
                        "sku": .string(stock.sku), "warehouseCode": .string(stock.warehouseCode),
                        "onHand": .int64(stock.onHand), "reserved": .int64(stock.reserved),
                        "available": .int64(stock.available), "warehouses": .array(stock.warehouses.map(json)),
                    ])))
        case .csv:
            var csv = CSVWriter(header: ["sku", "warehouseCode", "onHand", "reserved", "available"])
            for level in stock.warehouses {
                csv.appendRow([
                    level.sku, level.warehouseCode, String(level.onHand), String(level.reserved),
                    String(level.available),
                ])
            }
            Console.out(csv.text)
        }
    }

    static func json(_ level: Oms_V1_StockLevel) -> JSONValue {
        .object([
            "sku": .string(level.sku), "warehouseCode": .string(level.warehouseCode), "onHand": .int64(level.onHand),
            "reserved": .int64(level.reserved), "available": .int64(level.available),
            "updatedAtMillis": .int64(level.updatedAtMillis),
        ])
    }
}

struct StockGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show on hand, reserved and available of a sku, per warehouse and in total.",
        discussion: """
            EXAMPLES
              omsctl stock get MUG-350
              omsctl stock get MUG-350 --warehouse MAIN
            """
    )

    @Argument(help: ArgumentHelp("The sku.", valueName: "sku"))
    var sku: String

    @Option(help: ArgumentHelp("Only this warehouse (default: all, summed).", valueName: "code"))
    var warehouse: String = ""

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let stock = try await global.withClient { client in
            try await client.inventory.stock(sku: sku, warehouse: warehouse)
        }
        StockPresentation.print(stock, format: global.output)
    }
}

struct StockAdjustCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adjust",
        abstract: "Add to (or with a negative --delta, remove from) the on-hand stock.",
        discussion: """
            Refused (exit 6) when on hand would go below zero or below the reserved
            quantity, or the warehouse does not exist.

            EXAMPLES
              omsctl stock adjust MUG-350 --warehouse MAIN --delta 100 --reason "receipt PO-17"
              omsctl stock adjust MUG-350 --warehouse MAIN --delta -2 --reason scrap
            """
    )

    @Argument(help: ArgumentHelp("The sku.", valueName: "sku"))
    var sku: String

    @Option(help: ArgumentHelp("The warehouse code.", valueName: "code"))
    var warehouse: String

    @Option(help: ArgumentHelp("Units to add (negative to remove), not zero.", valueName: "n"))
    var delta: Int64

    @Option(help: ArgumentHelp("Why, for the ledger.", valueName: "text"))
    var reason: String = "adjustment"

    @Option(
        help: ArgumentHelp(
            "The location (default: unassigned; a removal then takes unassigned first, then locations in code order).",
            valueName: "code"))
    var location: String = ""

    @Option(help: ArgumentHelp("A reference for the ledger (a WMS document number).", valueName: "text"))
    var reference: String = ""

    @Option(
        name: .customLong("request-id"), help: ArgumentHelp("Idempotency key (default: generated).", valueName: "id"))
    var requestID: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if delta == 0 { throw ValidationError("--delta must not be zero") }
    }

    func run() async throws {
        let (level, move) = try await global.withClient { client in
            try await client.inventory.adjustStock(
                sku: sku, warehouse: warehouse, delta: delta, reason: reason, location: location, reference: reference,
                requestID: requestID)
        }
        if global.output == .table {
            Console.error(
                "ledger entry \(move.sequence): \(move.onHandDelta > 0 ? "+" : "")\(move.onHandDelta) \(sku) in \(warehouse)"
            )
        }
        var response = Oms_V1_GetStockResponse()
        response.sku = level.sku
        response.warehouseCode = level.warehouseCode
        response.onHand = level.onHand
        response.reserved = level.reserved
        response.available = level.available
        response.warehouses = [level]
        StockPresentation.print(response, format: global.output)
    }
}

struct StockWarehousesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warehouses",
        abstract: "Create and list warehouses.",
        discussion: """
            Orders reserve from warehouses in priority order (lower first): the first
            warehouse that can fill the whole order, else each line split by priority.

            EXAMPLES
              omsctl warehouses create MAIN --name "Main DC" --priority 1
              omsctl warehouses list -o json
            """,
        subcommands: [StockWarehousesCreateCommand.self, StockWarehousesListCommand.self]
    )

    static func print(_ warehouses: [Oms_V1_Warehouse], format: OutputFormat) {
        switch format {
        case .table:
            var table = TableFormatter(
                columns: [
                    .init(title: "code"), .init(title: "name", shrinkable: true),
                    .init(title: "priority", alignRight: true),
                ],
                width: Console.width)
            for warehouse in warehouses { table.append([warehouse.code, warehouse.name, String(warehouse.priority)]) }
            Console.out(table.render())
        case .json:
            Console.out(
                JSONWriter.render(
                    .array(
                        warehouses.map {
                            .object([
                                "code": .string($0.code), "name": .string($0.name),
                                "priority": .int(Int64($0.priority)),
                                "createdAtMillis": .int64($0.createdAtMillis),
                            ])
                        })))
        case .csv:
            var csv = CSVWriter(header: ["code", "name", "priority", "createdAtMillis"])
            for warehouse in warehouses {
                csv.appendRow([
                    warehouse.code, warehouse.name, String(warehouse.priority), String(warehouse.createdAtMillis),
                ])
            }
            Console.out(csv.text)
        }
    }
}

struct StockWarehousesCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a warehouse (exit 6 if the code exists).")

    @Argument(help: ArgumentHelp("The warehouse code.", valueName: "code"))
    var code: String

    @Option(help: ArgumentHelp("A display name.", valueName: "name"))
    var name: String = ""

    @Option(help: ArgumentHelp("Allocation priority; lower is tried first.", valueName: "n"))
    var priority: Int32 = 0

    @Option(
        name: .customLong("request-id"), help: ArgumentHelp("Idempotency key (default: generated).", valueName: "id"))
    var requestID: String?

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let warehouse = try await global.withClient { client in
            try await client.inventory.createWarehouse(code: code, name: name, priority: priority, requestID: requestID)
        }
        StockWarehousesCommand.print([warehouse], format: global.output)
    }
}

struct StockWarehousesListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List warehouses in allocation order.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let warehouses = try await global.withClient { client in try await client.inventory.warehouses() }
        StockWarehousesCommand.print(warehouses, format: global.output)
    }
}
