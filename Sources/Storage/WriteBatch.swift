internal import CRocksDB
import KeyValueStorage

/// Writes collected in memory and applied atomically by `Database.write`:
/// either every operation (across all column families) becomes visible, or
/// none does.
///
/// Not thread-safe: fill it on one thread, then write it. Operations added
/// after the database closed are dropped; `Database.write` then throws
/// `.closed`, so nothing is silently lost.
public final class WriteBatch {
    public let database: Database
    /// `rocksdb_writebatch_t*`. It holds copies of the keys and values, and
    /// column-family IDs rather than handles, so it may outlive the database.
    let pointer: OpaquePointer

    public init(database: Database) {
        self.database = database
        pointer = rocksdb_writebatch_create()
    }

    deinit {
        rocksdb_writebatch_destroy(pointer)
    }

    public func put(_ columnFamily: ColumnFamily, _ key: some StorageBytes, _ value: some StorageBytes) {
        // The shared lock keeps the column-family handle alive for the call.
        _ = database.ifOpen { _ in
            let cf = database.columnFamilyHandle(columnFamily)
            key.withUnsafeBytes { k in
                value.withUnsafeBytes { v in
                    rocksdb_writebatch_put_cf(pointer, cf, k.cChars, k.count, v.cChars, v.count)
                }
            }
        }
    }

    public func delete(_ columnFamily: ColumnFamily, _ key: some StorageBytes) {
        _ = database.ifOpen { _ in
            let cf = database.columnFamilyHandle(columnFamily)
            key.withUnsafeBytes { k in
                rocksdb_writebatch_delete_cf(pointer, cf, k.cChars, k.count)
            }
        }
    }

    /// Deletes every key in `[from, to)` with one range tombstone.
    public func deleteRange(_ columnFamily: ColumnFamily, from start: some StorageBytes, to end: some StorageBytes) {
        _ = database.ifOpen { _ in
            let cf = database.columnFamilyHandle(columnFamily)
            start.withUnsafeBytes { s in
                end.withUnsafeBytes { e in
                    rocksdb_writebatch_delete_range_cf(pointer, cf, s.cChars, s.count, e.cChars, e.count)
                }
            }
        }
    }

    /// Number of operations in the batch.
    public var count: Int {
        Int(rocksdb_writebatch_count(pointer))
    }

    /// Size of the batch's serialized form (what goes into the WAL).
    public var byteSize: Int {
        var size = 0
        _ = rocksdb_writebatch_data(pointer, &size)
        return size
    }

    /// Removes every operation, so the batch can be reused.
    public func clear() {
        rocksdb_writebatch_clear(pointer)
    }
}
