#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The writes of the current write group, per column family and in key order:
/// what reads through a `WriteTransaction` see on top of the store, and what
/// the engine makes durable at the group's commit (`WriteGroup.commit`).
///
/// It replaced RocksDB's write-batch-with-index, whose skiplist compares
/// decode batch records on every step (39 % of a CreateOrder's writer time in
/// the profile). Here a column family is a list of sorted chunks of at most
/// `chunkCapacity` entries: a lookup is two binary searches over contiguous
/// arrays, an insert moves at most one chunk, and a range is read in order.
///
/// Each change of the running command is logged, so a failed command is
/// undone entry by entry. At commit the engine reads it with `forEach`: each
/// key once (its last value), in key order, which is also the cheapest order
/// for a memtable's skiplist. Writer thread only.
public struct WriteSet {
    /// A written key: its value, or nil when the group deleted it.
    public struct Entry {
        public var key: [UInt8]
        public var value: [UInt8]?
    }

    /// The column family's entries, as sorted chunks (each non-empty,
    /// chunks in key order).
    struct Family {
        static let chunkCapacity = 64
        var chunks: [[Entry]] = []

        /// The chunk that holds `key` or where it belongs, and the position in it.
        func locate(_ key: [UInt8]) -> (chunk: Int, index: Int, found: Bool) {
            if chunks.isEmpty { return (0, 0, false) }
            // First chunk whose last key >= key.
            var low = 0
            var high = chunks.count
            while low < high {
                let mid = (low + high) / 2
                if compareKeys(chunks[mid][chunks[mid].count - 1].key, key) < 0 { low = mid + 1 } else { high = mid }
            }
            let chunk = min(low, chunks.count - 1)
            var lo = 0
            var hi = chunks[chunk].count
            while lo < hi {
                let mid = (lo + hi) / 2
                if compareKeys(chunks[chunk][mid].key, key) < 0 { lo = mid + 1 } else { hi = mid }
            }
            let found = lo < chunks[chunk].count && compareKeys(chunks[chunk][lo].key, key) == 0
            return (chunk, lo, found)
        }

        /// `.some(value)` when the group wrote `key` (value nil: deleted), `.none` when it did not.
        func lookup(_ key: [UInt8]) -> [UInt8]?? {
            let place = locate(key)
            return place.found ? .some(chunks[place.chunk][place.index].value) : .none
        }

        /// Sets `key`; returns what the group had for it before (`.none`: nothing).
        mutating func set(_ key: [UInt8], _ value: [UInt8]?) -> [UInt8]?? {
            if chunks.isEmpty {
                chunks.append([Entry(key: key, value: value)])
                return .none
            }
            let place = locate(key)
            if place.found {
                let previous = chunks[place.chunk][place.index].value
                chunks[place.chunk][place.index].value = value
                return .some(previous)
            }
            chunks[place.chunk].insert(Entry(key: key, value: value), at: place.index)
            if chunks[place.chunk].count > Self.chunkCapacity {
                let upper = Array(chunks[place.chunk][(Self.chunkCapacity / 2)...])
                chunks[place.chunk].removeSubrange((Self.chunkCapacity / 2)...)
                chunks.insert(upper, at: place.chunk + 1)
            }
            return .none
        }

        /// Forgets `key` (undo of its first write in the group).
        mutating func remove(_ key: [UInt8]) {
            let place = locate(key)
            guard place.found else { return }
            chunks[place.chunk].remove(at: place.index)
            if chunks[place.chunk].isEmpty { chunks.remove(at: place.chunk) }
        }

        /// Entries with `start <= key < end` in scan order (descending when
        /// `reverse`), stopping once `limit` of them hold a value: a scan of
        /// `limit` entries can use no written entry beyond those.
        func range(from start: [UInt8], to end: [UInt8]?, reverse: Bool, limit: Int) -> [Entry] {
            var out: [Entry] = []
            if chunks.isEmpty || limit <= 0 { return out }
            var live = 0
            if !reverse {
                var place = locate(start)
                while place.chunk < chunks.count {
                    let chunk = chunks[place.chunk]
                    while place.index < chunk.count {
                        let entry = chunk[place.index]
                        if let end, compareKeys(entry.key, end) >= 0 { return out }
                        out.append(entry)
                        if entry.value != nil {
                            live += 1
                            if live == limit { return out }
                        }
                        place.index += 1
                    }
                    place.chunk += 1
                    place.index = 0
                }
                return out
            }
            // Reverse: from the last entry below `end` down to `start`.
            var chunkIndex: Int
            var index: Int
            if let end {
                let place = locate(end)
                chunkIndex = place.chunk
                index = place.index - 1  // locate gives the first entry >= end
                if place.index >= chunks[place.chunk].count {
                    index = chunks[place.chunk].count - 1
                }
            } else {
                chunkIndex = chunks.count - 1
                index = chunks[chunkIndex].count - 1
            }
            while chunkIndex >= 0 {
                let chunk = chunks[chunkIndex]
                while index >= 0 {
                    let entry = chunk[index]
                    if compareKeys(entry.key, start) < 0 { return out }
                    if end == nil || compareKeys(entry.key, end!) < 0 {
                        out.append(entry)
                        if entry.value != nil {
                            live += 1
                            if live == limit { return out }
                        }
                    }
                    index -= 1
                }
                chunkIndex -= 1
                if chunkIndex >= 0 { index = chunks[chunkIndex].count - 1 }
            }
            return out
        }
    }

