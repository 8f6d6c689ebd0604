internal import CRocksDB
import KeyValueStorage

/// A consistent, point-in-time view of the database: reads and iterators
/// through it do not see writes committed after it was taken.
///
/// Released when the last reference goes away (or earlier, by
/// `Database.close()`). It keeps its `Database` alive, so a snapshot can never
/// outlive the database object. `@unchecked Sendable`: RocksDB snapshots are
/// immutable and may be read from any thread; the read options are never
/// mutated after `init`; and every use goes through `Database`, which checks
/// under its lifecycle lock that the snapshot has not been released by close.
public final class Snapshot: @unchecked Sendable {
    public let database: Database
    /// `const rocksdb_snapshot_t*`, released by `Database.releaseChild` or `close`.
    let pointer: OpaquePointer
    /// Read options with this snapshot set; shared by all reads through it.
    let readOptions: OpaquePointer

    init(database: Database, pointer: OpaquePointer) {
        self.database = database
        self.pointer = pointer
        readOptions = rocksdb_readoptions_create()
        rocksdb_readoptions_set_snapshot(readOptions, pointer)
    }

    deinit {
        database.releaseChild(of: ObjectIdentifier(self))
        // Destroying read options does not touch the snapshot they point to.
        rocksdb_readoptions_destroy(readOptions)
    }
}
