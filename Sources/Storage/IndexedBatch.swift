internal import CRocksDB

/// The `rocksdb_writebatch_wi_t` (write batch with index) one write group is
/// built in. Reads through it see the database plus everything earlier
/// commands of the group wrote, which is what lets a group behave exactly like
/// its commands run one by one.
///
/// Owned and used only by the writer thread (not `Sendable`).
final class IndexedBatch {
    let database: Database
    /// `rocksdb_writebatch_wi_t*` with `overwrite_key`, so a key written twice
    /// in a group is indexed once and reads return the latest value.
    private let pointer: OpaquePointer
    /// Bumped when a command starts and when it ends. A `WriteTransaction`
    /// remembers the value of its command and checks it on every use, so a
    /// transaction kept past its command traps instead of writing into
    /// another command's group.
    private(set) var generation: UInt64 = 0
    /// A put or delete was dropped because the database is closed; the group
    /// must then fail even if the batch is empty.
    private(set) var droppedWrites = false

    init(database: Database) {
        self.database = database
        pointer = rocksdb_writebatch_wi_create(64 << 10, 1)
    }

    deinit {
        // The batch holds key/value copies and column-family IDs only, so it
        // may be destroyed after the database closed.
        rocksdb_writebatch_wi_destroy(pointer)
    }

    // MARK: Command lifecycle (writer thread)

    /// Sets a save point for the command about to run and returns its
    /// generation.
    func beginCommand() -> UInt64 {
        rocksdb_writebatch_wi_set_save_point(pointer)
        generation &+= 1
        return generation
    }

    /// Ends the current command; when it failed, undoes its writes. Save points
    /// of successful commands stay on the stack until `clear()` (the C API
    /// cannot pop them; each costs a few bytes).
    func endCommand(failed: Bool) throws(StorageError) {
        generation &+= 1
        if failed {
            // RocksDB rebuilds the index from the truncated batch: O(batch),
            // paid only by failing commands.
            try withRocksDBError { error in rocksdb_writebatch_wi_rollback_to_save_point(pointer, error) }
        }
    }

    @inline(__always)
    func checkLive(_ transactionGeneration: UInt64) {
        precondition(
            transactionGeneration == generation,
            "WriteTransaction used after its command returned; it is valid only inside the command")
    }

    var count: Int {
        Int(rocksdb_writebatch_wi_count(pointer))
    }

    var byteSize: Int {
        var size = 0
        _ = rocksdb_writebatch_wi_data(pointer, &size)
        return size
    }

    /// Whether the group has anything to write (or must report dropped writes).
    var needsCommit: Bool {
        droppedWrites || count > 0
    }

    /// Writes the batch with `sync = true`: durable when this returns.
    func commit() throws(StorageError) {
        if droppedWrites { throw StorageError.closed() }
        try database.withOpenHandle { db throws(StorageError) in
            try withRocksDBError { error in
                rocksdb_write_writebatch_wi(db, database.native.syncWrite, pointer, error)
            }
        }
    }

    /// Empties the batch and its save points for the next group.
    func clear() {
        rocksdb_writebatch_wi_clear(pointer)
        droppedWrites = false
    }

    // MARK: Operations (through WriteTransaction)

    func get(_ columnFamily: ColumnFamily, _ key: some StorageBytes) throws(StorageError) -> [UInt8]? {
        try database.withOpenHandle { db throws(StorageError) in
            let cf = database.columnFamilyHandle(columnFamily)
            var length = 0
            let value = try withRocksDBError { error in
                key.withUnsafeBytes { k in
                    rocksdb_writebatch_wi_get_from_batch_and_db_cf(
                        pointer, db, database.native.defaultRead, cf, k.cChars, k.count, &length, error)
                }
            }
            // A found value is always a malloc'd copy (non-nil even when empty).
            guard let value else { return nil }
            defer { rocksdb_free(value) }
            return [UInt8](UnsafeRawBufferPointer(start: value, count: length))
        }
    }

    func put(_ columnFamily: ColumnFamily, _ key: some StorageBytes, _ value: some StorageBytes) {
        // After close the write is dropped and `commit()` throws `.closed`.
        let applied: Void? = database.ifOpen { _ in
            let cf = database.columnFamilyHandle(columnFamily)
            key.withUnsafeBytes { k in
                value.withUnsafeBytes { v in
                    rocksdb_writebatch_wi_put_cf(pointer, cf, k.cChars, k.count, v.cChars, v.count)
                }
            }
        }
        if applied == nil { droppedWrites = true }
    }

    func delete(_ columnFamily: ColumnFamily, _ key: some StorageBytes) {
        let applied: Void? = database.ifOpen { _ in
            let cf = database.columnFamilyHandle(columnFamily)
            key.withUnsafeBytes { k in
                rocksdb_writebatch_wi_delete_cf(pointer, cf, k.cChars, k.count)
            }
        }
        if applied == nil { droppedWrites = true }
    }

    func scan(_ columnFamily: ColumnFamily, _ range: ScanRange) throws(StorageError) -> [(key: [UInt8], value: [UInt8])] {
        if range.isEmpty { return [] }
        return try database.withOpenHandle { db throws(StorageError) in
            let cf = database.columnFamilyHandle(columnFamily)
            let readOptions = IteratorReadOptions(snapshot: nil, lowerBound: range.start, upperBound: range.end)
            return try withExtendedLifetime(readOptions) { () throws(StorageError) in
                let base = rocksdb_create_iterator_cf(db, readOptions.pointer, cf)
                // Takes ownership of `base`; the result merges the batch over it.
                let merged = rocksdb_writebatch_wi_create_iterator_with_base_cf(pointer, base, cf)!
                defer { rocksdb_iter_destroy(merged) }
                return try range.collect(from: merged)
            }
        }
    }
}
