internal import CRocksDB

/// The batch one write group is built in: a plain `rocksdb_writebatch_t` (what
/// is committed) plus a `BatchOverlay` of the same writes in key order. Reads
/// through it see the database plus everything earlier commands of the group
/// wrote, which is what lets a group behave exactly like its commands run one
/// by one.
///
/// This used to be RocksDB's write batch with index; its skiplist compares,
/// which decode batch records at every step, were the largest single cost of
/// a CreateOrder on the writer. The overlay answers the same reads from
/// contiguous Swift arrays, and the plain batch only appends.
///
/// Owned and used only by the writer thread (not `Sendable`).
final class IndexedBatch {
    let database: Database
    /// `rocksdb_writebatch_t*`: the group's writes in order, as committed.
    private let pointer: OpaquePointer
    /// The same writes by column family and key, for reads and scans.
    private var overlay = BatchOverlay()
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
        pointer = rocksdb_writebatch_create()
    }

    deinit {
        // The batch holds key/value copies and column-family IDs only, so it
        // may be destroyed after the database closed.
        rocksdb_writebatch_destroy(pointer)
    }

    // MARK: Command lifecycle (writer thread)

    /// Sets a save point for the command about to run and returns its
    /// generation.
    func beginCommand() -> UInt64 {
        rocksdb_writebatch_set_save_point(pointer)
        generation &+= 1
        return generation
    }

    /// Ends the current command; when it failed, undoes its writes (in the
    /// batch and in the overlay).
    func endCommand(failed: Bool) throws(StorageError) {
        generation &+= 1
        if failed {
            overlay.rollbackCommand()
            try withRocksDBError { error in rocksdb_writebatch_rollback_to_save_point(pointer, error) }
        } else {
            overlay.commitCommand()
            try withRocksDBError { error in rocksdb_writebatch_pop_save_point(pointer, error) }
        }
    }

    @inline(__always)
    func checkLive(_ transactionGeneration: UInt64) {
        precondition(
            transactionGeneration == generation,
            "WriteTransaction used after its command returned; it is valid only inside the command")
    }

    var count: Int {
        Int(rocksdb_writebatch_count(pointer))
    }

    var byteSize: Int {
        var size = 0
        _ = rocksdb_writebatch_data(pointer, &size)
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
                rocksdb_write(db, database.native.syncWrite, pointer, error)
            }
        }
    }

    /// Empties the batch, its save points and the overlay for the next group.
    func clear() {
        rocksdb_writebatch_clear(pointer)
        overlay.clear()
        droppedWrites = false
    }

    // MARK: Operations (through WriteTransaction)

    func get(_ columnFamily: ColumnFamily, _ key: some StorageBytes) throws(StorageError) -> [UInt8]? {
        let bytes = key.withUnsafeBytes { [UInt8]($0) }
        if case .some(let written) = overlay.lookup(columnFamily.index, bytes) { return written }
        return try database.get(columnFamily, bytes)
    }

    func put(_ columnFamily: ColumnFamily, _ key: some StorageBytes, _ value: some StorageBytes) {
        // After close the write is dropped and `commit()` throws `.closed`.
        let applied: Void? = database.ifOpen { _ in
            let cf = database.columnFamilyHandle(columnFamily)
            key.withUnsafeBytes { k in
                value.withUnsafeBytes { v in
                    rocksdb_writebatch_put_cf(pointer, cf, k.cChars, k.count, v.cChars, v.count)
                }
            }
        }
        if applied == nil {
            droppedWrites = true
            return
        }
        overlay.set(columnFamily.index, key.withUnsafeBytes { [UInt8]($0) }, value.withUnsafeBytes { [UInt8]($0) })
    }

    func delete(_ columnFamily: ColumnFamily, _ key: some StorageBytes) {
        let applied: Void? = database.ifOpen { _ in
            let cf = database.columnFamilyHandle(columnFamily)
            key.withUnsafeBytes { k in
                rocksdb_writebatch_delete_cf(pointer, cf, k.cChars, k.count)
            }
        }
        if applied == nil {
            droppedWrites = true
            return
        }
        overlay.set(columnFamily.index, key.withUnsafeBytes { [UInt8]($0) }, nil)
    }

    /// The database's entries in `range` merged with the group's writes
    /// (written values win, deleted keys are skipped).
    func scan(_ columnFamily: ColumnFamily, _ range: ScanRange) throws(StorageError) -> [(key: [UInt8], value: [UInt8])] {
        if range.isEmpty { return [] }
        let written = overlay.range(columnFamily.index, from: range.start, to: range.end)
        return try database.withOpenHandle { db throws(StorageError) in
            let cf = database.columnFamilyHandle(columnFamily)
            let readOptions = IteratorReadOptions(snapshot: nil, lowerBound: range.start, upperBound: range.end)
            return try withExtendedLifetime(readOptions) { () throws(StorageError) in
                let iterator = rocksdb_create_iterator_cf(db, readOptions.pointer, cf)!
                defer { rocksdb_iter_destroy(iterator) }
                return try range.collect(from: iterator, merging: written)
            }
        }
    }
}
