internal import CRocksDB
import KeyValueStorage

/// A cursor over one column family (`rocksdb_iterator_t`), created by
/// `Database.makeIterator`.
///
/// Typical use:
///
///     let it = try db.makeIterator(cf, lowerBound: prefix, upperBound: KeyCodec.prefixUpperBound(prefix))
///     it.seekToFirst()
///     while it.isValid { use(it.key, it.value); it.next() }
///     try it.checkStatus()
///
/// Movement never throws: when RocksDB hits an error, or the database is
/// closed, the iterator becomes invalid and `checkStatus()` reports why.
/// Not thread-safe: use one iterator from one thread at a time (it is not
/// `Sendable`). It keeps its database, snapshot, read options and bound keys
/// alive as long as it lives.
public final class Iterator {
    public let database: Database
    /// Kept so the snapshot outlives the iterator that reads through it.
    public let snapshot: Snapshot?
    /// `rocksdb_iterator_t*`, freed by `Database.releaseChild` or `close`.
    private let pointer: OpaquePointer
    /// Must outlive `pointer`: RocksDB reads the bounds in place.
    private let readOptions: IteratorReadOptions

    init(database: Database, pointer: OpaquePointer, readOptions: IteratorReadOptions, snapshot: Snapshot?) {
        self.database = database
        self.pointer = pointer
        self.readOptions = readOptions
        self.snapshot = snapshot
    }

    deinit {
        // Frees the C iterator first; `readOptions` is released after this
        // deinit body, so the bounds outlive it.
        database.releaseChild(of: ObjectIdentifier(self))
    }

    /// Whether the iterator is positioned on an entry. False after an error and
    /// after the database closed.
    public var isValid: Bool {
        database.ifOpen { _ in rocksdb_iter_valid(pointer) != 0 } ?? false
    }

    public func seekToFirst() {
        _ = database.ifOpen { _ in rocksdb_iter_seek_to_first(pointer) }
    }

    public func seekToLast() {
        _ = database.ifOpen { _ in rocksdb_iter_seek_to_last(pointer) }
    }

    /// Positions at the first key `>= key`.
    public func seek(to key: some StorageBytes) {
        _ = database.ifOpen { _ in
            key.withUnsafeBytes { rocksdb_iter_seek(pointer, $0.cChars, $0.count) }
        }
    }

    /// Positions at the last key `<= key`.
    public func seekForPrev(_ key: some StorageBytes) {
        _ = database.ifOpen { _ in
            key.withUnsafeBytes { rocksdb_iter_seek_for_prev(pointer, $0.cChars, $0.count) }
        }
    }

    /// Moves to the next entry. Requires `isValid`.
    public func next() {
        _ = database.ifOpen { _ in
            precondition(rocksdb_iter_valid(pointer) != 0, "Iterator.next() on an invalid iterator")
            rocksdb_iter_next(pointer)
        }
    }

    /// Moves to the previous entry. Requires `isValid`.
    public func prev() {
        _ = database.ifOpen { _ in
            precondition(rocksdb_iter_valid(pointer) != 0, "Iterator.prev() on an invalid iterator")
            rocksdb_iter_prev(pointer)
        }
    }

    /// The current key, copied. Requires `isValid`.
    public var key: [UInt8] {
        withKey { [UInt8]($0) }
    }

    /// The current value, copied. Requires `isValid`.
    public var value: [UInt8] {
        withValue { [UInt8]($0) }
    }

    /// Calls `body` with the current key in place; the buffer is valid only
    /// inside `body`. Requires `isValid`.
    public func withKey<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withCurrent(rocksdb_iter_key, body)
    }

    /// Calls `body` with the current value in place; the buffer is valid only
    /// inside `body`. Requires `isValid`.
    public func withValue<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withCurrent(rocksdb_iter_value, body)
    }

    /// Throws the error that made the iterator invalid, if any: RocksDB's
    /// (e.g. `.corruption`, `.ioError`) or `.closed`. Call it after a loop ends
    /// to tell "reached the end" from "failed".
    public func checkStatus() throws(StorageError) {
        try database.withOpenHandle { _ throws(StorageError) in
            try withRocksDBError { error in rocksdb_iter_get_error(pointer, error) }
        }
    }

    private func withCurrent<R>(
        _ accessor: (OpaquePointer?, UnsafeMutablePointer<Int>?) -> UnsafePointer<CChar>?,
        _ body: (UnsafeRawBufferPointer) throws -> R
    ) rethrows -> R {
        // The shared lock is held while `body` runs: the bytes live inside
        // RocksDB and must not be freed by a concurrent close.
        try database.lifecycle.withSharedLock { () throws -> R in
            precondition(
                database.isOpenWhileLocked && rocksdb_iter_valid(pointer) != 0, "Iterator accessed while not valid")
            var length = 0
            let bytes = accessor(pointer, &length)
            return try body(UnsafeRawBufferPointer(start: bytes, count: length))
        }
    }
}
