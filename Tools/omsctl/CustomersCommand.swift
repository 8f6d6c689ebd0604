import ArgumentParser
import OMSClient

struct CustomersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customers",
        abstract: "Create, show and list customers.",
        discussion: """
            EXAMPLES
              omsctl customers upsert --id C-1 --name "Ada Lovelace" --email ada@example.com \\
                  --line1 "1 Main St" --city London --country GB
              omsctl customers get C-1
              omsctl customers list --all -o csv
            """,
        subcommands: [CustomersUpsertCommand.self, CustomersGetCommand.self, CustomersListCommand.self]
    )

    static func print(_ customers: [Oms_V1_Customer], format: OutputFormat, single: Bool) {
        switch format {
        case .table:
            if single, let customer = customers.first {
                var details = DetailFormatter()
                details.append("id", customer.id)
                details.append("name", customer.name)
                details.append("email", customer.email.isEmpty ? "-" : customer.email)
                if !customer.phone.isEmpty { details.append("phone", customer.phone) }
                for (index, a) in customer.addresses.enumerated() {
                    details.append(
                        index == 0 ? "address" : "address \(index + 1)",
                        [a.name, a.line1, a.line2, a.postalCode, a.city, a.countryCode].filter { !$0.isEmpty }
                            .joined(separator: ", "))
                }
                details.append("tier", customer.tier)
                details.append("points", String(customer.points))
                if !customer.tags.isEmpty { details.append("tags", customer.tags.joined(separator: ", ")) }
                details.append("version", String(customer.version))
                details.append("created", TimeText.iso8601(millis: customer.createdAtMillis))
                details.append("updated", TimeText.iso8601(millis: customer.updatedAtMillis))
                Console.out(details.render())
            } else {
                var table = TableFormatter(
                    columns: [
                        .init(title: "id"), .init(title: "name", shrinkable: true),
                        .init(title: "email", shrinkable: true),
                        .init(title: "tier"), .init(title: "version", alignRight: true),
                    ], width: Console.width)
                for c in customers { table.append([c.id, c.name, c.email, c.tier, String(c.version)]) }
                Console.out(table.render())
            }
        case .json:
            let values = customers.map { c -> JSONValue in
                .object([
                    "id": .string(c.id), "name": .string(c.name), "email": .string(c.email), "phone": .string(c.phone),
                    "addresses": .array(c.addresses.map { OrdersPresentation.json($0) }), "tier": .string(c.tier),
                    "points": .int64(c.points), "tags": .array(c.tags.map { .string($0) }),
                    "version": .int64(c.version),
                    "createdAtMillis": .int64(c.createdAtMillis), "updatedAtMillis": .int64(c.updatedAtMillis),
                ])
            }
            Console.out(JSONWriter.render(single && values.count == 1 ? values[0] : .array(values)))
        case .csv:
            var csv = CSVWriter(header: ["id", "name", "email", "phone", "tier", "points", "version"])
            for c in customers {
                csv.appendRow([c.id, c.name, c.email, c.phone, c.tier, String(c.points), String(c.version)])
            }
            Console.out(csv.text)
        }
    }
}

struct CustomersUpsertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upsert",
        abstract: "Create a customer, or replace an existing customer's fields.",
        discussion: """
            Without --id the server generates one (cus_...). Fields left out are stored
            empty; --expected-version writes only over the version you read (exit 6).
            """
    )

    @Option(help: ArgumentHelp("The customer's id (default: generated).", valueName: "id"))
    var id: String = ""
    @Option(help: ArgumentHelp("Name.", valueName: "name"))
    var name: String
    @Option(help: ArgumentHelp("Email address.", valueName: "email"))
    var email: String = ""
    @Option(help: ArgumentHelp("Phone number.", valueName: "phone"))
    var phone: String = ""
    @Option(help: ArgumentHelp("Street address of the default shipping address.", valueName: "text"))
    var line1: String = ""
    @Option(help: ArgumentHelp("City.", valueName: "city"))
    var city: String = ""
    @Option(name: .customLong("postal-code"), help: ArgumentHelp("Postal code.", valueName: "code"))
    var postalCode: String = ""
    @Option(help: ArgumentHelp("ISO 3166-1 alpha-2 country.", valueName: "cc"))
    var country: String = ""
    @Option(help: ArgumentHelp("Loyalty tier (default standard).", valueName: "tier"))
    var tier: String = ""
    @Option(name: .customLong("tag"), help: ArgumentHelp("A tag; repeat for more.", valueName: "tag"))
    var tags: [String] = []
    @Option(name: .customLong("expected-version"), help: ArgumentHelp("Write only over this version.", valueName: "n"))
    var expectedVersion: Int64 = 0
    @Option(
        name: .customLong("request-id"), help: ArgumentHelp("Idempotency key (default: generated).", valueName: "id"))
    var requestID: String?

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        var customer = Oms_V1_Customer()
        customer.id = id
        customer.name = name
        customer.email = email
        customer.phone = phone
        customer.tier = tier
        customer.tags = tags
        if !(line1 + city + postalCode + country).isEmpty {
            customer.addresses = [
                .with {
                    $0.name = name
                    $0.line1 = line1
                    $0.city = city
                    $0.postalCode = postalCode
                    $0.countryCode = country.uppercased()
                }
            ]
        }
        let (saved, created) = try await global.withClient { client in
            try await client.customers.upsert(customer, expectedVersion: expectedVersion, requestID: requestID)
        }
        if global.output == .table {
            Console.error("\(created ? "created" : "updated") \(saved.id) (version \(saved.version))")
        }
        CustomersCommand.print([saved], format: global.output, single: true)
    }
}

struct CustomersGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show one customer (exit 5 if none).")

    @Argument(help: ArgumentHelp("The customer's id.", valueName: "id"))
    var id: String

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let customer = try await global.withClient { client in try await client.customers.get(id: id) }
        CustomersCommand.print([customer], format: global.output, single: true)
    }
}

struct CustomersListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List customers in id order.")

    @Option(name: .customLong("page-size"), help: ArgumentHelp("Customers per page, 1-1000.", valueName: "n"))
    var pageSize: Int?
    @Option(name: .customLong("page-token"), help: ArgumentHelp("Continue after a previous page.", valueName: "token"))
    var pageToken: String?
    @Flag(help: "Fetch every page.")
    var all = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let pageSize, !(1...1000).contains(pageSize) { throw ValidationError("--page-size must be from 1 to 1000") }
    }

    func run() async throws {
        let (customers, next) = try await global.withClient { client in
            if all {
                var customers: [Oms_V1_Customer] = []
                for try await customer in client.customers.all(pageSize: pageSize ?? 0) { customers.append(customer) }
                return (customers, String?.none)
            }
            let page = try await client.customers.list(pageSize: pageSize ?? 0, pageToken: pageToken)
            return (page.items, page.nextPageToken)
        }
        CustomersCommand.print(customers, format: global.output, single: false)
        if let next { Console.error("more customers follow: add --page-token \(next), or use --all") }
    }
}
