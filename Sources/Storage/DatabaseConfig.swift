import KeyValueStorage

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
        /// Shared LRU block cache for all column families (index and filter
        /// blocks included). Measured at 1M orders with omsd's heap trimmer:
        /// 32 MiB (and 32 MiB of memtables) settle at 127 MiB RSS after the
        /// bulk load, 48 + 48 MiB at 155 MiB, at the same load rate; 256 MB let
        /// RSS grow with every block read.
        public var blockCacheBytes = 32 << 20
        /// Bits per key of the full-key bloom filter (10 ≈ 1% false positives);
        /// 0 disables the filter.
        public var bloomFilterBitsPerKey: Double = 10
        /// Memtable size per column family before it is flushed to an SST file.
        public var writeBufferBytes = 16 << 20
        /// All column families' memtables together: past this the largest is
        /// flushed early. Bounds RSS under write load (15 families × 2 × 64 MB
        /// before; 300 MB RSS after a bulk load).
        public var totalWriteBufferBytes = 32 << 20
        /// WAL size past which the oldest column families are flushed, which
        /// bounds the WAL replayed after a crash (and so the time to start).
        public var maxTotalWALBytes = 64 << 20
        /// Flush every memtable when the database closes, so the next open
        /// replays no WAL (start to SERVING stays well under a second).
        public var flushOnClose = true
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
