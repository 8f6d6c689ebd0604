/// Tells a cache of derived data which keys of one column family a write
/// group changed, so readers can keep results between writes and still never
/// serve one that a write has made stale.
///
/// The writer calls `changed` once for each key the group wrote or deleted in
/// `family`, on the writer thread, after the group's commit and before any of
/// its commands is acknowledged: a caller that has its result (and anyone it
/// tells) finds the cache already invalidated. It is also called when the
/// commit failed, where it only costs the cache a miss; a watch may
/// invalidate too much, never too little. It must be quick and must not block:
/// it holds up every writer.
public struct CommitWatch: Sendable {
    public let family: ColumnFamily
    public let changed: @Sendable (_ key: [UInt8]) -> Void

    public init(family: ColumnFamily, changed: @escaping @Sendable (_ key: [UInt8]) -> Void) {
        self.family = family
        self.changed = changed
    }
}
