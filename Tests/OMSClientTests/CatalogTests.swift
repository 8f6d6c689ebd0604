import OMSClient
import Testing

@Suite("SDK catalog")
struct CatalogTests {
    @Test("upsert creates, then updates; product(sku:) returns what was stored")
    func upsertAndGet() async throws {
        try await withDaemonAndClient { _, client in
            let (created, wasCreated) = try await client.catalog.upsertProduct(product("MUG-350", name: "Blue mug"))
            #expect(wasCreated)
            #expect(created.version == 1)
            #expect(created.status == .active)
            #expect(created.createdAtMillis > 0)

            let (updated, wasCreatedAgain) = try await client.catalog.upsertProduct(
                product("MUG-350", name: "Blue mug 350 ml", price: 899, currency: "EUR"), expectedVersion: 1)
            #expect(!wasCreatedAgain)
            #expect(updated.version == 2)
            #expect(updated.name == "Blue mug 350 ml")
            #expect(updated.unitPrice?.amountMinor == 899)
            #expect(updated.unitPrice?.currencyCode == "EUR")
            #expect(updated.createdAtMillis == created.createdAtMillis)

            let fetched = try await client.catalog.product(sku: "MUG-350")
            #expect(fetched == updated)
        }
    }

    @Test("listProducts pages by SKU with nextPageToken; the last page has none")
    func paging() async throws {
        try await withDaemonAndClient { _, client in
            let skus = (0..<23).map { "P-\(100 + $0)" }
            for sku in skus.reversed() { _ = try await client.catalog.upsertProduct(product(sku)) }
            _ = try await client.catalog.upsertProduct(product("OTHER-1"))

            var seen: [String] = []
            var token: String?
            var pages: [Int] = []
            repeat {
                let page = try await client.catalog.listProducts(pageSize: 10, pageToken: token, skuPrefix: "P-")
                pages.append(page.items.count)
                seen += page.items.map(\.sku)
                #expect(page.hasMore == (page.nextPageToken != nil))
                token = page.nextPageToken
            } while token != nil && pages.count < 10
            #expect(pages == [10, 10, 3])
            #expect(seen == skus)

            let everything = try await client.catalog.listProducts()
            #expect(everything.items.count == 24)
            #expect(everything.nextPageToken == nil)
        }
    }

    @Test("allProducts walks every page in SKU order")
    func allProducts() async throws {
        try await withDaemonAndClient { _, client in
            let skus = (0..<17).map { "A-" + String(1000 + $0).dropFirst() }
            for sku in skus.shuffled() { _ = try await client.catalog.upsertProduct(product(sku)) }
            _ = try await client.catalog.upsertProduct(product("B-1"))

            var seen: [String] = []
            for try await item in client.catalog.allProducts(skuPrefix: "A-", pageSize: 5) { seen.append(item.sku) }
            #expect(seen == skus)

            var all: [String] = []
            for try await item in client.catalog.allProducts(pageSize: 4) { all.append(item.sku) }
            #expect(all == skus + ["B-1"])
        }
    }
}
