import ArgumentParser
import OMSClient

struct ProductsUpsertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upsert",
        abstract: "Create a product, or replace an existing product's fields.",
        usage: """
            omsctl products upsert --sku <sku> --name <name> --price <amount>
              --currency <code> [<options>]
            omsctl products upsert --merge --sku <sku> [<options>]
            """,
        discussion: """
            Upsert replaces every field of an existing product: options you leave out are
            stored empty (no description, no attributes, ...), so pass the whole product,
            or use --merge to change only the fields you give. Use --create-only to
            refuse to overwrite, and --expected-version to overwrite only the version you
            read (ABORTED, exit 6, if it changed since).

            --merge reads the stored product first and keeps every field you leave out;
            --attribute key=value adds or replaces one attribute and --attribute key=
            removes it. It writes only if nobody changed the product in between
            (ABORTED, exit 6, otherwise: run it again).

            The price is a decimal in the currency's unit and is stored exactly as integer
            minor units: --price 12.50 --currency USD is 1250 cents; JPY takes whole yen,
            BHD/KWD/... three decimals. More decimals than the currency has are refused.

            Each call sends an idempotency key (--request-id, or a generated one), so a
            retry after a lost connection never applies the write twice.

            EXAMPLES
              omsctl products upsert --sku MUG-350 --name "Blue mug 350 ml" \\
                  --price 8.99 --currency EUR
              omsctl products upsert --sku TEA-1 --name Sencha --price 1200 \\
                  --currency JPY --weight-grams 100 \\
                  --attribute origin=Shizuoka --attribute grade=first-flush
              omsctl products upsert --sku MUG-350 --name "Blue mug 350 ml" \\
                  --price 9.49 --currency EUR --expected-version 3
              omsctl products upsert --merge --sku MUG-350 --price 9.99
              omsctl products upsert --merge --sku MUG-350 --status discontinued
            """
    )

    @Option(help: ArgumentHelp("The product's SKU (its key).", valueName: "sku"))
    var sku: String

    @Option(help: ArgumentHelp("The product name (required unless --merge).", valueName: "name"))
    var name: String?

    @Option(
        help: ArgumentHelp(
            "Unit price as a decimal in --currency, e.g. 12.50 (required unless --merge).", valueName: "amount"))
    var price: String?

    @Option(
        help: ArgumentHelp(
            "ISO 4217 currency of --price, e.g. USD, EUR, JPY (required unless --merge).", valueName: "code"))
    var currency: String?

    @Option(help: ArgumentHelp("A longer description.", valueName: "text"))
    var description: String?

    @Option(
        name: .customLong("weight-grams"), help: ArgumentHelp("Shipping weight per unit in grams.", valueName: "grams"))
    var weightGrams: Int64?

    @Option(help: ArgumentHelp("active or discontinued (default: the server's, active).", valueName: "status"))
    var status: ProductStatusArgument?

    @Option(
        name: .customLong("attribute"),
        help: ArgumentHelp("A free-form attribute as key=value; repeat for more.", valueName: "key=value"))
    var attributes: [String] = []

    @Option(
        name: .customLong("request-id"), help: ArgumentHelp("Idempotency key (default: generated).", valueName: "id"))
    var requestID: String?

    @Option(
        name: .customLong("expected-version"),
        help: ArgumentHelp("Write only if the stored version is this one.", valueName: "version"))
    var expectedVersion: Int64?

    @Flag(name: .customLong("create-only"), help: "Fail (ALREADY_EXISTS, exit 6) if the SKU exists.")
    var createOnly = false

    @Flag(help: "Change only the fields given; keep the stored product's other fields.")
    var merge = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if !merge {
            var missing: [String] = []
            if name == nil { missing.append("--name") }
            if price == nil { missing.append("--price") }
            if currency == nil { missing.append("--currency") }
            if !missing.isEmpty {
                throw ValidationError(
                    "missing \(missing.joined(separator: ", ")) (needed for a whole product; "
                        + "use --merge to change only some fields of a stored one)")
            }
        }
        if merge && createOnly { throw ValidationError("--merge changes a stored product; leave out --create-only") }
        if currency != nil && price == nil { throw ValidationError("--currency needs --price") }
        if let price {
            if let currency {
                do throws(MoneyText.ParseError) {
                    _ = try MoneyText.minorUnits(price, currency: try MoneyText.currencyCode(currency))
                } catch {
                    throw ValidationError(error.description)
                }
            } else if !merge {
                throw ValidationError("--price needs --currency")
            }
        }
        if let weightGrams, weightGrams < 0 { throw ValidationError("--weight-grams cannot be negative") }
        if let expectedVersion, expectedVersion < 1 {
            throw ValidationError("--expected-version must be a version number (1 or more); see `omsctl products get`")
        }
        if expectedVersion != nil && createOnly {
            throw ValidationError("--create-only and --expected-version exclude each other")
        }
        _ = try parsedAttributes()
    }

    /// `--attribute` values by key; an empty value (`key=`) means "remove" with --merge.
    private func parsedAttributes() throws -> [String: String] {
        var result: [String: String] = [:]
        for attribute in attributes {
            guard let equals = attribute.firstIndex(of: "="), equals != attribute.startIndex else {
                throw ValidationError("--attribute '\(attribute)' must be key=value, e.g. --attribute color=blue")
            }
            let key = String(attribute[..<equals])
            guard result[key] == nil else { throw ValidationError("--attribute \(key) is given twice") }
            result[key] = String(attribute[attribute.index(after: equals)...])
        }
        return result
    }

    /// Sets the fields given on the command line; leaves the others as they are.
    private func apply(to product: inout Oms_V1_Product) throws {
        product.sku = sku
        if let name { product.name = name }
        if let description { product.description_p = description }
        if let price {
            // With --merge and no --currency, the price is in the stored currency.
            guard let currencyText = currency ?? product.unitPrice?.currencyCode, !currencyText.isEmpty else {
                throw CLIError("\(sku) has no stored price: give --currency with --price", exitCode: ExitStatus.usage)
            }
            let code = try MoneyText.currencyCode(currencyText)
            let amountMinor: Int64
            do throws(MoneyText.ParseError) {
                amountMinor = try MoneyText.minorUnits(price, currency: code)
            } catch {
                throw CLIError(error.description, exitCode: ExitStatus.usage)
            }
            product.unitPrice = Oms_V1_Money.with {
                $0.currencyCode = code
                $0.amountMinor = amountMinor
            }
        }
        if let weightGrams { product.weightGrams = weightGrams }
        if let status { product.status = status.proto }
        for (key, value) in try parsedAttributes() {
            product.attributes[key] = merge && value.isEmpty ? nil : value
        }
        // Server-maintained fields are not part of the request.
        product.version = 0
        product.createdAtMillis = 0
        product.updatedAtMillis = 0
    }

    func run() async throws {
        let (saved, created) = try await global.withClient { client in
            var product = Oms_V1_Product()
            var expected = expectedVersion ?? 0
            if merge {
                do {
                    product = try await client.catalog.product(sku: sku)
                } catch let error as OMSError where error.code == .notFound {
                    throw OMSError(
                        code: .notFound,
                        message: "\(error.message): --merge changes a stored product; leave it out to create one")
                }
                if expected == 0 { expected = product.version }
            }
            try apply(to: &product)
            return try await client.catalog.upsertProduct(
                product, requestID: requestID, expectedVersion: expected, createOnly: createOnly)
        }
        switch global.output {
        case .table:
            Console.error("\(created ? "created" : "updated") \(saved.sku) (version \(saved.version))")
            Console.out(ProductPresentation.details(saved))
        case .json:
            Console.out(
                JSONWriter.render(.object(["created": .bool(created), "product": ProductPresentation.json(saved)])))
        case .csv:
            var csv = CSVWriter(header: ["created"] + ProductPresentation.csvHeader)
            csv.appendRow([String(created)] + ProductPresentation.csvRow(saved))
            Console.out(csv.text)
        }
    }
}
