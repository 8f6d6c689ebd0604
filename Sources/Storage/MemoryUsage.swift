internal import CRocksDB

extension Database {
    /// What RocksDB holds in memory, in bytes: the parts of the process's
    /// resident memory that the database configuration bounds.
    public struct MemoryUsage: Sendable, Equatable {
        /// Data, index and filter blocks in the shared block cache
        /// (`Config.blockCacheBytes` is its capacity).
        public var blockCache: UInt64
        public var blockCacheCapacity: UInt64
        /// The part of `blockCache` that cannot be evicted now (pinned L0
        /// index and filter blocks, blocks in use by iterators).
        public var blockCachePinned: UInt64
        /// Memtables of every column family, flushed or not yet
        /// (`Config.totalWriteBufferBytes` bounds the unflushed ones).
        public var memtables: UInt64
        /// Table readers' memory outside the block cache, every column family.
        public var tableReaders: UInt64

        public var total: UInt64 { blockCache + memtables + tableReaders }
    }

    /// The database's memory right now (RocksDB's own accounting).
    public func memoryUsage() throws(StorageError) -> MemoryUsage {
        var memtables: UInt64 = 0
        var tableReaders: UInt64 = 0
        for index in columnFamilyNames.indices {
            let family = ColumnFamily(index: index, databaseID: instanceID)
            memtables += try integerProperty("rocksdb.size-all-mem-tables", columnFamily: family)
            tableReaders += try integerProperty("rocksdb.estimate-table-readers-mem", columnFamily: family)
        }
        return try withOpenHandle { _ in
            MemoryUsage(
                blockCache: UInt64(rocksdb_cache_get_usage(native.blockCache)),
                blockCacheCapacity: UInt64(rocksdb_cache_get_capacity(native.blockCache)),
                blockCachePinned: UInt64(rocksdb_cache_get_pinned_usage(native.blockCache)),
                memtables: memtables, tableReaders: tableReaders)
        }
    }

    private func integerProperty(_ name: String, columnFamily: ColumnFamily) throws(StorageError) -> UInt64 {
        try property(name, columnFamily: columnFamily).flatMap { UInt64($0) } ?? 0
    }
}
