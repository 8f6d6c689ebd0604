internal import CRocksDB

/// The writes of one write group: a `BatchOverlay` holding, per column family
/// and in key order, the last value each command of the group wrote. Reads
/// through it see the database plus everything earlier commands of the group
/// wrote, which is what lets a group behave exactly like its commands run one
/// by one. At commit it becomes one `rocksdb_writebatch_t`, each key once.
///
/// This used to be RocksDB's write batch with index; its skiplist compares,
/// which decode batch records at every step, were the largest single cost of
/// a CreateOrder on the writer, and every write of a counter or a stock level
/// went to the memtable again. The overlay answers the same reads from
/// contiguous Swift arrays and writes each key once, in order.
///
/// Owned and used only by the writer thread (not `Sendable`).
final class IndexedBatch {
    let database: Database
    /// `rocksdb_writebatch_t*`, filled from the overlay at commit and cleared after.
    private let pointer: OpaquePointer
    /// The group's writes by column family and key.
    private var overlay = BatchOverlay()
    /// Bumped when a command starts and when it ends. A `WriteTransaction`
    /// remembers the value of its command and checks it on every use, so a
    /// transaction kept past its command traps instead of writing into
    /// another command's group.
    private(set) var generation: UInt64 = 0

    init(database: Database) {
        self.database = database
        pointer = rocksdb_writebatch_create()
    }

    deinit {
        rocksdb_writebatch_destroy(pointer)
    }

    // MARK: Command lifecycle (writer thread)

    /// Starts a command and returns its generation.
    func beginCommand() -> UInt64 {
        generation &+= 1
        return generation
    }

    /// Ends the current command; when it failed, undoes its writes.
    func endCommand(failed: Bool) throws(StorageError) {
        generation &+= 1
        if failed {
            overlay.rollbackCommand()
        } else {
            overlay.commitCommand()
        }
    }

    @inline(__always)
    func checkLive(_ transactionGeneration: UInt64) {
        precondition(
            transactionGeneration == generation,
            "WriteTransaction used after its command returned; it is valid only inside the command")
    }

    /// Keys the group wrote (each once).
    var count: Int {
        overlay.count
    }

    /// Bytes of the group's keys and values (about what goes into the WAL).
    var byteSize: Int {
        overlay.byteSize
    }

    /// Whether the group has anything to write (or must report dropped writes).
    var needsCommit: Bool {
        count > 0
    }

    /// Writes the group with `sync = true`: durable when this returns.
    func commit() throws(StorageError) {
        try database.withOpenHandle { db throws(StorageError) in
            defer { rocksdb_writebatch_clear(pointer) }
            overlay.forEach { columnFamily, entry in
                let cf = database.columnFamilyHandle(columnFamily)
                entry.key.withUnsafeBytes { k in
                    if let value = entry.value {
                        value.withUnsafeBytes { v in
                            rocksdb_writebatch_put_cf(pointer, cf, k.cChars, k.count, v.cChars, v.count)
                        }
                    } else {
                        rocksdb_writebatch_delete_cf(pointer, cf, k.cChars, k.count)
                    }
                }
            }
            try withRocksDBError { error in
                rocksdb_write(db, database.native.syncWrite, pointer, error)
            }
        }
    }

    /// The keys the group wrote or deleted in `columnFamily`, in key order.
    func forEachKey(in columnFamily: ColumnFamily, _ body: ([UInt8]) -> Void) {
        overlay.forEachKey(in: columnFamily.index, body)
    }

    /// Empties the overlay for the next group.
    func clear() {
        overlay.clear()
    }

    // MARK: Operations (through WriteTransaction)

    func get(_ columnFamily: ColumnFamily, _ key: some StorageBytes) throws(StorageError) -> [UInt8]? {
        let bytes = Self.array(key)
        if case .some(let written) = overlay.lookup(columnFamily.index, bytes) { return written }
        return try database.get(columnFamily, bytes)
    }

    func put(_ columnFamily: ColumnFamily, _ key: some StorageBytes, _ value: some StorageBytes) {
        // No lock here: after a close, `commit()` throws `.closed` and nothing is written.
        precondition(columnFamily.databaseID == database.instanceID, "ColumnFamily belongs to another Database")
        overlay.set(columnFamily, Self.array(key), Self.array(value))
    }

    func delete(_ columnFamily: ColumnFamily, _ key: some StorageBytes) {
        precondition(columnFamily.databaseID == database.instanceID, "ColumnFamily belongs to another Database")
        overlay.set(columnFamily, Self.array(key), nil)
    }

    /// The bytes as an array: shared (no copy) when they already are one,
    /// which is what the domain passes almost always.
    @inline(__always)
    private static func array(_ bytes: some StorageBytes) -> [UInt8] {
        if let array = bytes as? [UInt8] { return array }
        return bytes.withUnsafeBytes { [UInt8]($0) }
    }

    /// The database's entries in `range` merged with the group's writes
    /// (written values win, deleted keys are skipped).
    func scan(_ columnFamily: ColumnFamily, _ range: ScanRange) throws(StorageError) -> [(key: [UInt8], value: [UInt8])]
    {
        if range.isEmpty { return [] }
        let written = overlay.range(
            columnFamily.index, from: range.start, to: range.end, reverse: range.reverse, limit: range.limit)
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
