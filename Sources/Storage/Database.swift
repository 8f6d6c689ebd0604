internal import CRocksDB
public import KeyValueStorage
import Synchronization

/// Source of `Database.instanceID`, so a `ColumnFamily` can be checked against
/// the database that issued it.
private let nextDatabaseID = Atomic<UInt64>(1)

/// An open RocksDB database with its column families.
///
/// `@unchecked Sendable` is sound because `rocksdb_t` and its column-family
/// handles are thread-safe for concurrent reads and writes (RocksDB's documented
/// contract), the option objects are never mutated after `init`, and the only
/// mutable state — whether the database is still open, and the registry of live
/// iterators and snapshots — is guarded by `lifecycle` and `children`.
///
/// Reads never wait for writers: RocksDB serves them from the memtable and SST
/// files concurrently with writes.
///
/// Closing releases native objects in RocksDB's required order: iterators →
/// snapshots → column-family handles → database. After `close()` every
/// operation throws `StorageError.Code.closed`.
public final class Database: @unchecked Sendable {
    /// The database directory.
    public let path: String
    /// Every open column family, `"default"` included, in handle order.
    public let columnFamilyNames: [String]
    /// The compression actually in use (`Config.compression`, or `.none` when
    /// this RocksDB build lacks it).
    public let compression: Config.Compression

    /// Identifies this database among the stores open in the process
    /// (`ColumnFamily.storeID`).
    public let instanceID: UInt64
    /// `Config.flushOnClose`.
    private let flushOnClose: Bool
    let lifecycle = LifecycleLock()
    let native: NativeOptions

    /// `rocksdb_t*`; nil once closed. Written only under the exclusive side of
    /// `lifecycle`, read only under the shared side.
    private var handle: OpaquePointer?
    /// `rocksdb_column_family_handle_t*` per column family; valid while `handle`
    /// is non-nil.
    private let columnFamilyHandles: [OpaquePointer]
    private let indexByName: [String: Int]
    /// Native iterators and snapshots still alive, so `close()` can free them
    /// before the database (their owners may outlive the close).
    private let children = Mutex<[ObjectIdentifier: NativeChild]>([:])

    /// Opens the database at `path`, creating it (if `config.createIfMissing`)
    /// and any of `columnFamilies` that do not exist yet. Column families that
    /// exist on disk but are not listed are opened too (RocksDB requires it).
    ///
    /// - Throws: `.locked` when another process (or another `Database` in this
    ///   process) has the directory open, `.corruption` for damaged files, and
    ///   RocksDB's other errors with RocksDB's message.
    public init(path: String, columnFamilies: [String], config: Config = .defaults) throws(StorageError) {
        let opened: OpenedDatabase
        do {
            opened = try Self.open(
                path: path, columnFamilies: columnFamilies, config: config, compression: config.compression)
        } catch let error
            where error.code == .invalidArgument && config.compression != .none
            && error.message.contains("not linked with the binary")
        {
            // This RocksDB build lacks the codec; RocksDB validates options before
            // touching the directory, so retrying is safe.
            opened = try Self.open(path: path, columnFamilies: columnFamilies, config: config, compression: .none)
        }
        self.path = path
        self.handle = opened.handle
        self.columnFamilyHandles = opened.columnFamilyHandles
        self.columnFamilyNames = opened.names
        self.native = opened.native
        self.compression = opened.native.compression
        self.indexByName = Dictionary(uniqueKeysWithValues: opened.names.enumerated().map { ($1, $0) })
        self.instanceID = nextDatabaseID.wrappingAdd(1, ordering: .relaxed).oldValue
        self.flushOnClose = config.flushOnClose
    }

    deinit {
        close()
    }

    /// The handle for a column family opened by `init`.
    ///
    /// An unknown name is a programmer error (the list passed to `init` is
    /// fixed at build time) and traps.
    public func columnFamily(_ name: String) -> ColumnFamily {
        guard let index = indexByName[name] else {
            preconditionFailure("unknown column family '\(name)' in database at \(path); open it in Database.init")
        }
        return ColumnFamily(index: index, storeID: instanceID)
    }

