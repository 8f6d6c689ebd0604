extension OMSClient {
    /// Calls of `oms.v1.CatalogService`: the products that can be ordered or stocked.
    public struct Catalog: Sendable {
        let client: OMSClient

        /// Creates a product or replaces every mutable field of an existing one.
        ///
        /// Fields left at their defaults are stored as such, so send the whole
        /// product, not only what changed. The call is idempotent: it carries
        /// one `request_id` (``RequestID/generate()`` unless you pass one), and
        /// every retry after ``OMSError/Code/unavailable`` reuses it, so the
        /// write is applied at most once.
        ///
        /// ```swift
        /// var mug = Oms_V1_Product()
        /// mug.sku = "MUG-350"
        /// mug.name = "Blue mug 350 ml"
        /// mug.unitPrice = .with { $0.currencyCode = "EUR"; $0.amountMinor = 899 }
        /// let (saved, created) = try await client.catalog.upsertProduct(mug)
        /// ```
        ///
        /// - Parameters:
        ///   - product: the product; `sku` is the key.
        ///   - requestID: the idempotency key; a reused key with a different
        ///     request fails with ``OMSError/Code/alreadyExists``.
        ///   - expectedVersion: when non-zero, the write happens only if the stored
        ///     `version` equals it; ``OMSError/Code/aborted`` otherwise.
        ///   - createOnly: fail with ``OMSError/Code/alreadyExists`` if the SKU exists.
        ///   - options: timeout, metadata and retry policy for this call.
        /// - Returns: the product as stored (with `version` and timestamps) and
        ///   whether this call created it.
        public func upsertProduct(
            _ product: Oms_V1_Product, requestID: String? = nil, expectedVersion: Int64 = 0, createOnly: Bool = false,
            options: CallOptions = CallOptions()
        ) async throws(OMSError) -> (product: Oms_V1_Product, created: Bool) {
            var request = Oms_V1_UpsertProductRequest()
            request.requestID = requestID ?? RequestID.generate()
            request.product = product
            request.expectedVersion = expectedVersion
            request.createOnly = createOnly
            let response = try await client.call(
                Oms_V1_CatalogService.Method.upsertProduct, request, options: options, idempotent: true)
            return (response.product ?? Oms_V1_Product(), response.created)
        }

        /// The product with this SKU.
        ///
        /// - Throws: ``OMSError`` with ``OMSError/Code/notFound`` when there is none.
        public func product(
            sku: String, options: CallOptions = CallOptions()
        ) async throws(OMSError)
            -> Oms_V1_Product
        {
            var request = Oms_V1_GetProductRequest()
            request.sku = sku
            let response = try await client.call(
                Oms_V1_CatalogService.Method.getProduct, request, options: options, idempotent: true)
            guard let product = response.product else {
                throw OMSError(code: .internalError, message: "the server answered GetProduct without a product")
            }
            return product
        }

        /// One page of products, ordered by SKU.
        ///
        /// - Parameters:
        ///   - pageSize: at most this many products; 0 means the server's default (50), the maximum is 1000.
        ///   - pageToken: ``Page/nextPageToken`` of the previous page; `nil` for the first page.
        ///   - skuPrefix: only SKUs that start with this.
        ///   - status: only products with this status; `.unspecified` lists all.
        ///   - options: timeout, metadata and retry policy for this call.
        public func listProducts(
            pageSize: Int = 0, pageToken: String? = nil, skuPrefix: String = "",
            status: Oms_V1_ProductStatus = .unspecified, options: CallOptions = CallOptions()
        ) async throws(OMSError) -> Page<Oms_V1_Product> {
            guard (0...Int(Int32.max)).contains(pageSize) else {
                throw OMSError(
                    code: .invalidArgument,
                    message: "pageSize must be from 0 to \(Int32.max) (the server caps a page at 1000)",
                    fieldViolations: [.init(field: "page_size", description: "must be from 0 to \(Int32.max)")])
            }
            var request = Oms_V1_ListProductsRequest()
            request.pageSize = Int32(pageSize)
            request.pageToken = pageToken ?? ""
            request.skuPrefix = skuPrefix
            request.status = status
            let response = try await client.call(
                Oms_V1_CatalogService.Method.listProducts, request, options: options, idempotent: true)
            return Page(
                items: response.products,
                nextPageToken: response.nextPageToken.isEmpty ? nil : response.nextPageToken)
        }

        /// Every matching product, ordered by SKU, fetching page after page as
        /// the sequence is iterated.
        ///
        /// ```swift
        /// for try await product in client.catalog.allProducts(skuPrefix: "MUG-") {
        ///     print(product.sku)
        /// }
        /// ```
        ///
        /// Each page is its own call (with its own timeout and retries). The
        /// stream throws only ``OMSError``; stopping the iteration stops the paging.
        public func allProducts(
            skuPrefix: String = "", status: Oms_V1_ProductStatus = .unspecified, pageSize: Int = 0,
            options: CallOptions = CallOptions()
        ) -> AsyncThrowingStream<Oms_V1_Product, any Error> {
            let cursor = PageCursor<Oms_V1_Product> { token throws(OMSError) in
                try await self.listProducts(
                    pageSize: pageSize, pageToken: token, skuPrefix: skuPrefix, status: status, options: options)
            }
            return AsyncThrowingStream(unfolding: { try await cursor.next() })
        }
    }
}
