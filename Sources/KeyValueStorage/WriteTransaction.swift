/// The view a `WriteCoordinator` command gets of the store: reads see the
/// committed state plus every write of the earlier commands in the same group
/// (and this command's own writes); writes go into the group's `WriteSet` and
/// become durable together with it.
///
/// Valid only while its command runs: the coordinator invalidates it when the
/// command returns, and any later use traps. It is not `Sendable`, so it cannot
/// be handed to another thread. If the command throws, every write it made is
/// rolled back and nothing of it reaches the store.
///
/// Range deletes are not available here (the group's write set, which reads
/// see, holds keys, not ranges); delete keys one by one.
public struct WriteTransaction {
    private let group: WriteGroupState
    private let generation: UInt64

    /// Wall-clock time for this command in nanoseconds since the Unix epoch,
    /// from `WriteCoordinator.Config.clock`. Never decreases from one command
    /// to the next in commit order, so timestamps written in commit order are
    /// ordered too.
    public let now: Int64

    init(group: WriteGroupState, generation: UInt64, now: Int64) {
        self.group = group
        self.generation = generation
        self.now = now
    }

    /// The current value of `key` (the group's writes over the store), copied.
    public func get(_ columnFamily: ColumnFamily, _ key: some StorageBytes) throws(StorageError) -> [UInt8]? {
        group.checkLive(generation)
        return try group.get(columnFamily, key)
    }

    public mutating func put(_ columnFamily: ColumnFamily, _ key: some StorageBytes, _ value: some StorageBytes) {
        group.checkLive(generation)
        group.set(columnFamily, key, WriteGroupState.array(value))
    }

    public mutating func delete(_ columnFamily: ColumnFamily, _ key: some StorageBytes) {
        group.checkLive(generation)
        group.set(columnFamily, key, nil)
    }

    /// Like `ReadView.scan(_:prefix:after:limit:reverse:)`, through the group.
    public func scan(
        _ columnFamily: ColumnFamily, prefix: [UInt8], after: [UInt8]? = nil, limit: Int, reverse: Bool = false
    ) throws(StorageError) -> [(key: [UInt8], value: [UInt8])] {
        group.checkLive(generation)
        return try group.scan(columnFamily, KeyRange(prefix: prefix, after: after, limit: limit, reverse: reverse))
    }

    /// Like `ReadView.scan(_:from:to:after:limit:reverse:)`, through the group.
    public func scan(
        _ columnFamily: ColumnFamily, from lowerBound: [UInt8], to upperBound: [UInt8]?, after: [UInt8]? = nil,
        limit: Int, reverse: Bool = false
    ) throws(StorageError) -> [(key: [UInt8], value: [UInt8])] {
        group.checkLive(generation)
        let range = KeyRange(
            lowerBound: lowerBound, upperBound: upperBound, after: after, limit: limit, reverse: reverse)
        return try group.scan(columnFamily, range)
    }
}