    private var families: [Family] = []
    /// The handle of each family written to (by `ColumnFamily.index`).
    private var handles: [ColumnFamily?] = []
    /// The running command's changes, oldest first: (family, key, previous).
    private var undo: [(family: Int, key: [UInt8], previous: [UInt8]??)] = []
    /// Keys in the set (a key written several times counts once).
    public private(set) var count = 0
    /// Bytes of the keys and values in the set: about what the engine writes.
    public private(set) var byteSize = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }

    func lookup(_ family: Int, _ key: [UInt8]) -> [UInt8]?? {
        family < families.count ? families[family].lookup(key) : .none
    }

    /// Writes `value` under `key` (nil deletes it), replacing what the set had.
    public mutating func set(_ columnFamily: ColumnFamily, _ key: [UInt8], _ value: [UInt8]?) {
        let family = columnFamily.index
        while families.count <= family {
            families.append(Family())
            handles.append(nil)
        }
        handles[family] = columnFamily
        let previous = families[family].set(key, value)
        account(key, old: previous, new: value)
        undo.append((family, key, previous))
    }

    /// Keeps `count` and `byteSize` in step with one change of `key`.
    private mutating func account(_ key: [UInt8], old: [UInt8]??, new: [UInt8]??) {
        func size(_ entry: [UInt8]??) -> Int {
            guard case .some(let value) = entry else { return 0 }
            return key.count + (value?.count ?? 0) + 8
        }
        if case .none = old { count += 1 }
        if case .none = new { count -= 1 }
        byteSize += size(new) - size(old)
    }

    /// Every entry, by column family and in key order: the group's final
    /// writes (a nil value is a deletion).
    public func forEach<E: Error>(_ body: (ColumnFamily, Entry) throws(E) -> Void) throws(E) {
        for (index, family) in families.enumerated() {
            guard let handle = handles[index] else { continue }
            for chunk in family.chunks {
                for entry in chunk { try body(handle, entry) }
            }
        }
    }

    /// The keys of one column family, in key order (written or deleted).
    public func forEachKey(in family: ColumnFamily, _ body: ([UInt8]) -> Void) {
        guard family.index < families.count else { return }
        for chunk in families[family.index].chunks {
            for entry in chunk { body(entry.key) }
        }
    }

    func range(_ family: Int, from start: [UInt8], to end: [UInt8]?, reverse: Bool, limit: Int) -> [Entry] {
        family < families.count ? families[family].range(from: start, to: end, reverse: reverse, limit: limit) : []
    }

    /// The running command succeeded: its changes stay.
    mutating func commitCommand() {
        undo.removeAll(keepingCapacity: true)
    }

    /// The running command failed: restores what the group had before it.
    mutating func rollbackCommand() {
        for change in undo.reversed() {
            let current = families[change.family].lookup(change.key)
            switch change.previous {
            case .none: families[change.family].remove(change.key)
            case .some(let value): _ = families[change.family].set(change.key, value)
            }
            account(change.key, old: current, new: change.previous)
        }
        undo.removeAll(keepingCapacity: true)
    }

    mutating func clear() {
        for index in families.indices { families[index].chunks.removeAll(keepingCapacity: true) }
        undo.removeAll(keepingCapacity: true)
        count = 0
        byteSize = 0
    }
}

/// Unsigned lexicographic order (RocksDB's default comparator, PostgreSQL's
/// `bytea` order): the order of every key range.
@inline(__always)
package func compareKeys(_ a: [UInt8], _ b: [UInt8]) -> Int {
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            let common = min(a.count, b.count)
            if common > 0 {
                let order = memcmp(a.baseAddress!, b.baseAddress!, common)
                if order != 0 { return Int(order) }
            }
            return a.count - b.count
        }
    }
}
