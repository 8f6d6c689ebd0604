import OMSClient

/// How a product looks in each output format.
enum ProductPresentation {
    /// `active`, `discontinued`, or `-` when the status is not set.
    static func statusText(_ status: Oms_V1_ProductStatus) -> String {
        switch status {
        case .active: "active"
        case .discontinued: "discontinued"
        case .unspecified: "-"
        default: status.protoName.lowercased()
        }
    }

    static func price(_ product: Oms_V1_Product) -> String {
        guard let price = product.unitPrice else { return "" }
        return MoneyText.display(currency: price.currencyCode, amountMinor: price.amountMinor)
    }

    // MARK: Table

    static func table(_ products: [Oms_V1_Product], width: Int) -> String {
        var table = TableFormatter(
            columns: [
                .init(title: "sku", shrinkable: true, minimumWidth: 16, shrinkOrder: 1),
                .init(title: "name", shrinkable: true, minimumWidth: 12),
                .init(title: "price", alignRight: true),
                .init(title: "status"),
                .init(title: "version", alignRight: true),
            ], width: width)
        for product in products {
            table.append([
                product.sku, product.name, price(product), statusText(product.status), String(product.version),
            ])
        }
        return table.render()
    }

    static func details(_ product: Oms_V1_Product) -> String {
        var details = DetailFormatter()
        details.append("sku", product.sku)
        details.append("name", product.name)
        if !product.description_p.isEmpty { details.append("description", product.description_p) }
        details.append("price", price(product).isEmpty ? "-" : price(product))
        details.append("status", statusText(product.status))
        if product.weightGrams != 0 { details.append("weight", "\(product.weightGrams) g") }
        if !product.attributes.isEmpty {
            let lines = product.attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            details.append("attributes", lines.joined(separator: "\n"))
        }
        details.append("version", String(product.version))
        details.append("created", TimeText.iso8601(millis: product.createdAtMillis))
        details.append("updated", TimeText.iso8601(millis: product.updatedAtMillis))
        return details.render()
    }

    // MARK: JSON (proto3 JSON names, every field present)

    static func json(_ product: Oms_V1_Product) -> JSONValue {
        var attributes: [String: JSONValue] = [:]
        for (key, value) in product.attributes { attributes[key] = .string(value) }
        let unitPrice: JSONValue =
            product.unitPrice.map {
                .object(["currencyCode": .string($0.currencyCode), "amountMinor": .int64($0.amountMinor)])
            } ?? .null
        return .object([
            "sku": .string(product.sku),
            "name": .string(product.name),
            "description": .string(product.description_p),
            "unitPrice": unitPrice,
            "status": .string(product.status.protoName),
            "weightGrams": .int64(product.weightGrams),
            "attributes": .object(attributes),
            "version": .int64(product.version),
            "createdAtMillis": .int64(product.createdAtMillis),
            "updatedAtMillis": .int64(product.updatedAtMillis),
        ])
    }

    // MARK: CSV

    static let csvHeader = [
        "sku", "name", "description", "status", "currencyCode", "amountMinor", "price", "weightGrams",
        "attributes", "version", "createdAtMillis", "updatedAtMillis",
    ]

    /// One CSV row; `attributes` is a JSON object so values may hold any character.
    static func csvRow(_ product: Oms_V1_Product) -> [String] {
        var attributes: [String: JSONValue] = [:]
        for (key, value) in product.attributes { attributes[key] = .string(value) }
        let compactAttributes = attributes.isEmpty ? "" : JSONWriter.renderCompact(.object(attributes))
        return [
            product.sku, product.name, product.description_p, product.status.protoName,
            product.unitPrice?.currencyCode ?? "", product.unitPrice.map { String($0.amountMinor) } ?? "",
            product.unitPrice.map { MoneyText.decimal($0.amountMinor, currency: $0.currencyCode) } ?? "",
            String(product.weightGrams), compactAttributes, String(product.version),
            String(product.createdAtMillis), String(product.updatedAtMillis),
        ]
    }
}
