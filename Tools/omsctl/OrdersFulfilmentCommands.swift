import ArgumentParser
import OMSClient

struct OrdersApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve an order under review, or release an order on hold.",
        discussion: """
            Orders above the approval thresholds need approvals by 1 or 2 different users
            (each API key counts once). Approving an order on hold releases the hold.

            EXAMPLES
              omsctl orders approve ord_01KDV... --comment "known customer"
            """
    )

    @Argument(help: ArgumentHelp("The order id (ord_...).", valueName: "id"))
    var id: String
    @Option(help: ArgumentHelp("Why it is approved.", valueName: "text"))
    var comment: String = ""
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let order = try await global.withClient { client in try await client.orders.approve(id: id, comment: comment) }
        OrdersPresentation.print([order], format: global.output, single: true)
    }
}

struct OrdersRejectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject",
        abstract: "Reject an order under review or on hold (cancelled, stock released).")

    @Argument(help: ArgumentHelp("The order id (ord_...).", valueName: "id"))
    var id: String
    @Option(help: ArgumentHelp("Why it is rejected.", valueName: "text"))
    var reason: String
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let order = try await global.withClient { client in try await client.orders.reject(id: id, reason: reason) }
        OrdersPresentation.print([order], format: global.output, single: true)
    }
}

struct OrdersShipCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ship",
        abstract: "Ship some or all of an order, consuming its reserved stock.",
        discussion: """
            Each --line is LINE_INDEX:QUANTITY (0-based, as in `orders get`); without --line
            everything not shipped yet goes.

            EXAMPLES
              omsctl orders ship ord_01KDV... --carrier DHL --tracking JD0001
              omsctl orders ship ord_01KDV... --line 0:1
            """
    )

    @Argument(help: ArgumentHelp("The order id (ord_...).", valueName: "id"))
    var id: String
    @Option(name: .customLong("line"), help: ArgumentHelp("LINE_INDEX:QUANTITY; repeat.", valueName: "line"))
    var lines: [String] = []
    @Option(help: ArgumentHelp("Carrier name.", valueName: "carrier"))
    var carrier: String = ""
    @Option(help: ArgumentHelp("Tracking number.", valueName: "number"))
    var tracking: String = ""
    @OptionGroup var global: GlobalOptions

    private func parsedLines() throws -> [(lineIndex: Int, quantity: Int64)] {
        try lines.map { text in
            let parts = text.split(separator: ":")
            guard parts.count == 2, let index = Int(parts[0]), index >= 0, let quantity = Int64(parts[1]), quantity > 0
            else { throw ValidationError("--line '\(text)' must be LINE_INDEX:QUANTITY, e.g. 0:2") }
            return (index, quantity)
        }
    }

    func validate() throws { _ = try parsedLines() }

    func run() async throws {
        let selection = try parsedLines()
        let (order, shipment) = try await global.withClient { client in
            try await client.orders.ship(orderID: id, lines: selection, carrier: carrier, trackingNumber: tracking)
        }
        if global.output == .table {
            Console.error(
                "shipment \(shipment.id): " + shipment.lines.map { "\($0.quantity) \($0.sku)" }.joined(separator: ", "))
        }
        OrdersPresentation.print([order], format: global.output, single: true)
    }
}

struct OrdersRefundCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refund",
        abstract: "Refund money paid for an order (never more than paid).")

    @Argument(help: ArgumentHelp("The order id (ord_...).", valueName: "id"))
    var id: String
    @Option(help: ArgumentHelp("The amount as a decimal in --currency.", valueName: "amount"))
    var amount: String
    @Option(help: ArgumentHelp("ISO 4217 currency of the amount.", valueName: "code"))
    var currency: String
    @Option(help: ArgumentHelp("Why.", valueName: "text"))
    var reason: String = ""
    @OptionGroup var global: GlobalOptions

    private func money() throws -> Oms_V1_Money {
        do throws(MoneyText.ParseError) {
            let code = try MoneyText.currencyCode(currency)
            let minor = try MoneyText.minorUnits(amount, currency: code)
            return .with {
                $0.currencyCode = code
                $0.amountMinor = minor
            }
        } catch {
            throw ValidationError(error.description)
        }
    }

    func validate() throws { _ = try money() }

    func run() async throws {
        let value = try money()
        let order = try await global.withClient { client in
            try await client.orders.refund(orderID: id, amount: value, reason: reason)
        }
        OrdersPresentation.print([order], format: global.output, single: true)
    }
}
