public import OMSProto

/// `UpsertProduct`: creates a product or replaces it (optionally only at the
/// version the caller read, or only when it does not exist yet).
public struct UpsertProduct: WriteCommand {
    public static let method = Oms_V1_CatalogService.Method.upsertProduct
    static let maxNameBytes = 200
    static let maxDescriptionBytes = 64 * 1024
    static let maxAttributes = 64

    public init() {}

    public func validate(_ request: Oms_V1_UpsertProductRequest, into validator: inout Validator) {
        validator.check(request.expectedVersion >= 0, "expected_version", "must not be negative")
        guard let product = request.product else {
            return validator.check(false, "product", "is required")
        }
        validator.checkSKU(product.sku, "product.sku")
        validator.check(!product.name.isEmpty, "product.name", "must not be empty")
        validator.check(
            product.name.utf8.count <= Self.maxNameBytes, "product.name", "must be at most \(Self.maxNameBytes) bytes")
        validator.check(
            product.description_p.utf8.count <= Self.maxDescriptionBytes, "product.description",
            "must be at most \(Self.maxDescriptionBytes) bytes")
        MoneyRules.validate(product.unitPrice, field: "product.unit_price", required: true, into: &validator)
        validator.check(product.weightGrams >= 0, "product.weight_grams", "must not be negative")
        if case .UNRECOGNIZED(let value) = product.status {
            validator.check(false, "product.status", "unknown status \(value)")
        }
        validator.check(
            product.attributes.count <= Self.maxAttributes, "product.attributes",
            "at most \(Self.maxAttributes) entries")
        for (key, value) in product.attributes {
            validator.check(!key.isEmpty && key.utf8.count <= 64, "product.attributes", "keys must be 1-64 bytes")
            validator.check(value.utf8.count <= 1024, "product.attributes[\(key)]", "must be at most 1024 bytes")
        }
    }

    public func apply(
        _ request: Oms_V1_UpsertProductRequest, in context: inout CommandContext
    ) throws -> Oms_V1_UpsertProductResponse {
        var product = request.product!
        let now = context.nowMillis
        let key = Array(product.sku.utf8)
        let products = context.families.products
        let existing = try context.transaction.get(products, key).map { try Oms_V1_Product(serializedBytes: $0) }
        if let existing {
            if request.createOnly {
                throw DomainError(.alreadyExists, "product \(product.sku) already exists", reason: "PRODUCT_EXISTS")
            }
            if request.expectedVersion != 0 && request.expectedVersion != existing.version {
                throw DomainError(
                    .aborted,
                    "product \(product.sku) is at version \(existing.version), not \(request.expectedVersion)",
                    reason: "VERSION_MISMATCH")
            }
            product.version = existing.version + 1
            product.createdAtMillis = existing.createdAtMillis
        } else {
            if request.expectedVersion != 0 {
                throw DomainError(
                    .aborted, "product \(product.sku) does not exist (expected version \(request.expectedVersion))",
                    reason: "VERSION_MISMATCH")
            }
            product.version = 1
            product.createdAtMillis = now
        }
        if product.status == .unspecified { product.status = .active }
        product.updatedAtMillis = now
        context.transaction.put(products, key, product.serializedBytes())
        try context.record(
            existing == nil ? "product.created" : "product.updated", resource: "product", id: product.sku,
            payload: .product(product))
        var response = Oms_V1_UpsertProductResponse()
        response.product = product
        response.created = existing == nil
        return response
    }
}