    /// Whether `close()` has run.
    public var isClosed: Bool {
        lifecycle.withSharedLock { handle == nil }
    }

    /// Closes the database. Idempotent; waits for in-flight calls on other
    /// threads to finish. Live `Iterator`s and `Snapshot`s stay valid Swift
    /// objects but their operations report `.closed`.
    public func close() {
        lifecycle.withExclusiveLock {
            guard let db = handle else { return }
            let live = children.withLock { children in
                let all = Array(children.values)
                children.removeAll()
                return all
            }
            for case .iterator(let iterator) in live {
                rocksdb_iter_destroy(iterator)
            }
            for case .snapshot(let snapshot) in live {
                rocksdb_release_snapshot(db, snapshot)
            }
            if flushOnClose {
                // Memtables to SST files now, so the next open has no WAL to replay.
                let flush = rocksdb_flushoptions_create()
                rocksdb_flushoptions_set_wait(flush, 1)
                for columnFamily in columnFamilyHandles {
                    var error: UnsafeMutablePointer<CChar>?
                    rocksdb_flush_cf(db, flush, columnFamily, &error)
                    if let error { rocksdb_free(error) }  // best effort: the WAL still has everything
                }
                rocksdb_flushoptions_destroy(flush)
            }
            for columnFamily in columnFamilyHandles {
                rocksdb_column_family_handle_destroy(columnFamily)
            }
            rocksdb_close(db)
            handle = nil
        }
    }

    // MARK: Reads

    /// The value stored under `key`, copied out; nil when absent.
    public func get(
        _ columnFamily: ColumnFamily,
        _ key: some StorageBytes,
        snapshot: Snapshot? = nil
    ) throws(StorageError) -> [UInt8]? {
        try withPinnedValue(columnFamily, key, snapshot: snapshot) { value in
            value.map { [UInt8]($0) }
        }
    }

    /// Calls `body` with the value stored under `key` (nil when absent) without
    /// copying it: the buffer is pinned in RocksDB's memtable or block cache and
    /// valid only inside `body`. This is the hot path for reads that decode the
    /// value straight away.
    public func withValue<R>(
        _ columnFamily: ColumnFamily,
        _ key: some StorageBytes,
        snapshot: Snapshot? = nil,
        _ body: (UnsafeRawBufferPointer?) throws -> R
    ) throws -> R {
        let result = try withPinnedValue(columnFamily, key, snapshot: snapshot) { value in
            Result { try body(value) }
        }
        return try result.get()
    }

    /// Whether `key` exists.
    public func contains(
        _ columnFamily: ColumnFamily, _ key: some StorageBytes, snapshot: Snapshot? = nil
    ) throws(StorageError) -> Bool {
        try withPinnedValue(columnFamily, key, snapshot: snapshot) { $0 != nil }
    }

