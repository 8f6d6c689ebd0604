import OMSCore
import OMSProto
import Testing

@Suite("Idempotency retention")
struct IdempotencyRetentionTests {
    /// An upsert with `requestID`; returns the stored version.
    func upsert(_ fixture: OrderFixture, sku: String, name: String, requestID: String) async throws -> Int64 {
        var request = Oms_V1_UpsertProductRequest()
        request.requestID = requestID
        request.product = Oms_V1_Product.with {
            $0.sku = sku
            $0.name = name
            $0.unitPrice = Oms_V1_Money.with {
                $0.currencyCode = "USD"
                $0.amountMinor = 100
            }
        }
        let response = try await fixture.catalog.upsert(request, actor: "test")
        return response.product?.version ?? 0
    }

    @Test("records older than the cutoff go, newer ones stay; a forgotten request_id runs again")
    func trimsOnlyExpired() async throws {
        try await withOrderFixture { fixture in
            let day: Int64 = 86_400_000
            #expect(try await upsert(fixture, sku: "I-1", name: "one", requestID: "req-old") == 1)
            fixture.clock.advance(millis: 2 * day)
            #expect(try await upsert(fixture, sku: "I-2", name: "two", requestID: "req-new") == 1)

            // Both replay while remembered.
            #expect(try await upsert(fixture, sku: "I-1", name: "one", requestID: "req-old") == 1)
            #expect(try await upsert(fixture, sku: "I-2", name: "two", requestID: "req-new") == 1)

            let cutoff = fixture.clock.nowMillis() - day
            let pass = try await Idempotency.trim(olderThan: cutoff, after: nil, store: fixture.store)
            #expect(pass.removed == 1)
            #expect(pass.resumeAfter == nil)

            // The old key is forgotten: the same request is a new write (version 2);
            // the new key still replays.
            #expect(try await upsert(fixture, sku: "I-1", name: "one", requestID: "req-old") == 2)
            #expect(try await upsert(fixture, sku: "I-2", name: "two", requestID: "req-new") == 1)
        }
    }

    @Test("passes of a bounded size resume where the previous one stopped and cover every record")
    func pagedPasses() async throws {
        try await withOrderFixture { fixture in
            for index in 0..<7 {
                _ = try await upsert(fixture, sku: "P-\(index)", name: "p", requestID: "req-\(index)")
            }
            fixture.clock.advance(millis: 10)
            var after: [UInt8]? = nil
            var removed = 0
            var passes = 0
            repeat {
                let pass = try await Idempotency.trim(
                    olderThan: fixture.clock.nowMillis(), after: after, limit: 3, store: fixture.store)
                removed += pass.removed
                after = pass.resumeAfter
                passes += 1
            } while after != nil
            #expect(removed == 7)
            #expect(passes == 3)
            let again = try await Idempotency.trim(
                olderThan: fixture.clock.nowMillis(), after: nil, store: fixture.store)
            #expect(again.removed == 0)
        }
    }
}
