import OMSClient
import Testing

@Suite("SDK server streams")
struct EventStreamTests {
    static let watch = Oms_V1_EventService.Method.watchEvents
    static let bounded = OMSClient.CallOptions(timeout: .seconds(30))

    @Test("watchEvents delivers the feed in order, resumes after a sequence, then goes live")
    func orderAndResume() async throws {
        try await withDaemonAndClient { _, client in
            let skus = (1...5).map { "EV-\($0)" }
            for sku in skus { _ = try await client.catalog.upsertProduct(product(sku)) }

            var all: [Oms_V1_Event] = []
            for try await event in client.serverStream(
                Self.watch, .with { $0.afterSequence = 0 }, options: Self.bounded)
            {
                all.append(event)
                if event.resourceID == "EV-5" { break }
            }
            // A fresh daemon: the feed is exactly these five creations, numbered from 1 without gaps.
            #expect(all.map(\.sequence) == [1, 2, 3, 4, 5])
            #expect(all.map(\.resourceID) == skus)
            #expect(all.allSatisfy { $0.type == "product.created" && $0.resourceType == "product" })
            if case .product(let payload)? = all.last?.payload {
                #expect(payload.sku == "EV-5")
                #expect(payload.version == 1)
            } else {
                Issue.record("event 5 has no product payload")
            }

            var resumed = client.serverStream(Self.watch, .with { $0.afterSequence = 3 }, options: Self.bounded)
                .makeAsyncIterator()
            let fourth = try await resumed.next()
            let fifth = try await resumed.next()
            #expect(fourth?.sequence == 4)
            #expect(fourth?.resourceID == "EV-4")
            #expect(fifth?.sequence == 5)
            #expect(fifth?.resourceID == "EV-5")

            // Caught up: the next event arrives live.
            _ = try await client.catalog.upsertProduct(product("EV-1", name: "Widget v2"))
            let live = try await resumed.next()
            #expect(live?.sequence == 6)
            #expect(live?.resourceID == "EV-1")
            #expect(live?.type == "product.updated")
        }
    }

    @Test("leaving the loop cancels the stream: the client resets it and omsd ends the call")
    func stopIterating() async throws {
        let calls = CallLog()
        try await withDaemonAndClient(logger: calls.logger()) { omsd, direct in
            _ = try await direct.catalog.upsertProduct(product("S-1"))
            try await withRelay(to: omsd) { relay, client in
                for try await event in client.serverStream(Self.watch, .init(), options: Self.bounded) {
                    #expect(event.resourceID == "S-1")
                    break
                }
                #expect(await eventually { relay.counts.resetsForwarded == 1 })
                #expect(
                    await eventually {
                        calls.count(method: "/oms.v1.EventService/WatchEvents", status: "CANCELLED") == 1
                    })
                // The connection is still good for the next call.
                _ = try await client.admin.ping()
                #expect(relay.counts.connections == 1)
            }
        }
    }

    @Test("a stream dropped before its call has started is never left open on omsd")
    func dropBeforeStart() async throws {
        try await withDaemonAndClient { omsd, _ in
            try await withRelay(to: omsd) { relay, client in
                do {
                    // The client's first call, made and dropped at once (as when the
                    // consuming task is cancelled early), while the connection is still opening.
                    _ = client.serverStream(Self.watch, .init(), options: Self.bounded)
                }
                _ = await eventually(within: .seconds(2)) { relay.counts.requestsForwarded >= 1 }
                // Either the call was never sent, or it was reset.
                #expect(
                    await eventually(within: .seconds(2)) {
                        relay.counts.requestsForwarded == relay.counts.resetsForwarded
                    })
            }
        }
    }

    @Test("a stream the server refuses throws OMSError")
    func refusedStream() async throws {
        try await withDaemonAndClient { omsd, _ in
            let wrong = try OMSClient(address: omsd.address, token: "not-the-token")
            var thrown: (any Error)?
            do {
                for try await _ in wrong.serverStream(Self.watch, .init(), options: Self.bounded) {}
            } catch {
                thrown = error
            }
            await wrong.close()
            #expect((thrown as? OMSError)?.code == .unauthenticated)
        }
    }
}