    /// Looks up several keys of one column family in one call (RocksDB batches
    /// the index and filter probes). Results are in the order of `keys`.
    public func multiGet(
        _ columnFamily: ColumnFamily,
        _ keys: [[UInt8]],
        snapshot: Snapshot? = nil
    ) throws(StorageError) -> [[UInt8]?] {
        if keys.isEmpty { return [] }
        return try withOpenHandle { db throws(StorageError) in
            let cf = columnFamilyHandle(columnFamily)
            let readOptions = readOptions(for: snapshot)
            let count = keys.count
            // The keys are copied into one buffer so their addresses are stable
            // for the single C call.
            let totalBytes = keys.reduce(0) { $0 + $1.count }
            let keyStorage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(totalBytes, 1), alignment: 1)
            defer { keyStorage.deallocate() }
            var keyPointers = [UnsafePointer<CChar>?](repeating: nil, count: count)
            var keySizes = [Int](repeating: 0, count: count)
            var offset = 0
            for (i, key) in keys.enumerated() {
                let slot = UnsafeMutableRawBufferPointer(rebasing: keyStorage[offset..<offset + key.count])
                slot.copyBytes(from: key)
                keyPointers[i] = UnsafePointer(
                    keyStorage.baseAddress!.advanced(by: offset).assumingMemoryBound(to: CChar.self))
                keySizes[i] = key.count
                offset += key.count
            }
            let cfs = [OpaquePointer?](repeating: cf, count: count)
            var values = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            var valueSizes = [Int](repeating: 0, count: count)
            var errors = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            rocksdb_multi_get_cf(db, readOptions, cfs, count, keyPointers, keySizes, &values, &valueSizes, &errors)

            // Copy everything out and free every C buffer before deciding what to
            // throw, so nothing leaks on the error path.
            var results = [[UInt8]?](repeating: nil, count: count)
            var firstError: String?
            for i in 0..<count {
                if let error = errors[i] {
                    if firstError == nil { firstError = String(cString: error) }
                    rocksdb_free(error)
                }
                if let value = values[i] {
                    results[i] = [UInt8](UnsafeRawBufferPointer(start: value, count: valueSizes[i]))
                    rocksdb_free(value)
                }
            }
            if let firstError { throw StorageError(rocksDBMessage: firstError) }
            return results
        }
    }

    /// A consistent point-in-time view for reads and iterators.
    public func snapshot() throws(StorageError) -> Snapshot {
        try withOpenHandle { db throws(StorageError) in
            guard let pointer = rocksdb_create_snapshot(db) else {
                throw StorageError(code: .unknown, message: "rocksdb_create_snapshot returned NULL")
            }
            let snapshot = Snapshot(database: self, pointer: pointer)
            register(.snapshot(pointer), for: snapshot)
            return snapshot
        }
    }

    /// An iterator over one column family, optionally restricted to
    /// `[lowerBound, upperBound)` and/or reading through `snapshot`.
    /// The iterator starts unpositioned: call a `seek…` method first.
    public func makeIterator(
        _ columnFamily: ColumnFamily,
        snapshot: Snapshot? = nil,
        lowerBound: [UInt8]? = nil,
        upperBound: [UInt8]? = nil
    ) throws(StorageError) -> Iterator {
        try withOpenHandle { db throws(StorageError) in
            checkOwnership(snapshot)
            let bounds = IteratorReadOptions(snapshot: snapshot, lowerBound: lowerBound, upperBound: upperBound)
            let pointer = rocksdb_create_iterator_cf(db, bounds.pointer, columnFamilyHandle(columnFamily))!
            let iterator = Iterator(database: self, pointer: pointer, readOptions: bounds, snapshot: snapshot)
            register(.iterator(pointer), for: iterator)
            return iterator
        }
    }

    /// Up to `limit` entries whose key starts with `prefix`, in key order (or
    /// reverse order). `after` is an exclusive resume key — pass the last key of
    /// the previous page to get the next one.
    public func scan(
        _ columnFamily: ColumnFamily,
        prefix: [UInt8],
        after: [UInt8]? = nil,
        limit: Int,
        reverse: Bool = false,
        snapshot: Snapshot? = nil
    ) throws(StorageError) -> [(key: [UInt8], value: [UInt8])] {
        try scan(
            columnFamily, KeyRange(prefix: prefix, after: after, limit: limit, reverse: reverse), snapshot: snapshot)
    }

    /// Up to `limit` entries with `from <= key < to` (`to == nil`: no upper
    /// end), in key order (or reverse order). `after` is an exclusive resume key.
    public func scan(
        _ columnFamily: ColumnFamily,
        from lowerBound: [UInt8],
        to upperBound: [UInt8]?,
        after: [UInt8]? = nil,
        limit: Int,
        reverse: Bool = false,
        snapshot: Snapshot? = nil
    ) throws(StorageError) -> [(key: [UInt8], value: [UInt8])] {
        let range = KeyRange(
            lowerBound: lowerBound, upperBound: upperBound, after: after, limit: limit, reverse: reverse)
        return try scan(columnFamily, range, snapshot: snapshot)
    }

    /// Up to `range.limit` entries of `range`, through `snapshot` when given.
    public func scan(
        _ columnFamily: ColumnFamily, _ range: KeyRange, snapshot: Snapshot?
    ) throws(StorageError) -> [(key: [UInt8], value: [UInt8])] {
        if range.isEmpty { return [] }
        return try withOpenHandle { db throws(StorageError) in
            // The bounds let RocksDB stop early and skip SST files; KeyRange
            // still checks every key, so correctness does not depend on them.
            checkOwnership(snapshot)
            let readOptions = IteratorReadOptions(snapshot: snapshot, lowerBound: range.start, upperBound: range.end)
            // The C iterator reads the bounds inside `readOptions` in place.
            return try withExtendedLifetime(readOptions) { () throws(StorageError) in
                let iterator = rocksdb_create_iterator_cf(db, readOptions.pointer, columnFamilyHandle(columnFamily))!
                defer { rocksdb_iter_destroy(iterator) }
                return try range.collect(from: iterator)
            }
        }
    }

    /// The sequence number of the most recent committed write: a cheap
    /// "has anything changed" marker.
    public var latestSequenceNumber: UInt64 {
        get throws(StorageError) {
            try withOpenHandle { db in rocksdb_get_latest_sequence_number(db) }
        }
    }

    /// A RocksDB property such as `rocksdb.estimate-num-keys`, or nil if RocksDB
    /// does not know it.
    public func property(_ name: String, columnFamily: ColumnFamily? = nil) throws(StorageError) -> String? {
        try withOpenHandle { db in
            let value: UnsafeMutablePointer<CChar>?
            if let columnFamily {
                value = rocksdb_property_value_cf(db, columnFamilyHandle(columnFamily), name)
            } else {
                value = rocksdb_property_value(db, name)
            }
            guard let value else { return nil }
            defer { rocksdb_free(value) }
            return String(cString: value)
        }
    }

    // MARK: Writes

    /// Applies `batch` atomically (all of it or nothing, across column
    /// families). With `sync` the call returns only after the WAL is fsync'd.
    public func write(_ batch: WriteBatch, sync: Bool = true) throws(StorageError) {
        precondition(batch.database === self, "WriteBatch belongs to another Database")
        try withOpenHandle { db throws(StorageError) in
            try withRocksDBError { error in
                rocksdb_write(db, sync ? native.syncWrite : native.bufferedWrite, batch.pointer, error)
            }
        }
    }

    /// Writes one key. Prefer `WriteCoordinator` in the server: it groups
    /// concurrent writers into one fsync.
    public func put(
        _ columnFamily: ColumnFamily, _ key: some StorageBytes, _ value: some StorageBytes, sync: Bool = true
    )
        throws(StorageError)
    {
        try withOpenHandle { db throws(StorageError) in
            let cf = columnFamilyHandle(columnFamily)
            let options = sync ? native.syncWrite : native.bufferedWrite
            try withRocksDBError { error in
                key.withUnsafeBytes { k in
                    value.withUnsafeBytes { v in
                        rocksdb_put_cf(db, options, cf, k.cChars, k.count, v.cChars, v.count, error)
                    }
                }
            }
        }
    }

    /// Deletes one key (a no-op when absent).
    public func delete(_ columnFamily: ColumnFamily, _ key: some StorageBytes, sync: Bool = true) throws(StorageError) {
        try withOpenHandle { db throws(StorageError) in
            let cf = columnFamilyHandle(columnFamily)
            let options = sync ? native.syncWrite : native.bufferedWrite
            try withRocksDBError { error in
                key.withUnsafeBytes { k in
                    rocksdb_delete_cf(db, options, cf, k.cChars, k.count, error)
                }
            }
        }
    }

    /// Flushes every column family's memtable to SST files and waits for it.
    public func flush() throws(StorageError) {
        try withOpenHandle { db throws(StorageError) in
            let options = rocksdb_flushoptions_create()
            defer { rocksdb_flushoptions_destroy(options) }
            rocksdb_flushoptions_set_wait(options, 1)
            for cf in columnFamilyHandles {
                try withRocksDBError { error in rocksdb_flush_cf(db, options, cf, error) }
            }
        }
    }
}

