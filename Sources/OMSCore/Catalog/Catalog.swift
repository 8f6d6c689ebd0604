import KeyValueStorage
public import OMSProto

/// The product catalog: `UpsertProduct` through the single writer, reads from
/// the store directly (never waiting for the writer).
public struct Catalog: Sendable {
    let store: OMSStore

    public init(store: OMSStore) {
        self.store = store
    }

    /// Creates or updates a product (`UpsertProduct`).
    public func upsert(
        _ request: Oms_V1_UpsertProductRequest, actor: String
    ) async throws
        -> Oms_V1_UpsertProductResponse
    {
        try await store.run(UpsertProduct(), request, actor: actor)
    }

    // MARK: Queries

    /// Hands the stored encoding of the product to `body` without decoding
    /// it (the bytes are valid only during the call): the fast read path.
    public func withStoredProduct<R>(sku: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        var validator = Validator()
        validator.checkSKU(sku, "sku")
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
                request.skuPrefix.utf8.allSatisfy(Identifier.isAllowed), "sku_prefix",
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
