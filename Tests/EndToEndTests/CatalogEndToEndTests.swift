import OMSProto
import RPC
import Testing

typealias Catalog = Oms_V1_CatalogService.Method

@Suite("Catalog end to end")
struct CatalogEndToEndTests {
    @Test("upsert, get and list through gRPC")
    func upsertGetList() async throws {
        try await withDaemon { omsd in
            let created = try await omsd.client.unary(Catalog.upsertProduct, .with { $0.product = product("SKU-1") })
            #expect(created.created)
            #expect(created.product?.version == 1)
            #expect(created.product?.status == .active)

            let updated = try await omsd.client.unary(
                Catalog.upsertProduct,
                .with {
                    $0.product = product("SKU-1", name: "Widget v2")
                    $0.expectedVersion = 1
                })
            #expect(!updated.created)
            #expect(updated.product?.version == 2)
            #expect(updated.product?.createdAtMillis == created.product?.createdAtMillis)

            let fetched = try await omsd.client.unary(Catalog.getProduct, .with { $0.sku = "SKU-1" })
            #expect(fetched.product == updated.product)

            for index in 0..<25 {
                _ = try await omsd.client.unary(
                    Catalog.upsertProduct, .with { $0.product = product("P-\(100 + index)") })
            }
            var seen: [String] = []
            var token = ""
            var pages = 0
            repeat {
                let page = try await omsd.client.unary(
                    Catalog.listProducts,
                    .with {
                        $0.skuPrefix = "P-"
                        $0.pageSize = 10
                        $0.pageToken = token
                    })
                seen += page.products.map(\.sku)
                token = page.nextPageToken
                pages += 1
            } while !token.isEmpty
            #expect(pages == 3)
            #expect(seen == (0..<25).map { "P-\(100 + $0)" })
        }
    }

    @Test("optimistic concurrency, create-only and not-found are precise errors")
    func preconditions() async throws {
        try await withDaemon { omsd in
            _ = try await omsd.client.unary(Catalog.upsertProduct, .with { $0.product = product("A") })
            let stale = await rpcError {
                _ = try await omsd.client.unary(
                    Catalog.upsertProduct,
                    .with {
                        $0.product = product("A")
                        $0.expectedVersion = 7
                    })
            }
            #expect(stale?.code == .aborted)
            #expect(stale?.reason == "VERSION_MISMATCH")
            let exists = await rpcError {
                _ = try await omsd.client.unary(
                    Catalog.upsertProduct,
                    .with {
                        $0.product = product("A")
                        $0.createOnly = true
                    })
            }
            #expect(exists?.code == .alreadyExists)
            let missing = await rpcError {
                _ = try await omsd.client.unary(Catalog.getProduct, .with { $0.sku = "NOPE" })
            }
            #expect(missing?.code == .notFound)
            #expect(missing?.reason == "PRODUCT_NOT_FOUND")
        }
    }

