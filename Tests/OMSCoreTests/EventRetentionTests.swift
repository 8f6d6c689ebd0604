import OMSCore
import OMSProto
import Testing

@Suite("Event retention")
struct EventRetentionTests {
    @Test("trimming removes only events older than the cutoff, oldest first, and records the oldest kept sequence")
    func trim() async throws {
        try await withOrderFixture { fixture in
            let day: Int64 = 86_400_000
            for sku in ["R-1", "R-2", "R-3"] {
                try await fixture.product(sku)
                fixture.clock.advance(millis: day)
            }
            #expect(try fixture.store.events.firstRetainedSequence() == 1)
            let cutoff = fixture.clock.nowMillis() - day - day / 2  // between the 2nd and 3rd events

            let removed = try await fixture.store.trimEvents(olderThan: cutoff)
            #expect(removed == 2)
            #expect(try fixture.store.events.firstRetainedSequence() == 3)
            #expect(try fixture.store.events.events(after: 0, limit: 10).map(\.sequence) == [3])

            // Nothing older is left: a second pass removes nothing, and new
            // events keep numbering without a gap.
            #expect(try await fixture.store.trimEvents(olderThan: cutoff) == 0)
            try await fixture.product("R-4")
            #expect(try fixture.store.events.events(after: 0, limit: 10).map(\.sequence) == [3, 4])

            // A small batch limit takes several passes, oldest first.
            let later = fixture.clock.nowMillis() + 1
            #expect(try await fixture.store.trimEvents(olderThan: later, limit: 1) == 1)
            #expect(try fixture.store.events.firstRetainedSequence() == 4)
            #expect(try await fixture.store.trimEvents(olderThan: later, limit: 1) == 1)
            #expect(try fixture.store.events.events(after: 0, limit: 10).isEmpty)
            #expect(try fixture.store.events.firstRetainedSequence() == 5)
        }
    }
}
