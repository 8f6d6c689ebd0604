import ArgumentParser
import OMSClient

struct OrdersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders",
        abstract: "Create, show, list, pay and cancel orders.",
        discussion: """
            Creating an order reserves stock for every line at once (all or nothing). An
            order without a shipping address is still created, flagged incomplete and put
            on hold. Unpaid orders are cancelled automatically at their payment deadline.

            EXAMPLES
              omsctl orders create --customer C-1 --channel web --currency EUR \\
                  --line MUG-350:2 --line TEA-1:1@12.00
              omsctl orders list --status pending_payment
              omsctl orders pay ord_01KDV... --amount 29.98 --currency EUR
              omsctl orders cancel ord_01KDV... --reason "customer asked"
              omsctl orders history ord_01KDV...
            """,
        subcommands: [
            OrdersListCommand.self, OrdersGetCommand.self, OrdersCreateCommand.self, OrdersCancelCommand.self,
            OrdersPayCommand.self, OrdersHistoryCommand.self, OrdersApproveCommand.self, OrdersRejectCommand.self,
            OrdersShipCommand.self, OrdersRefundCommand.self,
        ]
    )
}

struct OrdersListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List orders, newest first.",
        discussion: """
            Filters combine; they are served from indexes. --flag lists the exception queue
            (orders held by automatic review).

            EXAMPLES
              omsctl orders list --status paid
              omsctl orders list --customer C-1 --all -o csv > orders.csv
              omsctl orders list --flag incomplete
            """
    )

    @Option(
        help: ArgumentHelp("Only orders in this status (pending_payment, paid, on_hold, ...).", valueName: "status"))
    var status: OrderStatusArgument?

    @Option(help: ArgumentHelp("Only this customer's orders.", valueName: "id"))
    var customer: String = ""

    @Option(help: ArgumentHelp("Only orders from this channel.", valueName: "channel"))
    var channel: String = ""

    @Option(help: ArgumentHelp("Only orders with this review flag.", valueName: "flag"))
    var flag: OrderFlagArgument?

    @Option(name: .customLong("page-size"), help: ArgumentHelp("Orders per page, 1-1000.", valueName: "n"))
    var pageSize: Int?

    @Option(name: .customLong("page-token"), help: ArgumentHelp("Continue after a previous page.", valueName: "token"))
    var pageToken: String?

    @Flag(help: "Fetch every page.")
    var all = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let pageSize, !(1...1000).contains(pageSize) { throw ValidationError("--page-size must be from 1 to 1000") }
        if all && pageToken != nil { throw ValidationError("--all starts from the first page; leave out --page-token") }
    }

    func run() async throws {
        let statusFilter = status?.proto ?? .unspecified
        let flagFilter = flag?.proto ?? .unspecified
        let (orders, next) = try await global.withClient { client in
            if all {
                var orders: [Oms_V1_Order] = []
                for try await order in client.orders.all(
                    status: statusFilter, customerID: customer, channel: channel, flag: flagFilter,
                    pageSize: pageSize ?? 0)
                {
                    orders.append(order)
                }
                return (orders, String?.none)
            }
            let page = try await client.orders.list(
                status: statusFilter, customerID: customer, channel: channel, flag: flagFilter,
                pageSize: pageSize ?? 0, pageToken: pageToken)
            return (page.items, page.nextPageToken)
        }
        if orders.isEmpty && global.output == .table {
            Console.error("no orders match")
        } else {
            OrdersPresentation.print(orders, format: global.output, single: false)
        }
        if let next { Console.error("more orders follow: add --page-token \(next), or use --all") }
    }
}

struct OrdersGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show one order with its lines, reservations and totals.",
        discussion: """
            Exit code 5 when there is no such order.

            EXAMPLES
              omsctl orders get ord_01KDV...
              omsctl orders get ord_01KDV... -o json | jq .totals
            """
    )

    @Argument(help: ArgumentHelp("The order id (ord_...).", valueName: "id"))
    var id: String

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let order = try await global.withClient { client in try await client.orders.get(id: id) }
        OrdersPresentation.print([order], format: global.output, single: true)
    }
}

struct OrdersHistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show every change of an order, oldest first.",
        discussion: """
            EXAMPLES
              omsctl orders history ord_01KDV...
            """
    )

    @Argument(help: ArgumentHelp("The order id (ord_...).", valueName: "id"))
    var id: String

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let entries = try await global.withClient { client in
            var entries: [Oms_V1_OrderHistoryEntry] = []
            var token: String?
            repeat {
                let page = try await client.orders.history(id: id, pageSize: 1000, pageToken: token)
                entries += page.items
                token = page.nextPageToken
            } while token != nil
            return entries
        }
        OrdersPresentation.printHistory(entries, format: global.output)
    }
}
