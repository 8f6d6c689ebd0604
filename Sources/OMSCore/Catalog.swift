import KeyValueStorage
public import OMSProto

/// The product catalog: upsert through the single writer, reads from the
/// database directly (never waiting for the writer).
public struct Catalog: Sendable {
    public static let upsertMethod = "/oms.v1.CatalogService/UpsertProduct"
    static let maxNameBytes = 200
    static let maxDescriptionBytes = 64 * 1024
    static let maxAttributes = 64

    let store: OMSStore

    public init(store: OMSStore) {
        self.store = store
    }

    // MARK: Commands

    /// Checks everything that does not depend on stored state (runs before
    /// the request is queued for the writer).
    public static func validate(_ request: Oms_V1_UpsertProductRequest) throws(DomainError) {
        var validator = Validator()
        Idempotency.validate(request.requestID, into: &validator)
        validator.check(request.expectedVersion >= 0, "expected_version", "must not be negative")
        guard let product = request.product else {
            validator.check(false, "product", "is required")
            try validator.throwIfInvalid()
            return
        }
        validateSKU(product.sku, field: "product.sku", into: &validator)
        validator.check(!product.name.isEmpty, "product.name", "must not be empty")
        validator.check(
            product.name.utf8.count <= maxNameBytes, "product.name", "must be at most \(maxNameBytes) bytes")
        validator.check(
            product.description_p.utf8.count <= maxDescriptionBytes, "product.description",
            "must be at most \(maxDescriptionBytes) bytes")
        MoneyRules.validate(product.unitPrice, field: "product.unit_price", required: true, into: &validator)
        validator.check(product.weightGrams >= 0, "product.weight_grams", "must not be negative")
        if case .UNRECOGNIZED(let value) = product.status {
            validator.check(false, "product.status", "unknown status \(value)")
        }
        validator.check(
            product.attributes.count <= maxAttributes, "product.attributes", "at most \(maxAttributes) entries")
        for (key, value) in product.attributes {
            validator.check(!key.isEmpty && key.utf8.count <= 64, "product.attributes", "keys must be 1-64 bytes")
            validator.check(value.utf8.count <= 1024, "product.attributes[\(key)]", "must be at most 1024 bytes")
        }
        try validator.throwIfInvalid()
    }

    public static func validateSKU(_ sku: String, field: String, into validator: inout Validator) {
        let bytes = sku.utf8
        if bytes.isEmpty {
            validator.check(false, field, "must not be empty")
            return
        }
        validator.check(bytes.count <= 64, field, "must be at most 64 characters")
        validator.check(
            bytes.allSatisfy { isSKUByte($0) }, field, "may contain only letters, digits, '.', '_' and '-'")
    }

    static func isSKUByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    /// Creates or updates a product. `completion` runs on the writer thread
    /// once the change is durable (or refused).
    public func upsert(
        _ request: Oms_V1_UpsertProductRequest, actor: String,
        completion: @escaping @Sendable (Result<Oms_V1_UpsertProductResponse, any Error>) -> Void
    ) {
        do {
            try Self.validate(request)
        } catch {
            completion(.failure(error))
            return
        }
        let store = self.store
        DomainCommand.submit(
            store,
            { transaction in
                try Self.apply(request, actor: actor, store: store, transaction: &transaction)
            }, completion: completion)
    }

    /// The command itself, run on the writer thread. Returns the response and
    /// the sequence of the event it appended (0 for an idempotent replay).
    static func apply(
        _ request: Oms_V1_UpsertProductRequest, actor: String, store: OMSStore,
        transaction: inout WriteTransaction
    ) throws -> (Oms_V1_UpsertProductResponse, UInt64) {
        let families = store.families
        var canonical = request
        canonical.requestID = ""
        if let replay = try Idempotency.replay(
            transaction, families: families, method: upsertMethod, requestID: request.requestID,
            request: canonical, as: Oms_V1_UpsertProductResponse.self)
        {
            return (replay, 0)
        }
        guard var product = request.product else { throw DomainError.invalid(field: "product", "is required") }
        let now = transaction.now / 1_000_000
        let key = Array(product.sku.utf8)
        let existing = try transaction.get(families.products, key).map { try Oms_V1_Product(serializedBytes: $0) }

        if let existing {
            if request.createOnly {
                throw DomainError(
                    .alreadyExists, "product \(product.sku) already exists", reason: "PRODUCT_EXISTS")
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
        transaction.put(families.products, key, product.serializedBytes())

        let sequence = try ChangeRecord.append(
            store: store, transaction: &transaction, type: existing == nil ? "product.created" : "product.updated",
            resourceType: "product", resourceID: product.sku, actor: actor, requestID: request.requestID,
            method: upsertMethod, payload: .product(product))

        var response = Oms_V1_UpsertProductResponse()
        response.product = product
        response.created = existing == nil
        Idempotency.record(
            &transaction, families: families, method: upsertMethod, requestID: request.requestID,
            request: canonical, response: response, nowMillis: now)
        return (response, sequence)
    }

    // MARK: Queries

    /// Hands the stored encoding of the product to `body` without decoding
    /// it (the bytes are valid only during the call): the fast read path.
    public func withStoredProduct<R>(sku: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        var validator = Validator()
        Self.validateSKU(sku, field: "sku", into: &validator)
        try validator.throwIfInvalid()
        var sku = sku
        return try sku.withUTF8 { key in
            try store.engine.withValue(store.families.products, UnsafeRawBufferPointer(key)) { value in
                guard let value else {
                    throw DomainError(
                        .notFound, "product \(String(decoding: key, as: UTF8.self)) not found",
                        reason: "PRODUCT_NOT_FOUND")
                }
                return try body(value)
            }
        }
    }

    public func list(_ request: Oms_V1_ListProductsRequest) throws -> Oms_V1_ListProductsResponse {
        let pageSize = try PageToken.pageSize(request.pageSize)
        var after = try PageToken.decode(request.pageToken)
        if !request.skuPrefix.isEmpty {
            var validator = Validator()
            validator.check(
                request.skuPrefix.utf8.allSatisfy(Self.isSKUByte), "sku_prefix",
                "may contain only letters, digits, '.', '_' and '-'")
            try validator.throwIfInvalid()
        }
        if case .UNRECOGNIZED(let value) = request.status {
            throw DomainError.invalid(field: "status", "unknown status \(value)")
        }
        let prefix = Array(request.skuPrefix.utf8)
        let snapshot = try store.engine.readView()
        var response = Oms_V1_ListProductsResponse()
        var lastKey: [UInt8]?
        // Fetch one extra row to know whether another page exists; with a
        // status filter, keep scanning in batches until the page is full.
        scanning: while true {
            let rows = try snapshot.scan(
                store.families.products, prefix: prefix, after: after, limit: pageSize + 1)
            for row in rows {
                if response.products.count == pageSize {
                    response.nextPageToken = PageToken.encode(lastKey!)
                    break scanning
                }
                lastKey = row.key
                let product = try Oms_V1_Product(serializedBytes: row.value)
                if request.status == .unspecified || product.status == request.status {
                    response.products.append(product)
                }
            }
            if rows.count <= pageSize { break }
            after = rows.last?.key
        }
        return response
    }
}
