import ArgumentParser
import OMSClient

struct ProductsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List products in SKU order.",
        usage: """
            omsctl products list [--prefix <prefix>] [--status <status>] [--page-size <n>]
              [--page-token <token> | --all] [<options>]
            """,
        discussion: """
            Lists one page (--page-size, server default 50, at most 1000) unless --all is
            given; when more pages follow, standard error says how to get the next one.
            JSON output is an array of products; CSV has a header row.

            EXAMPLES
              omsctl products list
              omsctl products list --prefix MUG- --status active
              omsctl products list --all -o csv > products.csv
            """
    )

    @Option(help: ArgumentHelp("Only SKUs that start with this.", valueName: "prefix"))
    var prefix: String = ""

    @Option(help: ArgumentHelp("Only products with this status: active or discontinued.", valueName: "status"))
    var status: ProductStatusArgument?

    @Option(name: .customLong("page-size"), help: ArgumentHelp("Products per page, 1-1000.", valueName: "n"))
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
        let (products, nextPageToken) = try await global.withClient { client in
            if all {
                var products: [Oms_V1_Product] = []
                for try await product in client.catalog.allProducts(
                    skuPrefix: prefix, status: statusFilter, pageSize: pageSize ?? 0)
                {
                    products.append(product)
                }
                return (products, String?.none)
            }
            let page = try await client.catalog.listProducts(
                pageSize: pageSize ?? 0, pageToken: pageToken, skuPrefix: prefix, status: statusFilter)
            return (page.items, page.nextPageToken)
        }

        switch global.output {
        case .table:
            if products.isEmpty {
                Console.error(prefix.isEmpty && status == nil ? "no products" : "no products match")
            } else {
                Console.out(ProductPresentation.table(products, width: Console.width))
            }
        case .json:
            Console.out(JSONWriter.render(.array(products.map(ProductPresentation.json))))
        case .csv:
            var csv = CSVWriter(header: ProductPresentation.csvHeader)
            for product in products { csv.appendRow(ProductPresentation.csvRow(product)) }
            Console.out(csv.text)
        }
        if let nextPageToken {
            Console.error("more products follow: add --page-token \(nextPageToken), or use --all")
        }
    }
}
