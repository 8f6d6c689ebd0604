import Dispatch
import Foundation
import OMSProto
import Storage
import Synchronization
import Testing

@testable import OMSCore

/// GetStock replies are kept between writes (`StockReplyCache`): a kept reply
/// is served only while no acknowledged write has touched its sku's rows.
@Suite struct StockReplyCacheTests {
    static func sameSlot(_ a: String, _ b: String) -> Bool {
        func slot(_ sku: String) -> Int {
            let prefix = StockLedger.levelPrefix(sku: sku)
            return StockReplyCache.slot(ofSkuComponent: prefix[1...])
        }
        return slot(a) == slot(b)
    }

    @Test func aReplyIsKeptUntilAWriteTouchesItsSku() async throws {
        try await withOrderFixture { fixture in
            try await fixture.standardSetup(mainA: 10, mainB: 4)
            let cache = fixture.store.stockReplies
            let before = cache.statistics

            #expect(try fixture.stock("SKU-A").onHand == 10)
            #expect(cache.statistics.misses == before.misses + 1)
            #expect(try fixture.stock("SKU-A").onHand == 10)
            #expect(cache.statistics.hits == before.hits + 1, "the second read is served from the cache")

            // Another sku's write leaves SKU-A's reply current (unless the two
            // share a slot, which only costs a miss).
            try await fixture.adjust("SKU-B", in: "MAIN", by: 1)
            let hits = cache.statistics.hits
            #expect(try fixture.stock("SKU-A").onHand == 10)
            if !Self.sameSlot("SKU-A", "SKU-B") { #expect(cache.statistics.hits == hits + 1) }

            // SKU-A's own writes: an adjustment, an order's reservation, a
            // warehouse-filtered read: each read after the acknowledgement shows it.
            try await fixture.adjust("SKU-A", in: "MAIN", by: 5)
            #expect(try fixture.stock("SKU-A").onHand == 15)
            #expect(try fixture.stock("SKU-A", in: "MAIN").onHand == 15)
            _ = try await fixture.create([("SKU-A", 3)])
            let reserved = try fixture.stock("SKU-A")
            #expect(reserved.reserved == 3)
            #expect(reserved.available == 12)
            #expect(try fixture.stock("SKU-A", in: "MAIN").reserved == 3)
            #expect(try fixture.stock("SKU-A", in: "EAST").reserved == 0)
            let misses = cache.statistics.misses
            #expect(try fixture.stock("SKU-A", in: "MAIN").available == 12)
            #expect(cache.statistics.misses == misses, "kept per sku and warehouse")
        }
    }

    /// Readers keep the cache hot (and race their stores with the writer)
    /// while stock changes one acknowledged adjustment at a time: the read
    /// after each acknowledgement must show it, never an older reply.
    @Test func everyAcknowledgedWriteIsSeenByTheNextRead() async throws {
        try await withOrderFixture { fixture in
            try await fixture.standardSetup(mainA: 1, mainB: 0)
            let stop = Atomic<Bool>(false)
            let seenBelowFloor = Atomic<Int>(0)
            let floor = Atomic<Int64>(1)
            // The readers spin on threads of their own: on the global dispatch
            // queue they would take the threads that run every async test of
            // the process (Swift's cooperative pool), starving the writes
            // this test awaits and every other suite until they stop.
            let readers = DispatchGroup()
            for _ in 0..<2 {
                readers.enter()
                Thread.detachNewThread {
                    defer { readers.leave() }
                    while !stop.load(ordering: .relaxed) {
                        // Only ever increases: a read older than the last
                        // acknowledged value is stale.
                        let acknowledged = floor.load(ordering: .acquiring)
                        if let onHand = try? fixture.stock("SKU-A").onHand, onHand < acknowledged {
                            seenBelowFloor.add(1, ordering: .relaxed)
                        }
                    }
                }
            }
            for expected in Int64(2)...300 {
                try await fixture.adjust("SKU-A", in: "MAIN", by: 1)
                floor.store(expected, ordering: .releasing)
                #expect(try fixture.stock("SKU-A").onHand == expected)
            }
            stop.store(true, ordering: .relaxed)
            readers.wait()
            #expect(seenBelowFloor.load(ordering: .relaxed) == 0)
            #expect(fixture.store.stockReplies.statistics.hits > 0)
        }
    }

    /// A filtered reply checks its warehouse: a new warehouse outdates every
    /// kept reply, and an unknown warehouse is never kept.
    @Test func warehousesAndErrors() async throws {
        try await withOrderFixture { fixture in
            try await fixture.standardSetup(mainA: 2, mainB: 0)
            let error = await domainError { _ = try fixture.stock("SKU-A", in: "WEST") }
            #expect(error?.reason == "WAREHOUSE_NOT_FOUND")
            try await fixture.warehouse("WEST", priority: 3)
            let west = try fixture.stock("SKU-A", in: "WEST")
            #expect(west.onHand == 0 && west.warehouses.isEmpty)
            try await fixture.adjust("SKU-A", in: "WEST", by: 4)
            #expect(try fixture.stock("SKU-A", in: "WEST").onHand == 4)
            #expect(try fixture.stock("SKU-A").onHand == 6)
        }
    }

    /// The writer finds the sku in each row key the way the reader does from
    /// its prefix, including skus with escaped bytes and prefixes of each other.
    @Test func writerAndReaderAgreeOnTheSlot() {
        for sku in ["A", "AB", "A\u{0}B", "LONG-" + String(repeating: "x", count: 70), "Ü-7"] {
            let prefix = StockLedger.levelPrefix(sku: sku)
            var filtered = prefix
            KeyCodec.append("MAIN", to: &filtered)
            let readerSlot = StockReplyCache.Key(prefix: filtered, skuEnd: prefix.count).slot
            for key in [
                StockLedger.levelKey(sku: sku, warehouse: "MAIN"),
                StockLedger.locationStockPrefix(sku: sku, warehouse: "W\u{0}", location: "L1"),
            ] {
                let end = KeyCodec.terminatedEnd(in: key, from: 1)
                #expect(end == prefix.count, "\(sku)")
                #expect(StockReplyCache.slot(ofSkuComponent: key[1..<(end ?? 1)]) == readerSlot, "\(sku)")
            }
        }
        #expect(KeyCodec.terminatedEnd(in: [StockLedger.levelTag, 0x41, 0x00], from: 1) == nil, "unterminated")
    }

    /// Kept bytes stay within the capacity; the oldest-placed entries go first.
    @Test func memoryIsBounded() {
        let cache = StockReplyCache(capacity: 16 * 1_000)  // 1,000 bytes per shard
        let reply = [UInt8](repeating: 9, count: 100)
        for index in 0..<2_000 {
            let prefix = StockLedger.levelPrefix(sku: "SKU-\(index)")
            let key = StockReplyCache.Key(prefix: prefix, skuEnd: prefix.count)
            cache.store(key, composedUnder: cache.stamp(key), reply: reply[...])
        }
        let statistics = cache.statistics
        #expect(statistics.bytes <= 16 * 1_000)
        #expect(statistics.bytes == statistics.entries * 100)
        #expect(statistics.evictions == UInt64(2_000 - statistics.entries))

        // Too large for one shard: composed every time, never kept.
        let prefix = StockLedger.levelPrefix(sku: "HUGE")
        let key = StockReplyCache.Key(prefix: prefix, skuEnd: prefix.count)
        cache.store(key, composedUnder: cache.stamp(key), reply: [UInt8](repeating: 1, count: 1_001)[...])
        var out: [UInt8] = []
        #expect(!cache.append(key, composedUnder: cache.stamp(key), to: &out))
        #expect(out.isEmpty)
    }
}
