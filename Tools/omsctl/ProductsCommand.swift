import ArgumentParser
import OMSClient

struct ProductsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "products",
        abstract: "Create, show and list catalog products.",
        discussion: """
            Products are keyed by SKU (1-64 characters of A-Z a-z 0-9 . _ -). Prices are
            decimal amounts in the currency's unit (12.50 USD, 1250 JPY, 1.250 BHD).

            EXAMPLES
              omsctl products upsert --sku MUG-350 --name "Blue mug 350 ml" \\
                  --price 8.99 --currency EUR
              omsctl products get MUG-350
              omsctl products list --prefix MUG- --all -o json
            """,
        subcommands: [ProductsUpsertCommand.self, ProductsGetCommand.self, ProductsListCommand.self]
    )
}

/// `--status active|discontinued`.
enum ProductStatusArgument: String, CaseIterable, ExpressibleByArgument {
    case active
    case discontinued

    var proto: Oms_V1_ProductStatus {
        switch self {
        case .active: .active
        case .discontinued: .discontinued
        }
    }
}