// MARK: - Internals shared with Snapshot, Iterator, WriteBatch, WriteCoordinator

extension Database {
    /// Runs `body` with the open `rocksdb_t*`, holding the shared lifecycle lock
    /// so `close()` cannot free it meanwhile; throws `.closed` after close.
    @inline(__always)
    func withOpenHandle<R>(_ body: (OpaquePointer) throws(StorageError) -> R) throws(StorageError) -> R {
        try lifecycle.withSharedLock { () throws(StorageError) -> R in
            guard let db = handle else { throw StorageError.closed() }
            return try body(db)
        }
    }

    /// Like `withOpenHandle`, but runs nothing after close and returns nil: for
    /// operations whose failure surfaces later (a batch put is a no-op once
    /// closed because writing the batch throws `.closed`).
    @inline(__always)
    func ifOpen<R>(_ body: (OpaquePointer) -> R) -> R? {
        lifecycle.withSharedLock { handle.map(body) }
    }

    /// Whether the database is open. Caller holds the lifecycle lock.
    var isOpenWhileLocked: Bool { handle != nil }

    /// The C handle of `columnFamily`. Only meaningful while the caller holds
    /// the shared lifecycle lock of an open database.
    @inline(__always)
    func columnFamilyHandle(_ columnFamily: ColumnFamily) -> OpaquePointer {
        precondition(columnFamily.storeID == instanceID, "ColumnFamily belongs to another Database")
        return columnFamilyHandles[columnFamily.index]
    }

