/// Counters of a `WriteCoordinator`, updated once per group before its
/// commands are acknowledged (so a caller that got its result sees its group
/// counted). `commands / syncs` is the achieved group-commit factor.
public struct WriteStats: Sendable, Hashable, CustomStringConvertible {
    /// Groups processed.
    public var groups = 0
    /// Commands run (successful + failed).
    public var commands = 0
    /// Commands that threw; their writes were rolled back.
    public var failedCommands = 0
    /// Batches written with `sync = true` (one fsync each). Groups whose
    /// commands wrote nothing are not written.
    public var syncs = 0
    /// Groups the engine refused (every command of such a group failed).
    public var writeErrors = 0
    /// Largest number of commands in one group.
    public var maxGroupSize = 0
    /// Bytes of keys and values committed.
    public var bytesWritten = 0
    /// Groups run again after the engine reported a conflict.
    public var groupRetries = 0

    public init() {}

    public var description: String {
        "groups=\(groups) commands=\(commands) failed=\(failedCommands) syncs=\(syncs) writeErrors=\(writeErrors) maxGroup=\(maxGroupSize) bytes=\(bytesWritten) retries=\(groupRetries)"
    }
}
