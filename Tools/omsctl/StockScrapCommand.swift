import ArgumentParser
import OMSClient

struct StockScrapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scrap",
        abstract: "Scrap with approval: request, approve (stock leaves, value written off), reject, get.",
        discussion: """
            Someone other than the requester approves or rejects. Lines are
            SKU:QUANTITY[@LOCATION]; reasons: damaged, expired, lost.

            EXAMPLES
              omsctl stock scrap request --warehouse MAIN --reason damaged --line MUG-350:2@A-01
              omsctl stock scrap approve scr_01KB...
            """,
        subcommands: [
            StockScrapRequestCommand.self, StockScrapApproveCommand.self, StockScrapRejectCommand.self,
            StockScrapGetCommand.self,
        ]
    )

    static let reasons: [String: Oms_V1_ScrapReason] = ["damaged": .damaged, "expired": .expired, "lost": .lost]

    static func print(_ scrap: Oms_V1_Scrap, format: OutputFormat) {
        StockTables.print(
            header: [
                "id", "status", "warehouseCode", "sku", "quantity", "locationCode", "writtenOffMinor", "currencyCode",
            ],
            rows: scrap.lines.map {
                [
                    scrap.id, "\(scrap.status)", scrap.warehouseCode, $0.sku, String($0.quantity), $0.locationCode,
                    String($0.writtenOffMinor), $0.currencyCode,
                ]
            }, numeric: ["quantity", "writtenOffMinor"], format: format)
    }
}

struct StockScrapRequestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "request", abstract: "Request a scrap.")
    @Option var warehouse: String
    @Option(help: "damaged, expired or lost.") var reason: String
    @Option(help: ArgumentHelp("SKU:QUANTITY[@LOCATION] (repeatable).", valueName: "line")) var line: [String] = []
    @Option var note: String = ""
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if StockScrapCommand.reasons[reason] == nil {
            throw ValidationError("--reason must be damaged, expired or lost")
        }
        if line.isEmpty { throw ValidationError("give at least one --line") }
        _ = try StockTransfersCommand.parseLines(line)
    }

    func run() async throws {
        let lines = try StockTransfersCommand.parseLines(line)
        let scrap = try await global.withClient { client in
            try await client.inventory.requestScrap(
                warehouse: warehouse, lines: lines, reason: StockScrapCommand.reasons[reason]!, note: note)
        }
        StockScrapCommand.print(scrap, format: global.output)
    }
}

struct StockScrapApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "approve", abstract: "Approve a scrap (not your own).")
    @Argument var id: String
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let response = try await global.withClient { client in try await client.inventory.approveScrap(id: id) }
        StockScrapCommand.print(response.scrap ?? .init(), format: global.output)
        if global.output == .table {
            for money in response.scrap?.writtenOff ?? [] {
                Console.error(
                    "written off \(MoneyText.display(currency: money.currencyCode, amountMinor: money.amountMinor))")
            }
        }
    }
}

struct StockScrapRejectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reject", abstract: "Reject a scrap (not your own).")
    @Argument var id: String
    @Option var reason: String
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let scrap = try await global.withClient { client in
            try await client.inventory.rejectScrap(id: id, reason: reason)
        }
        StockScrapCommand.print(scrap, format: global.output)
    }
}

struct StockScrapGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a scrap (exit 5 if unknown).")
    @Argument var id: String
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let scrap = try await global.withClient { client in try await client.inventory.scrap(id: id) }
        StockScrapCommand.print(scrap, format: global.output)
    }
}
