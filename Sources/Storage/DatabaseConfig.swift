extension Database {
    /// Tuning for one open database. Every column family gets the same options
    /// and shares one block cache, so `blockCacheBytes` bounds read-cache memory
    /// for the whole database.
    public struct Config: Sendable {
        /// Block compression for SST files.
        public enum Compression: Sendable, Hashable {
            case none, snappy, lz4, zstd
        }

        /// RocksDB's own log (`LOG` files in the database directory).
        public enum LogLevel: Int32, Sendable, Hashable {
            case debug = 0
            case info, warn, error, fatal
        }

        /// Create the database directory and files when they do not exist.
        public var createIfMissing = true
        /// Shared LRU block cache for all column families.
        public var blockCacheBytes = 256 << 20
        /// Bits per key of the full-key bloom filter (10 ≈ 1% false positives);
        /// 0 disables the filter.
        public var bloomFilterBitsPerKey: Double = 10
        /// Memtable size per column family before it is flushed to an SST file.
        public var writeBufferBytes = 64 << 20
        /// Flush + compaction threads.
        public var maxBackgroundJobs = 2
        /// The preferred compression. If this RocksDB build lacks it, `Database`
        /// falls back to `.none` (see `Database.compression`).
        public var compression: Compression = .lz4
        /// Uncompressed size of a data block.
        public var blockSizeBytes = 16 << 10
        /// -1 keeps every SST file open (fast; needs a high `ulimit -n`).
        public var maxOpenFiles: Int32 = -1
        /// Fail on any detected inconsistency instead of trying to continue.
        public var paranoidChecks = true
        public var logLevel: LogLevel = .warn
        /// How many old `LOG` files RocksDB keeps.
        public var keepLogFiles = 5

        public init() {}

        public static var defaults: Config { Config() }
    }
}
