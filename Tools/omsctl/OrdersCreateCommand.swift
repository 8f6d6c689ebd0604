import ArgumentParser
import OMSClient

struct OrdersCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an order and reserve its stock.",
        usage: """
            omsctl orders create --currency <code> --line <sku:qty[@price]> [--line ...]
              [--customer <id>] [--channel <channel>] [--external-ref <ref>] [--ship-... ] [<options>]
            """,
        discussion: """
            Each --line is SKU:QUANTITY, optionally @PRICE (a decimal in --currency) to
            override the catalog price. Stock is reserved for every line at once; when it
            is short the order is refused (FAILED_PRECONDITION, exit 6) and nothing is
            reserved. Without a complete shipping address (--ship-line1, --ship-city,
            --ship-country, or the customer's first address) the order is created on hold.

            EXAMPLES
              omsctl orders create --customer C-1 --channel web --currency EUR --line MUG-350:2
              omsctl orders create --currency USD --line A:1@9.99 --line B:3 \\
                  --ship-name "Ada Lovelace" --ship-line1 "1 Main St" --ship-city London --ship-country GB
            """
    )

    @Option(help: ArgumentHelp("The customer's id.", valueName: "id"))
    var customer: String = ""

    @Option(
        help: ArgumentHelp("Sales channel: web, marketplace, phone, erp, ... (default direct).", valueName: "channel"))
    var channel: String = ""

    @Option(help: ArgumentHelp("ISO 4217 currency of the order.", valueName: "code"))
    var currency: String

    @Option(
        name: .customLong("line"), help: ArgumentHelp("A line as SKU:QTY or SKU:QTY@PRICE; repeat.", valueName: "line"))
    var lines: [String] = []

    @Option(name: .customLong("external-ref"), help: ArgumentHelp("The channel's own reference.", valueName: "ref"))
    var externalRef: String = ""

    @Option(help: ArgumentHelp("Free-form notes.", valueName: "text"))
    var notes: String = ""

    @Option(name: .customLong("ship-name"), help: ArgumentHelp("Recipient name.", valueName: "name"))
    var shipName: String = ""
    @Option(name: .customLong("ship-line1"), help: ArgumentHelp("Street address.", valueName: "text"))
    var shipLine1: String = ""
    @Option(name: .customLong("ship-city"), help: ArgumentHelp("City.", valueName: "city"))
    var shipCity: String = ""
    @Option(name: .customLong("ship-postal-code"), help: ArgumentHelp("Postal code.", valueName: "code"))
    var shipPostalCode: String = ""
    @Option(name: .customLong("ship-country"), help: ArgumentHelp("ISO 3166-1 alpha-2 country.", valueName: "cc"))
    var shipCountry: String = ""

    @Option(
        name: .customLong("request-id"), help: ArgumentHelp("Idempotency key (default: generated).", valueName: "id"))
    var requestID: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if lines.isEmpty { throw ValidationError("give at least one --line SKU:QTY") }
        _ = try parsedLines()
    }

    private func parsedLines() throws -> [Oms_V1_OrderLine] {
        let code: String
        do throws(MoneyText.ParseError) {
            code = try MoneyText.currencyCode(currency)
        } catch {
            throw ValidationError(error.description)
        }
        return try lines.map { text in
            var spec = Substring(text)
            var price: Oms_V1_Money?
            if let at = spec.firstIndex(of: "@") {
                let priceText = String(spec[spec.index(after: at)...])
                do throws(MoneyText.ParseError) {
                    let minor = try MoneyText.minorUnits(priceText, currency: code)
                    price = .with {
                        $0.currencyCode = code
                        $0.amountMinor = minor
                    }
                } catch {
                    throw ValidationError("--line \(text): \(error.description)")
                }
                spec = spec[..<at]
            }
            let parts = spec.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, let quantity = Int64(parts[1]), quantity > 0 else {
                throw ValidationError("--line '\(text)' must be SKU:QUANTITY with a positive quantity, e.g. MUG-350:2")
            }
            return Oms_V1_OrderLine.with {
                $0.sku = String(parts[0])
                $0.quantity = quantity
                $0.unitPrice = price
            }
        }
    }

    func run() async throws {
        var order = Oms_V1_Order()
        order.customerID = customer
        order.channel = channel
        order.currencyCode = currency.uppercased()
        order.externalRef = externalRef
        order.notes = notes
        order.lines = try parsedLines()
        if !(shipName + shipLine1 + shipCity + shipPostalCode + shipCountry).isEmpty {
            order.shippingAddress = .with {
                $0.name = shipName
                $0.line1 = shipLine1
                $0.city = shipCity
                $0.postalCode = shipPostalCode
                $0.countryCode = shipCountry.uppercased()
            }
        }
        let created = try await global.withClient { client in
            try await client.orders.create(order, requestID: requestID)
        }
        if global.output == .table {
            Console.error(
                "created \(created.id) (\(OrdersPresentation.statusText(created.status)))"
                    + (created.holdReasons.isEmpty ? "" : ": on hold, " + created.holdReasons.joined(separator: "; ")))
        }
        OrdersPresentation.print([created], format: global.output, single: true)
    }
}

