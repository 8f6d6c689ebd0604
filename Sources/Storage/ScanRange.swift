internal import CRocksDB

/// A key range to read in pages: `[start, end)`, optionally resumed after a
/// key, in forward or reverse order, at most `limit` entries.
///
/// Shared by `Database.scan` and `WriteTransaction.scan`. It checks every key
/// against the range itself instead of trusting iterator bounds, because the
/// batch-plus-database iterator of a `WriteTransaction` does not apply bounds
/// to the batch's own entries.
struct ScanRange {
    /// Inclusive lower end after applying `after` (forward scans).
    let start: [UInt8]
    /// Exclusive upper end after applying `after` (reverse scans); nil = none.
    let end: [UInt8]?
    let limit: Int
    let reverse: Bool

    /// `[lowerBound, upperBound)`, resumed strictly after `after`: forward
    /// scans start at the smallest key greater than `after` (which is
    /// `after + [0x00]`), reverse scans end just below `after`.
    init(lowerBound: [UInt8], upperBound: [UInt8]?, after: [UInt8]?, limit: Int, reverse: Bool) {
        precondition(limit >= 0, "scan limit must not be negative")
        var start = lowerBound
        var end = upperBound
        if let after {
            if reverse {
                if end == nil || KeyCodec.compare(after, end!) < 0 { end = after }
            } else {
                let successor = after + [0]
                if KeyCodec.compare(successor, start) > 0 { start = successor }
            }
        }
        self.start = start
        self.end = end
        self.limit = limit
        self.reverse = reverse
    }

    /// Every key that begins with `prefix`.
    init(prefix: [UInt8], after: [UInt8]?, limit: Int, reverse: Bool) {
        self.init(
            lowerBound: prefix, upperBound: KeyCodec.prefixUpperBound(prefix), after: after, limit: limit,
            reverse: reverse)
    }

    var isEmpty: Bool {
        if limit == 0 { return true }
        guard let end else { return false }
        return KeyCodec.compare(start, end) >= 0
    }

    /// Reads the range from `iterator` (`rocksdb_iterator_t*`, unpositioned).
    /// The caller owns the iterator and holds the database's shared lock.
    func collect(from iterator: OpaquePointer) throws(StorageError) -> [(key: [UInt8], value: [UInt8])] {
        var entries: [(key: [UInt8], value: [UInt8])] = []
        if isEmpty { return entries }
        if reverse {
            if let end {
                end.withUnsafeBytes { rocksdb_iter_seek_for_prev(iterator, $0.cChars, $0.count) }
                // seek_for_prev lands on the last key <= end; end is exclusive.
                while rocksdb_iter_valid(iterator) != 0, KeyCodec.compare(Self.key(iterator), end) >= 0 {
                    rocksdb_iter_prev(iterator)
                }
            } else {
                rocksdb_iter_seek_to_last(iterator)
            }
            while entries.count < limit, rocksdb_iter_valid(iterator) != 0 {
                let key = Self.key(iterator)
                if KeyCodec.compare(key, start) < 0 { break }
                entries.append((key, Self.value(iterator)))
                rocksdb_iter_prev(iterator)
            }
        } else {
            start.withUnsafeBytes { rocksdb_iter_seek(iterator, $0.cChars, $0.count) }
            while entries.count < limit, rocksdb_iter_valid(iterator) != 0 {
                let key = Self.key(iterator)
                if let end, KeyCodec.compare(key, end) >= 0 { break }
                entries.append((key, Self.value(iterator)))
                rocksdb_iter_next(iterator)
            }
        }
        try withRocksDBError { error in rocksdb_iter_get_error(iterator, error) }
        return entries
    }

    /// Like `collect(from:)`, with `written` (the group's writes inside this
    /// range in scan order, as `BatchOverlay.range` gives them; a nil value is
    /// a deletion) merged over the iterator's entries: a written key replaces
    /// the stored one, a deleted key is skipped.
    func collect(
        from iterator: OpaquePointer, merging written: [BatchOverlay.Entry]
    ) throws(StorageError)
        -> [(key: [UInt8], value: [UInt8])]
    {
        if written.isEmpty { return try collect(from: iterator) }
        var entries: [(key: [UInt8], value: [UInt8])] = []
        if isEmpty { return entries }
        if reverse {
            if let end {
                end.withUnsafeBytes { rocksdb_iter_seek_for_prev(iterator, $0.cChars, $0.count) }
                while rocksdb_iter_valid(iterator) != 0, KeyCodec.compare(Self.key(iterator), end) >= 0 {
                    rocksdb_iter_prev(iterator)
                }
            } else {
                rocksdb_iter_seek_to_last(iterator)
            }
        } else {
            start.withUnsafeBytes { rocksdb_iter_seek(iterator, $0.cChars, $0.count) }
        }
        /// The iterator's current key while it is inside the range.
        func storedKey() -> [UInt8]? {
            guard rocksdb_iter_valid(iterator) != 0 else { return nil }
            let key = Self.key(iterator)
            if reverse {
                return KeyCodec.compare(key, start) < 0 ? nil : key
            }
            if let end, KeyCodec.compare(key, end) >= 0 { return nil }
            return key
        }
        func advanceStored() {
            if reverse { rocksdb_iter_prev(iterator) } else { rocksdb_iter_next(iterator) }
        }
        var next = 0
        var stored = storedKey()
        while entries.count < limit {
            let hasWritten = next < written.count
            if stored == nil && !hasWritten { break }
            var takeWritten = hasWritten
            if let key = stored, hasWritten {
                let order = compareKeys(key, written[next].key)
                if order == 0 {
                    advanceStored()  // replaced (or deleted) by the group's write
                    stored = storedKey()
                } else {
                    takeWritten = reverse ? order < 0 : order > 0
                }
            }
            if takeWritten {
                let entry = written[next]
                next += 1
                if let value = entry.value { entries.append((entry.key, value)) }
            } else {
                entries.append((stored!, Self.value(iterator)))
                advanceStored()
                stored = storedKey()
            }
        }
        try withRocksDBError { error in rocksdb_iter_get_error(iterator, error) }
        return entries
    }

    private static func key(_ iterator: OpaquePointer) -> [UInt8] {
        var length = 0
        let bytes = rocksdb_iter_key(iterator, &length)
        return [UInt8](UnsafeRawBufferPointer(start: bytes, count: length))
    }

    private static func value(_ iterator: OpaquePointer) -> [UInt8] {
        var length = 0
        let bytes = rocksdb_iter_value(iterator, &length)
        return [UInt8](UnsafeRawBufferPointer(start: bytes, count: length))
    }
}
