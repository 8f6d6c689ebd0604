import OMSClient
import Testing

@Suite("SDK typed errors")
struct ErrorTests {
    @Test("a missing product is NOT_FOUND with the server's reason")
    func notFound() async throws {
        try await withDaemonAndClient { _, client in
            let error = await omsError { _ = try await client.catalog.product(sku: "NOPE-1") }
            #expect(error?.code == .notFound)
            #expect(error?.reason == "PRODUCT_NOT_FOUND")
            #expect(error?.message.contains("NOPE-1") == true)
        }
    }

    @Test("an invalid product is INVALID_ARGUMENT naming product.sku, and nothing is stored")
    func invalidArgument() async throws {
        try await withDaemonAndClient { _, client in
            let error = await omsError { _ = try await client.catalog.upsertProduct(product("")) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.fieldViolations.map(\.field) == ["product.sku"])
            #expect(error?.fieldViolations.first?.description.isEmpty == false)

            var bad = product("bad sku!", name: "")
            bad.weightGrams = -1
            let several = await omsError { _ = try await client.catalog.upsertProduct(bad) }
            #expect(
                Set(several?.fieldViolations.map(\.field) ?? [])
                    == ["product.sku", "product.name", "product.weight_grams"])
            let stored = try await client.catalog.listProducts()
            #expect(stored.items.isEmpty)
        }
    }

    @Test("a wrong token is UNAUTHENTICATED; health still works with it")
    func unauthenticated() async throws {
        try await withDaemonAndClient { omsd, _ in
            let wrong = try OMSClient(address: omsd.address, token: "not-the-token")
            let error = await omsError { _ = try await wrong.catalog.product(sku: "A") }
            let ping = await omsError { _ = try await wrong.admin.ping() }
            let health = await outcome { try await wrong.health.check() }
            await wrong.close()
            #expect(error?.code == .unauthenticated)
            #expect(ping?.code == .unauthenticated)
            #expect(health.failure == nil)
            #expect((try? health.get()) == .serving)
        }
    }

    @Test("nothing listening is UNAVAILABLE, after the retries")
    func unavailable() async throws {
        let port = try closedPort()
        let client = try OMSClient(address: "127.0.0.1:\(port)", token: "whatever")
        let read = await omsError { _ = try await client.catalog.product(sku: "A") }
        let write = await omsError { _ = try await client.catalog.upsertProduct(product("A")) }
        let health = await omsError { _ = try await client.health.check() }
        await client.close()
        #expect(read?.code == .unavailable)
        #expect(write?.code == .unavailable)
        #expect(health?.code == .unavailable)
    }

    @Test("ping with a 2 s delay and a 100 ms timeout is DEADLINE_EXCEEDED; the client stays usable")
    func deadline() async throws {
        try await withDaemonAndClient { _, client in
            let error = await omsError {
                _ = try await client.admin.ping(delay: .seconds(2), options: .init(timeout: .milliseconds(100)))
            }
            #expect(error?.code == .deadlineExceeded)
            let after = try await client.admin.ping(payload: [7])
            #expect(after.payload == [7])
        }
    }

    @Test("a ping delay outside 0...10 s is refused before sending")
    func pingDelayRange() async throws {
        let client = try OMSClient(address: "127.0.0.1:\(try closedPort())", token: nil)
        let error = await omsError { _ = try await client.admin.ping(delay: .seconds(11)) }
        await client.close()
        #expect(error?.code == .invalidArgument)
        #expect(error?.fieldViolations.first?.field == "delay_millis")
    }
}