struct OrdersPayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pay",
        abstract: "Record a payment for an order.",
        discussion: """
            Partial payments add up; paying the rest moves the order to paid. More than is
            outstanding is refused (exit 6); the currency must be the order's.

            EXAMPLES
              omsctl orders pay ord_01KDV... --amount 10.00 --currency EUR --reference PSP-123
            """
    )

    @Argument(help: ArgumentHelp("The order id (ord_...).", valueName: "id"))
    var id: String

    @Option(help: ArgumentHelp("The amount as a decimal in --currency.", valueName: "amount"))
    var amount: String

    @Option(help: ArgumentHelp("ISO 4217 currency of the amount.", valueName: "code"))
    var currency: String

    @Option(help: ArgumentHelp("The payment provider's reference.", valueName: "text"))
    var reference: String = ""

    @Option(
        name: .customLong("request-id"), help: ArgumentHelp("Idempotency key (default: generated).", valueName: "id"))
    var requestID: String?

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
        let payment = try money()
        let (order, outstanding) = try await global.withClient { client in
            try await client.orders.recordPayment(
                orderID: id, amount: payment, reference: reference, requestID: requestID)
        }
        if global.output == .table {
            Console.error(
                "recorded \(OrdersPresentation.money(payment.amountMinor, payment.currencyCode)) for \(order.id); "
                    + "outstanding \(OrdersPresentation.money(outstanding, order.currencyCode))")
        }
        OrdersPresentation.print([order], format: global.output, single: true)
    }
}

struct OrdersCancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel an order and release its stock.",
        discussion: """
            Free within the server's free window after placement (default 24 h), a fee
            after it; refused once shipped (exit 6). The fee and the rule that decided it
            are printed.

            EXAMPLES
              omsctl orders cancel ord_01KDV... --reason "customer asked"
            """
    )

    @Argument(help: ArgumentHelp("The order id (ord_...).", valueName: "id"))
    var id: String

    @Option(help: ArgumentHelp("Why the order is cancelled.", valueName: "text"))
    var reason: String = ""

    @Option(
        name: .customLong("request-id"), help: ArgumentHelp("Idempotency key (default: generated).", valueName: "id"))
    var requestID: String?

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let (order, fee, rule) = try await global.withClient { client in
            try await client.orders.cancel(id: id, reason: reason, requestID: requestID)
        }
        switch global.output {
        case .table:
            Console.error(
                "cancelled \(order.id): fee \(OrdersPresentation.money(fee.amountMinor, fee.currencyCode)) — \(rule)")
            Console.out(OrdersPresentation.details(order))
        case .json:
            Console.out(
                JSONWriter.render(
                    .object([
                        "order": OrdersPresentation.json(order), "fee": OrdersPresentation.json(fee),
                        "feeRule": .string(rule),
                    ])))
        case .csv:
            var csv = CSVWriter(header: ["feeMinor", "feeCurrencyCode", "feeRule"] + OrdersPresentation.csvHeader)
            csv.appendRow([String(fee.amountMinor), fee.currencyCode, rule] + OrdersPresentation.csvRow(order))
            Console.out(csv.text)
        }
    }
}
