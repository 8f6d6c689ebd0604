internal import CRocksDB
import KeyValueStorage

/// The RocksDB option objects one open database needs, owned together.
///
/// RocksDB keeps pointers into some of these (the block cache, read options
/// bounds), so they are created before the database is opened and destroyed
/// only after it is closed (STYLE.md: options outlive every use).
final class NativeOptions {
    /// DB + column-family options (the same for every column family).
    let options: OpaquePointer
    private let tableOptions: OpaquePointer
    let blockCache: OpaquePointer
    /// Plain reads without a snapshot. Never mutated after init, so every
    /// thread may pass it to RocksDB at the same time (RocksDB takes it by
    /// `const&`).
    let defaultRead: OpaquePointer
    /// `sync = true`: the write returns only after the WAL is fsync'd.
    let syncWrite: OpaquePointer
    /// `sync = false`: the write is in the OS page cache when it returns.
    let bufferedWrite: OpaquePointer
    let compression: Database.Config.Compression

    init(config: Database.Config, compression: Database.Config.Compression) {
        self.compression = compression

        blockCache = rocksdb_cache_create_lru(config.blockCacheBytes)
        tableOptions = rocksdb_block_based_options_create()
        rocksdb_block_based_options_set_block_cache(tableOptions, blockCache)
        rocksdb_block_based_options_set_block_size(tableOptions, config.blockSizeBytes)
        if config.bloomFilterBitsPerKey > 0 {
            // The table options take ownership of the policy (a shared_ptr
            // reset): it must not be destroyed here.
            rocksdb_block_based_options_set_filter_policy(
                tableOptions, rocksdb_filterpolicy_create_bloom_full(config.bloomFilterBitsPerKey))
        }
        // Index and filter blocks count against the cache, so memory stays bounded
        // by `blockCacheBytes`; L0 ones are pinned because every read touches them.
        rocksdb_block_based_options_set_cache_index_and_filter_blocks(tableOptions, 1)
        rocksdb_block_based_options_set_cache_index_and_filter_blocks_with_high_priority(tableOptions, 1)
        rocksdb_block_based_options_set_pin_l0_filter_and_index_blocks_in_cache(tableOptions, 1)
        // Partitioned: a point read loads one 4 KiB filter and index partition,
        // not the whole file's. With whole filters (a megabyte per large SST)
        // a bounded cache evicted them between reads and every cold get read
        // one back: 40 % of the writer's time at 300k imported orders.
        rocksdb_block_based_options_set_index_type(
            tableOptions, Int32(rocksdb_block_based_table_index_type_two_level_index_search))
        rocksdb_block_based_options_set_partition_filters(tableOptions, 1)
        rocksdb_block_based_options_set_metadata_block_size(tableOptions, 4096)
        rocksdb_block_based_options_set_pin_top_level_index_and_filter(tableOptions, 1)

        options = rocksdb_options_create()
        rocksdb_options_set_create_if_missing(options, config.createIfMissing ? 1 : 0)
        rocksdb_options_set_create_missing_column_families(options, 1)
        rocksdb_options_set_paranoid_checks(options, config.paranoidChecks ? 1 : 0)
        rocksdb_options_set_max_open_files(options, config.maxOpenFiles)
        rocksdb_options_set_max_background_jobs(options, Int32(clamping: config.maxBackgroundJobs))
        rocksdb_options_set_write_buffer_size(options, config.writeBufferBytes)
        rocksdb_options_set_db_write_buffer_size(options, config.totalWriteBufferBytes)
        rocksdb_options_set_max_total_wal_size(options, UInt64(config.maxTotalWALBytes))
        rocksdb_options_set_level_compaction_dynamic_level_bytes(options, 1)
        rocksdb_options_set_bytes_per_sync(options, 1 << 20)
        rocksdb_options_set_info_log_level(options, config.logLevel.rawValue)
        rocksdb_options_set_keep_log_file_num(options, config.keepLogFiles)
        rocksdb_options_set_max_log_file_size(options, 16 << 20)
        rocksdb_options_set_compression(options, compression.rocksDBValue)
        // Copies the table options into a new table factory.
        rocksdb_options_set_block_based_table_factory(options, tableOptions)

        defaultRead = rocksdb_readoptions_create()
        syncWrite = rocksdb_writeoptions_create()
        rocksdb_writeoptions_set_sync(syncWrite, 1)
        bufferedWrite = rocksdb_writeoptions_create()
        rocksdb_writeoptions_set_sync(bufferedWrite, 0)
    }

    deinit {
        rocksdb_writeoptions_destroy(bufferedWrite)
        rocksdb_writeoptions_destroy(syncWrite)
        rocksdb_readoptions_destroy(defaultRead)
        rocksdb_options_destroy(options)
        rocksdb_block_based_options_destroy(tableOptions)
        rocksdb_cache_destroy(blockCache)
    }
}

extension Database.Config.Compression {
    var rocksDBValue: Int32 {
        switch self {
        case .none: Int32(rocksdb_no_compression)
        case .snappy: Int32(rocksdb_snappy_compression)
        case .lz4: Int32(rocksdb_lz4_compression)
        case .zstd: Int32(rocksdb_zstd_compression)
        }
    }
}