    @Test("invalid products name every bad field and change nothing")
    func validation() async throws {
        try await withDaemon { omsd in
            var bad = product("bad sku!", name: "", price: -5, currency: "usd")
            bad.weightGrams = -1
            let error = await rpcError {
                _ = try await omsd.client.unary(Catalog.upsertProduct, .with { $0.product = bad })
            }
            #expect(error?.code == .invalidArgument)
            let fields = Set(error?.fieldViolations.map(\.field) ?? [])
            #expect(
                fields == [
                    "product.sku", "product.name", "product.unit_price.currency_code",
                    "product.unit_price.amount_minor",
                    "product.weight_grams",
                ])
            let list = try await omsd.client.unary(Catalog.listProducts, .init())
            #expect(list.products.isEmpty)
            let badToken = await rpcError {
                _ = try await omsd.client.unary(Catalog.listProducts, .with { $0.pageToken = "zzz" })
            }
            #expect(badToken?.fieldViolations.first?.field == "page_token")
        }
    }

    @Test("request_id: same request replays the response, a different request is ALREADY_EXISTS")
    func idempotency() async throws {
        try await withDaemon { omsd in
            let request = Oms_V1_UpsertProductRequest.with {
                $0.requestID = "req-1"
                $0.product = product("IDEM")
            }
            let first = try await omsd.client.unary(Catalog.upsertProduct, request)
            let second = try await omsd.client.unary(Catalog.upsertProduct, request)
            #expect(first == second)
            let stored = try await omsd.client.unary(Catalog.getProduct, .with { $0.sku = "IDEM" })
            #expect(stored.product?.version == 1)  // applied once
            var different = request
            different.product?.name = "Other"
            let conflict = await rpcError { _ = try await omsd.client.unary(Catalog.upsertProduct, different) }
            #expect(conflict?.code == .alreadyExists)
            #expect(conflict?.reason == "REQUEST_ID_REUSED")
        }
    }

    @Test("every call but health needs the bearer token")
    func authentication() async throws {
        try await withDaemon { omsd in
            let anonymous = omsd.anonymousClient()
            let health = try await anonymous.unary(Grpc_Health_V1_Health.Method.check, .init())
            #expect(health.status == .serving)
            let denied = await rpcError { _ = try await anonymous.unary(Catalog.getProduct, .with { $0.sku = "A" }) }
            #expect(denied?.code == .unauthenticated)
            await anonymous.close()

            var wrong = Metadata()
            wrong.add("authorization", "Bearer not-the-token")
            let wrongClient = RPCClient(config: .init(host: "127.0.0.1", port: omsd.port, defaultMetadata: wrong))
            let rejected = await rpcError {
                _ = try await wrongClient.unary(Catalog.getProduct, .with { $0.sku = "A" })
            }
            #expect(rejected?.code == .unauthenticated)
            await wrongClient.close()
        }
    }

    @Test("concurrent upserts are grouped into fewer durable commits, each acknowledged")
    func groupCommit() async throws {
        try await withDaemon { omsd in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<300 {
                    group.addTask {
                        _ = try await omsd.client.unary(
                            Catalog.upsertProduct, .with { $0.product = product("G-\(index)") })
                    }
                }
                try await group.waitForAll()
            }
            let info = try await omsd.client.unary(Oms_V1_AdminService.Method.getServerInfo, .init())
            #expect(info.writeCommands >= 300)
            #expect(info.writeGroups < info.writeCommands)
            let list = try await omsd.client.unary(
                Catalog.listProducts,
                .with {
                    $0.skuPrefix = "G-"
                    $0.pageSize = 1000
                })
            #expect(list.products.count == 300)
        }
    }

    @Test("data and token survive a restart")
    func restart() async throws {
        let first = try await DaemonHarness.start()
        _ = try await first.client.unary(Catalog.upsertProduct, .with { $0.product = product("KEEP") })
        await first.stop(removeData: false)
        let second = try await DaemonHarness.start(dataDirectory: first.dataDirectory)
        #expect(second.token == first.token)
        let kept = try await second.client.unary(Catalog.getProduct, .with { $0.sku = "KEEP" })
        #expect(kept.product?.name == "Widget")
        await second.stop()
    }

    @Test("the event feed records every change in order and resumes after a sequence")
    func events() async throws {
        try await withDaemon { omsd in
            for sku in ["E1", "E2", "E1"] {
                _ = try await omsd.client.unary(Catalog.upsertProduct, .with { $0.product = product(sku) })
            }
            var received: [Oms_V1_Event] = []
            for try await event in omsd.client.serverStreaming(Oms_V1_EventService.Method.watchEvents, .init()) {
                received.append(event)
                if received.count == 3 { break }
            }
            #expect(received.map(\.sequence) == [1, 2, 3])
            #expect(received.map(\.type) == ["product.created", "product.created", "product.updated"])
            guard case .product(let payload)? = received[2].payload else {
                Issue.record("event without product payload")
                return
            }
            #expect(payload.version == 2)

            // Resume after 2, then see a live event.
            let stream = omsd.client.serverStreaming(
                Oms_V1_EventService.Method.watchEvents, .with { $0.afterSequence = 2 })
            var iterator = stream.makeAsyncIterator()
            let third = try await iterator.next()
            #expect(third?.sequence == 3)
            _ = try await omsd.client.unary(Catalog.upsertProduct, .with { $0.product = product("LIVE") })
            let live = try await iterator.next()
            #expect(live?.sequence == 4)
            #expect(live?.resourceID == "LIVE")
        }
    }
}
