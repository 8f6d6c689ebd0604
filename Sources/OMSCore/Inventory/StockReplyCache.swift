public import KeyValueStorage
import Synchronization

/// GetStock replies, kept as encoded for the reads that follow until a write
/// changes one of the rows they were composed from. A hit costs a lock, a
/// hash lookup and a copy, against an iterator and two prefix seeks for a
/// miss; the first read after a change composes the reply again.
///
/// Why a served reply is never stale: every sku hashes to one of
/// `slotCount` version counters. After each write group, the writer bumps the
/// counter of every sku whose level (`0x02`) or location (`0x04`) rows the
/// group touched, and a global counter when it touched a warehouse (`0x01`,
/// which a filtered reply checks) — after the commit, before any command of
/// the group is acknowledged (a `CommitWatch`). A reader loads the counters
/// *before* it reads the rows and stores its reply under those values; a
/// reply is served only while both counters still hold them. So a write that
/// commits before, during or after a miss's read leaves behind either a reply
/// that already includes it or one whose stamp it has outdated. Two skus
/// sharing a slot only invalidate each other more often than needed.
///
/// Memory is bounded: `shardCount` shards of `shardCapacity` bytes of
/// replies, each evicting its oldest-placed entries when full; replies over
/// `largestReply` (a sku stocked in very many places) are not kept.
public final class StockReplyCache: Sendable {
    private typealias Versions = InlineArray<4096, Atomic<UInt64>>
    private typealias Shards = InlineArray<16, Mutex<Shard>>
    public static let slotCount = Versions.count
    static let shardCount = Shards.count
    /// Replies larger than this are composed every time.
    static let largestReply = 16 << 10

    /// What a reply was composed under (the slot's and the warehouses'
    /// versions); it is current while both are unchanged.
    struct Stamp: Equatable {
        var sku: UInt64
        var warehouses: UInt64
    }

    /// One GetStock request: its levels prefix (`0x02 sku [warehouse]`),
    /// which names the sku and the optional warehouse, and the sku's slot.
    struct Key: Hashable {
        let prefix: [UInt8]
        let slot: Int
        let hash: Int

        /// `prefix[..<skuEnd]` is `StockLedger.levelPrefix(sku:)`; the
        /// warehouse's component may follow.
        init(prefix: [UInt8], skuEnd: Int) {
            self.prefix = prefix
            slot = StockReplyCache.slot(ofSkuComponent: prefix[1..<skuEnd])
            var hasher = Hasher()
            prefix.withUnsafeBytes { hasher.combine(bytes: $0) }
            hash = hasher.finalize()
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(hash)
        }

        static func == (a: Key, b: Key) -> Bool {
            a.hash == b.hash && a.prefix == b.prefix
        }
    }

    public struct Statistics: Sendable, Equatable {
        public var hits: UInt64 = 0
        public var misses: UInt64 = 0
        public var evictions: UInt64 = 0
        public var entries = 0
        public var bytes = 0
    }

    private struct Shard {
        var replies: [Key: (stamp: Stamp, reply: [UInt8])] = [:]
        var statistics = Statistics()
    }

    private let versions: Versions
    private let warehouseVersion = Atomic<UInt64>(0)
    private let shards: Shards
    /// Bytes of replies one shard keeps.
    let shardCapacity: Int
    /// Bytes of replies kept at most, over every shard.
    public var capacity: Int { shardCapacity * Self.shardCount }

    /// - Parameter capacity: bytes of replies kept in all (default 4 MiB).
    public init(capacity: Int = 4 << 20) {
        versions = InlineArray { _ in Atomic<UInt64>(0) }
        shards = InlineArray { _ in Mutex(Shard()) }
        shardCapacity = max(capacity / Self.shardCount, 0)
    }

    // MARK: Readers

    /// The versions a reply for `key` is composed under; load them before
    /// reading its rows.
    func stamp(_ key: Key) -> Stamp {
        Stamp(
            sku: versions[key.slot].load(ordering: .acquiring),
            warehouses: warehouseVersion.load(ordering: .acquiring))
    }

    /// Appends the reply kept for `key` when it was composed under `stamp`;
    /// false (and `out` unchanged) when there is none.
    func append(_ key: Key, composedUnder stamp: Stamp, to out: inout [UInt8]) -> Bool {
        let reply: [UInt8]? = shards[key.slot % Self.shardCount].withLock { shard in
            guard let kept = shard.replies[key], kept.stamp == stamp else {
                shard.statistics.misses += 1
                return nil
            }
            shard.statistics.hits += 1
            return kept.reply
        }
        guard let reply else { return false }
        out.append(contentsOf: reply)
        return true
    }

    /// Keeps `reply`, composed for `key` from rows read after `stamp` was taken.
    func store(_ key: Key, composedUnder stamp: Stamp, reply: ArraySlice<UInt8>) {
        guard reply.count <= Self.largestReply, reply.count <= shardCapacity else { return }
        let kept = Array(reply)
        shards[key.slot % Self.shardCount].withLock { shard in
            if let previous = shard.replies.updateValue((stamp, kept), forKey: key) {
                shard.statistics.bytes -= previous.reply.count
            } else {
                shard.statistics.entries += 1
            }
            shard.statistics.bytes += kept.count
            while shard.statistics.bytes > shardCapacity {
                let evicted = shard.replies.remove(at: shard.replies.startIndex)
                shard.statistics.bytes -= evicted.value.reply.count
                shard.statistics.entries -= 1
                shard.statistics.evictions += 1
            }
        }
    }

    /// Hits, misses and what is kept, over every shard.
    public var statistics: Statistics {
        var total = Statistics()
        for index in 0..<Self.shardCount {
            let shard = shards[index].withLock { $0.statistics }
            total.hits += shard.hits
            total.misses += shard.misses
            total.evictions += shard.evictions
            total.entries += shard.entries
            total.bytes += shard.bytes
        }
        return total
    }

    // MARK: The writer

    /// The `CommitWatch` that keeps this cache current with `stock`.
    public func watch(_ families: ColumnFamilies) -> CommitWatch {
        CommitWatch(family: families.stock) { [self] key in rowChanged(key) }
    }

    /// A write group changed `key` in `stock`: outdate what was composed from it.
    func rowChanged(_ key: [UInt8]) {
        switch key.first {
        case StockLedger.levelTag, StockLedger.locationStockTag:
            guard let end = KeyCodec.terminatedEnd(in: key, from: 1) else { return }
            versions[Self.slot(ofSkuComponent: key[1..<end])].wrappingAdd(1, ordering: .releasing)
        case StockLedger.warehouseTag:
            warehouseVersion.wrappingAdd(1, ordering: .releasing)
        default:
            break
        }
    }

    /// The slot of a sku, from its KeyCodec encoding (terminator included),
    /// the same bytes in the writer's row keys and the reader's prefix.
    static func slot(ofSkuComponent component: ArraySlice<UInt8>) -> Int {
        var hasher = Hasher()
        component.withUnsafeBytes { hasher.combine(bytes: $0) }
        return Int(UInt(bitPattern: hasher.finalize()) % UInt(slotCount))
    }
}
