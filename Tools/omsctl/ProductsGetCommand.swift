import ArgumentParser
import OMSClient

struct ProductsGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show one product.",
        usage: "omsctl products get <sku> [<options>]",
        discussion: """
            Prints every field of the product with this SKU; exit code 5 when there is
            none.

            EXAMPLES
              omsctl products get MUG-350
              omsctl products get MUG-350 -o json | jq .version
            """
    )

    @Argument(help: ArgumentHelp("The product's SKU.", valueName: "sku"))
    var sku: String

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let product = try await global.withClient { client in
            try await client.catalog.product(sku: sku)
        }
        switch global.output {
        case .table:
            Console.out(ProductPresentation.details(product))
        case .json:
            Console.out(JSONWriter.render(ProductPresentation.json(product)))
        case .csv:
            var csv = CSVWriter(header: ProductPresentation.csvHeader)
            csv.appendRow(ProductPresentation.csvRow(product))
            Console.out(csv.text)
        }
    }
}
