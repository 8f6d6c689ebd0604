import OMSClient
import Testing

@Suite("SDK retries")
struct RetryTests {
    static let upsert = "/oms.v1.CatalogService/UpsertProduct"

    @Test("a write whose response is lost twice is retried with the same request_id and applied once")
    func retriedWriteAppliedOnce() async throws {
        let calls = CallLog()
        try await withDaemonAndClient(logger: calls.logger()) { omsd, direct in
            let requestID = RequestID.generate()
            try await withRelay(to: omsd, cutResponses: 2) { relay, client in
                let (saved, created) = try await client.catalog.upsertProduct(product("RETRY-1"), requestID: requestID)
                #expect(created)  // the original response, replayed
                #expect(saved.version == 1)
                #expect(relay.counts.responsesCut == 2)
                #expect(relay.counts.connections == 3)
            }
            // omsd handled all three attempts; only the first changed anything.
            #expect(calls.count(method: Self.upsert, status: "OK") == 3)
            let stored = try await direct.catalog.product(sku: "RETRY-1")
            #expect(stored.version == 1)

            let events = try await eventsUntil(sentinel: "SENTINEL", client: direct)
            let forProduct = events.filter { $0.resourceID == "RETRY-1" }
            #expect(forProduct.map(\.type) == ["product.created"])
            #expect(forProduct.first?.requestID == requestID)
            #expect(events.filter { $0.requestID == requestID }.count == 1)
        }
    }

    @Test("with retries off, a lost response is UNAVAILABLE though omsd applied it; the same request_id replays it")
    func lostResponseWithoutRetry() async throws {
        try await withDaemonAndClient { omsd, direct in
            let requestID = RequestID.generate()
            try await withRelay(to: omsd, cutResponses: 1) { relay, client in
                let error = await omsError {
                    _ = try await client.catalog.upsertProduct(
                        product("LOST-1"), requestID: requestID, options: .init(retry: OMSClient.RetryPolicy.disabled))
                }
                #expect(error?.code == .unavailable)
                #expect(relay.counts.responsesCut == 1)
            }
            let applied = try await direct.catalog.product(sku: "LOST-1")
            #expect(applied.version == 1)

            let replay = try await direct.catalog.upsertProduct(product("LOST-1"), requestID: requestID)
            #expect(replay.created)
            #expect(replay.product.version == 1)
            // A new request_id is a new write.
            let again = try await direct.catalog.upsertProduct(product("LOST-1"))
            #expect(!again.created)
            #expect(again.product.version == 2)
        }
    }

    @Test("reusing a request_id for a different request is ALREADY_EXISTS")
    func reusedRequestID() async throws {
        try await withDaemonAndClient { _, client in
            _ = try await client.catalog.upsertProduct(product("IDEM-1"), requestID: "req-idem-1")
            let error = await omsError {
                _ = try await client.catalog.upsertProduct(product("IDEM-1", name: "Other"), requestID: "req-idem-1")
            }
            #expect(error?.code == .alreadyExists)
            #expect(error?.reason == "REQUEST_ID_REUSED")
        }
    }
}

/// Every event from the start of the feed up to and including one for a
/// product `sentinel`, which this upserts first so the read has an end.
func eventsUntil(sentinel: String, client: OMSClient) async throws -> [Oms_V1_Event] {
    _ = try await client.catalog.upsertProduct(product(sentinel))
    var events: [Oms_V1_Event] = []
    let stream = client.serverStream(
        Oms_V1_EventService.Method.watchEvents, Oms_V1_WatchEventsRequest(), options: .init(timeout: .seconds(30)))
    for try await event in stream {
        events.append(event)
        if event.resourceID == sentinel { break }
    }
    return events
}
