internal import CRocksDB
import KeyValueStorage

/// One write group on RocksDB: the writer is the only process writing, so the
/// group reads the latest committed state, and its commit is one
/// `rocksdb_writebatch_t` written with `sync = true` (durable when it returns).
///
/// The batch is filled from the `WriteSet` only at commit, each key once and
/// in key order (the cheapest order for the memtable's skiplist); until then
/// the group's writes live in the Swift set, which answers the commands' reads.
final class RocksDBWriteGroup: WriteGroup {
    let database: Database

    init(database: Database) {
        self.database = database
    }

    func get(_ family: ColumnFamily, _ key: some StorageBytes) throws(StorageError) -> [UInt8]? {
        try database.get(family, key, snapshot: nil)
    }

    func withValue<R>(
        _ family: ColumnFamily, _ key: some StorageBytes, _ body: (UnsafeRawBufferPointer?) throws -> R
    ) throws -> R {
        try database.withValue(family, key, snapshot: nil, body)
    }

    func multiGet(_ family: ColumnFamily, _ keys: [[UInt8]]) throws(StorageError) -> [[UInt8]?] {
        try database.multiGet(family, keys, snapshot: nil)
    }

    func scan(_ family: ColumnFamily, _ range: KeyRange) throws(StorageError) -> [(key: [UInt8], value: [UInt8])] {
        try database.scan(family, range, snapshot: nil)
    }

    func forEach(
        _ family: ColumnFamily, prefix: some StorageBytes,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try database.forEach(family, prefix: prefix, body)
    }

    func commit(_ writes: WriteSet) throws(StorageError) {
        try database.withOpenHandle { db throws(StorageError) in
            let batch = rocksdb_writebatch_create()!
            defer { rocksdb_writebatch_destroy(batch) }
            writes.forEach { family, entry in
                let cf = database.columnFamilyHandle(family)
                entry.key.withUnsafeBytes { k in
                    if let value = entry.value {
                        value.withUnsafeBytes { v in
                            rocksdb_writebatch_put_cf(batch, cf, k.cChars, k.count, v.cChars, v.count)
                        }
                    } else {
                        rocksdb_writebatch_delete_cf(batch, cf, k.cChars, k.count)
                    }
                }
            }
            try withRocksDBError { error in
                rocksdb_write(db, database.native.syncWrite, batch, error)
            }
        }
    }
}