    /// The read options to use for `snapshot`. Caller holds the shared lock.
    @inline(__always)
    func readOptions(for snapshot: Snapshot?) -> OpaquePointer {
        guard let snapshot else { return native.defaultRead }
        checkOwnership(snapshot)
        return snapshot.readOptions
    }

    @inline(__always)
    func checkOwnership(_ snapshot: Snapshot?) {
        if let snapshot {
            precondition(snapshot.database === self, "Snapshot belongs to another Database")
        }
    }

    /// `rocksdb_get_pinned_cf`: the value is pinned, not copied; `body` must not
    /// let the buffer escape.
    private func withPinnedValue<R>(
        _ columnFamily: ColumnFamily,
        _ key: some StorageBytes,
        snapshot: Snapshot?,
        _ body: (UnsafeRawBufferPointer?) -> R
    ) throws(StorageError) -> R {
        try withOpenHandle { db throws(StorageError) in
            let cf = columnFamilyHandle(columnFamily)
            let readOptions = readOptions(for: snapshot)
            let pinned = try withRocksDBError { error in
                key.withUnsafeBytes { k in
                    rocksdb_get_pinned_cf(db, readOptions, cf, k.cChars, k.count, error)
                }
            }
            guard let pinned else { return body(nil) }
            defer { rocksdb_pinnableslice_destroy(pinned) }
            var length = 0
            let bytes = rocksdb_pinnableslice_value(pinned, &length)
            return body(UnsafeRawBufferPointer(start: bytes, count: length))
        }
    }

    /// Records a native child so `close()` frees it first. Caller holds the
    /// shared lock of an open database.
    func register(_ child: NativeChild, for owner: AnyObject) {
        children.withLock { $0[ObjectIdentifier(owner)] = child }
    }

    /// Frees the native child of `owner` unless `close()` already did.
    /// Called from the owner's `deinit`.
    func releaseChild(of owner: ObjectIdentifier) {
        lifecycle.withSharedLock {
            guard let db = handle, let child = children.withLock({ $0.removeValue(forKey: owner) }) else { return }
            switch child {
            case .iterator(let iterator): rocksdb_iter_destroy(iterator)
            case .snapshot(let snapshot): rocksdb_release_snapshot(db, snapshot)
            }
        }
    }
}

/// A native object that must be freed before the database closes.
///
/// `@unchecked Sendable`: the pointers are only handed to RocksDB while the
/// database's lifecycle lock is held (shared to free one, exclusive to free all).
enum NativeChild: @unchecked Sendable {
    /// `rocksdb_iterator_t*`
    case iterator(OpaquePointer)
    /// `const rocksdb_snapshot_t*`
    case snapshot(OpaquePointer)
}
