/// The view a `WriteCoordinator` command gets of the database: reads see the
/// committed state plus every write of the earlier commands in the same group
/// (and this command's own writes); writes go into the group's batch and
/// become durable together with it.
///
/// Valid only while its command runs: the coordinator invalidates it when the
/// command returns, and any later use traps. It is not `Sendable`, so it cannot
/// be handed to another thread. If the command throws, every write it made is
/// rolled back and nothing of it reaches the database.
///
/// Range deletes are not available here (the group's overlay, which reads
/// see, holds keys, not ranges); delete keys one by one.
public struct WriteTransaction {
    private let batch: IndexedBatch
    private let generation: UInt64

    /// Wall-clock time for this command in nanoseconds since the Unix epoch,
    /// from `WriteCoordinator.Config.clock`. Never decreases from one command
    /// to the next in commit order, so timestamps written in commit order are
    /// ordered too.
    public let now: Int64

    init(batch: IndexedBatch, generation: UInt64, now: Int64) {
        self.batch = batch
        self.generation = generation
        self.now = now
    }

    /// The current value of `key` (batch over database), copied.
    public func get(_ columnFamily: ColumnFamily, _ key: some StorageBytes) throws(StorageError) -> [UInt8]? {
        batch.checkLive(generation)
        return try batch.get(columnFamily, key)
    }

    public mutating func put(_ columnFamily: ColumnFamily, _ key: some StorageBytes, _ value: some StorageBytes) {
        batch.checkLive(generation)
        batch.put(columnFamily, key, value)
    }

    public mutating func delete(_ columnFamily: ColumnFamily, _ key: some StorageBytes) {
        batch.checkLive(generation)
        batch.delete(columnFamily, key)
    }

    /// Like `Database.scan(_:prefix:after:limit:reverse:snapshot:)`, through
    /// the batch.
    public func scan(
        _ columnFamily: ColumnFamily,
        prefix: [UInt8],
        after: [UInt8]? = nil,
        limit: Int,
        reverse: Bool = false
    ) throws(StorageError) -> [(key: [UInt8], value: [UInt8])] {
        batch.checkLive(generation)
        return try batch.scan(columnFamily, ScanRange(prefix: prefix, after: after, limit: limit, reverse: reverse))
    }

    /// Like `Database.scan(_:from:to:after:limit:reverse:snapshot:)`, through
    /// the batch.
    public func scan(
        _ columnFamily: ColumnFamily,
        from lowerBound: [UInt8],
        to upperBound: [UInt8]?,
        after: [UInt8]? = nil,
        limit: Int,
        reverse: Bool = false
    ) throws(StorageError) -> [(key: [UInt8], value: [UInt8])] {
        batch.checkLive(generation)
        let range = ScanRange(
            lowerBound: lowerBound, upperBound: upperBound, after: after, limit: limit, reverse: reverse)
        return try batch.scan(columnFamily, range)
    }
}
