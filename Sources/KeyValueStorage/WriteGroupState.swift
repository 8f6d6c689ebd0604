/// The running write group on the writer thread: the engine's `WriteGroup`
/// (what the group reads) and the `WriteSet` of everything its commands wrote.
/// Reads through it see the store plus the earlier commands' writes, which is
/// what lets a group behave exactly like its commands run one by one.
///
/// Owned and used only by the writer thread (not `Sendable`).
final class WriteGroupState {
    let storeID: UInt64
    /// The engine's group; nil between groups.
    var base: (any WriteGroup)?
    private(set) var writes = WriteSet()
    /// Bumped when a command starts and when it ends. A `WriteTransaction`
    /// remembers the value of its command and checks it on every use, so a
    /// transaction kept past its command traps instead of writing into
    /// another command's group.
    private(set) var generation: UInt64 = 0

    init(storeID: UInt64) {
        self.storeID = storeID
    }

    // MARK: Command lifecycle

    func beginCommand() -> UInt64 {
        generation &+= 1
        return generation
    }

    /// Ends the current command; when it failed, undoes its writes.
    func endCommand(failed: Bool) {
        generation &+= 1
        if failed {
            writes.rollbackCommand()
        } else {
            writes.commitCommand()
        }
    }

    @inline(__always)
    func checkLive(_ transactionGeneration: UInt64) {
        precondition(
            transactionGeneration == generation,
            "WriteTransaction used after its command returned; it is valid only inside the command")
    }

    /// Forgets the group's writes and its engine group (after its commit, or
    /// before a retry).
    func reset() {
        writes.clear()
        base = nil
    }

    // MARK: Operations (through WriteTransaction)

    @inline(__always)
    private func checkFamily(_ family: ColumnFamily) {
        precondition(family.storeID == storeID, "ColumnFamily belongs to another store")
    }

    func get(_ family: ColumnFamily, _ key: some StorageBytes) throws(StorageError) -> [UInt8]? {
        checkFamily(family)
        let bytes = Self.array(key)
        if case .some(let written) = writes.lookup(family.index, bytes) { return written }
        return try base!.get(family, bytes)
    }

    func set(_ family: ColumnFamily, _ key: some StorageBytes, _ value: [UInt8]?) {
        checkFamily(family)
        writes.set(family, Self.array(key), value)
    }

    /// The bytes as an array: shared (no copy) when they already are one,
    /// which is what the domain passes almost always.
    @inline(__always)
    static func array(_ bytes: some StorageBytes) -> [UInt8] {
        if let array = bytes as? [UInt8] { return array }
        return bytes.withUnsafeBytes { [UInt8]($0) }
    }

    /// The store's entries in `range` merged with the group's writes (written
    /// values win, deleted keys are skipped).
    ///
    /// `WriteSet.range` gives the group's entries in scan order up to the one
    /// that fills the limit with written values alone, so no later written
    /// entry can be part of the answer. Each of those entries hides at most one
    /// stored entry, so `limit + written.count` stored entries are enough: the
    /// merge of those two lists is exact for its first `limit` entries.
    func scan(_ family: ColumnFamily, _ range: KeyRange) throws(StorageError) -> [(key: [UInt8], value: [UInt8])] {
        checkFamily(family)
        if range.isEmpty { return [] }
        let written = writes.range(
            family.index, from: range.start, to: range.end, reverse: range.reverse, limit: range.limit)
        if written.isEmpty { return try base!.scan(family, range) }
        let (wanted, overflow) = range.limit.addingReportingOverflow(written.count)
        let stored = try base!.scan(family, range.limited(to: overflow ? Int.max : wanted))
        var entries: [(key: [UInt8], value: [UInt8])] = []
        entries.reserveCapacity(min(range.limit, stored.count + written.count))
        var s = 0
        var w = 0
        while entries.count < range.limit && (s < stored.count || w < written.count) {
            var takeWritten = w < written.count
            if s < stored.count && w < written.count {
                let order = compareKeys(stored[s].key, written[w].key)
                if order == 0 {
                    s += 1  // replaced (or deleted) by the group's write
                } else {
                    takeWritten = range.reverse ? order < 0 : order > 0
                }
            }
            if takeWritten {
                if let value = written[w].value { entries.append((written[w].key, value)) }
                w += 1
            } else {
                entries.append(stored[s])
                s += 1
            }
        }
        return entries
    }
}
