internal import CRocksDB
public import KeyValueStorage

extension Database {
    /// What RocksDB holds in memory right now (its own accounting): the block
    /// cache (`Config.blockCacheBytes` is its capacity; index and filter
    /// blocks live there too), the memtables of every column family
    /// (`Config.totalWriteBufferBytes` bounds the unflushed ones) and table
    /// readers' memory outside the cache.
    public func memoryUsage() throws(StorageError) -> StorageMemoryUsage {
        var memtables: UInt64 = 0
        var tableReaders: UInt64 = 0
        for index in columnFamilyNames.indices {
            let family = ColumnFamily(index: index, storeID: instanceID)
            memtables += try integerProperty("rocksdb.size-all-mem-tables", columnFamily: family)
            tableReaders += try integerProperty("rocksdb.estimate-table-readers-mem", columnFamily: family)
        }
        return try withOpenHandle { _ in
            StorageMemoryUsage(
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
