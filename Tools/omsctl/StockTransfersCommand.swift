import ArgumentParser
import OMSClient

struct StockTransfersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfers",
        abstract: "Transfers between warehouses: request, approve/reject, ship, receive, get.",
        discussion: """
            Someone other than the requester (another API key) approves or rejects. Shipping
            takes the stock out of the source (in transit to the destination); receiving may
            be partial, and --complete closes the transfer, recording what is missing.
            Lines are SKU:QUANTITY[@LOCATION].

            EXAMPLES
              omsctl stock transfers request --from MAIN --to EAST --line MUG-350:20@A-01
              omsctl stock transfers approve trf_01KB...
              omsctl stock transfers ship trf_01KB...
              omsctl stock transfers receive trf_01KB... --line MUG-350:19@R-01 --complete
            """,
        subcommands: [
            StockTransferRequestCommand.self, StockTransferApproveCommand.self, StockTransferRejectCommand.self,
            StockTransferShipCommand.self, StockTransferReceiveCommand.self, StockTransferGetCommand.self,
        ]
    )

    static func print(_ transfer: Oms_V1_Transfer, format: OutputFormat) {
        let rows = transfer.lines.map {
            [
                transfer.id, "\(transfer.status)", transfer.fromWarehouseCode, transfer.toWarehouseCode, $0.sku,
                String($0.quantity), String($0.shippedQuantity), String($0.receivedQuantity),
            ]
        }
        StockTables.print(
            header: [
                "id", "status", "fromWarehouseCode", "toWarehouseCode", "sku", "quantity", "shippedQuantity",
                "receivedQuantity",
            ], rows: rows, numeric: ["quantity", "shippedQuantity", "receivedQuantity"], format: format)
        for discrepancy in transfer.discrepancies where format == .table {
            Console.error(
                "discrepancy: \(discrepancy.sku) shipped \(discrepancy.shippedQuantity), received \(discrepancy.receivedQuantity), missing \(discrepancy.missingQuantity)"
            )
        }
    }

    /// `SKU:QUANTITY[@LOCATION]`.
    static func parseLines(_ texts: [String]) throws -> [OMSClient.Inventory.StockLine] {
        try texts.map { text in
            var head = Substring(text)
            var location = ""
            if let at = text.firstIndex(of: "@") {
                head = text[..<at]
                location = String(text[text.index(after: at)...])
            }
            let parts = head.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let quantity = Int64(parts[1]) else {
                throw ValidationError("--line '\(text)' is not SKU:QUANTITY[@LOCATION]")
            }
            return .init(sku: String(parts[0]), quantity: quantity, location: location)
        }
    }
}

struct StockTransferRequestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "request", abstract: "Request a transfer.")
    @Option var from: String
    @Option var to: String
    @Option(help: ArgumentHelp("SKU:QUANTITY[@FROM_LOCATION] (repeatable).", valueName: "line")) var line: [String] = []
    @Option var note: String = ""
    @Option(name: .customLong("request-id"), help: "Idempotency key (default: generated).") var requestID: String?
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if line.isEmpty { throw ValidationError("give at least one --line") }
        _ = try StockTransfersCommand.parseLines(line)
    }

    func run() async throws {
        let lines = try StockTransfersCommand.parseLines(line)
        let transfer = try await global.withClient { client in
            try await client.inventory.requestTransfer(
                from: from, to: to, lines: lines, note: note, requestID: requestID)
        }
        StockTransfersCommand.print(transfer, format: global.output)
    }
}

struct StockTransferApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve", abstract: "Approve a requested transfer (not your own).")
    @Argument var id: String
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let transfer = try await global.withClient { client in try await client.inventory.approveTransfer(id: id) }
        StockTransfersCommand.print(transfer, format: global.output)
    }
}

struct StockTransferRejectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject", abstract: "Reject a requested transfer (not your own).")
    @Argument var id: String
    @Option var reason: String
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let transfer = try await global.withClient { client in
            try await client.inventory.rejectTransfer(id: id, reason: reason)
        }
        StockTransfersCommand.print(transfer, format: global.output)
    }
}

struct StockTransferShipCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ship", abstract: "Ship an approved transfer.")
    @Argument var id: String
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let response = try await global.withClient { client in try await client.inventory.shipTransfer(id: id) }
        StockTransfersCommand.print(response.transfer ?? .init(), format: global.output)
    }
}

struct StockTransferReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive", abstract: "Receive (part of) a shipped transfer.")
    @Argument var id: String
    @Option(help: ArgumentHelp("SKU:QUANTITY[@LOCATION] (repeatable).", valueName: "line")) var line: [String] = []
    @Flag(help: "Close the transfer; what is still missing becomes a discrepancy.") var complete = false
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if line.isEmpty && !complete { throw ValidationError("give at least one --line, or --complete") }
        _ = try StockTransfersCommand.parseLines(line)
    }

    func run() async throws {
        let lines = try StockTransfersCommand.parseLines(line)
        let response = try await global.withClient { client in
            try await client.inventory.receiveTransfer(id: id, lines: lines, complete: complete)
        }
        StockTransfersCommand.print(response.transfer ?? .init(), format: global.output)
    }
}

struct StockTransferGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "Show a transfer (exit 5 if unknown).")
    @Argument var id: String
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let transfer = try await global.withClient { client in try await client.inventory.transfer(id: id) }
        StockTransfersCommand.print(transfer, format: global.output)
    }
}
