import ArgumentParser
import OMSClient

struct StockPurchaseOrdersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "po",
        abstract: "Purchase orders: create, receive (partially, with put-away location), show, list.",
        discussion: """
            Unit costs are given in minor units (cents). Receipts update the sku's
            moving-average cost; over-receipt beyond --tolerance percent is refused (exit 6).

            EXAMPLES
              omsctl stock po create --supplier ACME --warehouse MAIN --currency USD \\
                  --line MUG-350:100:420 --line CUP-200:50:180 --tolerance 5
              omsctl stock po receive po_01KB... --line MUG-350:60@A-01-03 --line CUP-200:50
              omsctl stock po get po_01KB... -o json
              omsctl stock po list --status open
            """,
        subcommands: [
            StockPurchaseOrderCreateCommand.self, StockPurchaseOrderReceiveCommand.self,
            StockPurchaseOrderGetCommand.self, StockPurchaseOrderListCommand.self,
        ]
    )

    static let statuses: [String: Oms_V1_PurchaseOrderStatus] = [
        "open": .open, "partially-received": .partiallyReceived, "received": .received,
    ]

    static func print(_ orders: [Oms_V1_PurchaseOrder], format: OutputFormat) {
        let names = Dictionary(uniqueKeysWithValues: statuses.map { ($0.value, $0.key) })
        var rows: [[String]] = []
        for order in orders {
            for line in order.lines {
                rows.append([
                    order.id, names[order.status] ?? "\(order.status)", order.supplier, order.warehouseCode, line.sku,
                    String(line.quantity), String(line.receivedQuantity), String(line.unitCostMinor),
                    order.currencyCode,
                ])
            }
        }
        StockTables.print(
            header: [
                "id", "status", "supplier", "warehouseCode", "sku", "quantity", "receivedQuantity", "unitCostMinor",
                "currencyCode",
            ], rows: rows, numeric: ["quantity", "receivedQuantity", "unitCostMinor"], format: format)
    }
}

struct StockPurchaseOrderCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a purchase order.")

    @Option var supplier: String
    @Option var warehouse: String
    @Option var currency: String
    @Option(help: ArgumentHelp("A line as SKU:QUANTITY:UNIT_COST_MINOR (repeatable).", valueName: "line"))
    var line: [String] = []
    @Option(help: ArgumentHelp("Over-receipt tolerance in percent (0-100).", valueName: "percent"))
    var tolerance: UInt32 = 0
    @Option(name: .customLong("expected-at"), help: ArgumentHelp("Expected delivery (Unix ms).", valueName: "ms"))
    var expectedAt: Int64 = 0
    @Option(
        name: .customLong("request-id"), help: ArgumentHelp("Idempotency key (default: generated).", valueName: "id"))
    var requestID: String?

    @OptionGroup var global: GlobalOptions

    func parsedLines() throws -> [OMSClient.Inventory.PurchaseOrderLine] {
        try line.map { text in
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, let quantity = Int64(parts[1]), let cost = Int64(parts[2]) else {
                throw ValidationError("--line '\(text)' is not SKU:QUANTITY:UNIT_COST_MINOR")
            }
            return .init(sku: parts[0], quantity: quantity, unitCostMinor: cost)
        }
    }

    func validate() throws {
        if line.isEmpty { throw ValidationError("give at least one --line") }
        _ = try parsedLines()
    }

    func run() async throws {
        let lines = try parsedLines()
        let order = try await global.withClient { client in
            try await client.inventory.createPurchaseOrder(
                supplier: supplier, warehouse: warehouse, currency: currency, lines: lines,
                expectedAtMillis: expectedAt, overReceiptTolerancePercent: tolerance, requestID: requestID)
        }
        StockPurchaseOrdersCommand.print([order], format: global.output)
    }
}

struct StockPurchaseOrderReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive", abstract: "Receive (part of) a purchase order.")

    @Argument(help: ArgumentHelp("The purchase order id.", valueName: "id"))
    var id: String
    @Option(help: ArgumentHelp("Received as SKU:QUANTITY[@LOCATION] (repeatable).", valueName: "line"))
    var line: [String] = []
    @Option(
        name: .customLong("request-id"), help: ArgumentHelp("Idempotency key (default: generated).", valueName: "id"))
    var requestID: String?

    @OptionGroup var global: GlobalOptions

    func parsedLines() throws -> [OMSClient.Inventory.ReceiptLine] {
        try line.map { text in
            let (head, location) =
                text.contains("@")
                ? (
                    String(text[..<text.firstIndex(of: "@")!]),
                    String(text[text.index(after: text.firstIndex(of: "@")!)...])
                )
                : (text, "")
            let parts = head.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, let quantity = Int64(parts[1]) else {
                throw ValidationError("--line '\(text)' is not SKU:QUANTITY[@LOCATION]")
            }
            return .init(sku: parts[0], quantity: quantity, location: location)
        }
    }

    func validate() throws {
        if line.isEmpty { throw ValidationError("give at least one --line") }
        _ = try parsedLines()
    }

    func run() async throws {
        let lines = try parsedLines()
        let response = try await global.withClient { client in
            try await client.inventory.receivePurchaseOrder(id: id, lines: lines, requestID: requestID)
        }
        StockPurchaseOrdersCommand.print([response.purchaseOrder ?? .init()], format: global.output)
    }
}

struct StockPurchaseOrderGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "Show a purchase order (exit 5 if unknown).")

    @Argument(help: ArgumentHelp("The purchase order id.", valueName: "id"))
    var id: String

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let order = try await global.withClient { client in try await client.inventory.purchaseOrder(id: id) }
        StockPurchaseOrdersCommand.print([order], format: global.output)
    }
}

struct StockPurchaseOrderListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List purchase orders oldest first (every page), one row per line.")

    @Option(help: ArgumentHelp("open, partially-received or received.", valueName: "status"))
    var status: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let status, StockPurchaseOrdersCommand.statuses[status] == nil {
            throw ValidationError("--status must be open, partially-received or received")
        }
    }

    func run() async throws {
        let filter = status.flatMap { StockPurchaseOrdersCommand.statuses[$0] } ?? .unspecified
        let orders = try await global.withClient { client in
            var all: [Oms_V1_PurchaseOrder] = []
            var token: String?
            repeat {
                let page = try await client.inventory.purchaseOrders(status: filter, pageSize: 1000, pageToken: token)
                all += page.items
                token = page.nextPageToken
            } while token != nil
            return all
        }
        StockPurchaseOrdersCommand.print(orders, format: global.output)
    }
}
