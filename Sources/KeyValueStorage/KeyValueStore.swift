/// A storage engine: a transactional key-value store with column families.
///
/// The domain (OMSCore) is written against this protocol, its read views
/// and the single writer (`WriteCoordinator`) that runs every mutation;
/// RocksDB (module `Storage`) is one engine. An engine supplies:
///
/// - reads of the latest committed state (the store is a `ReadView`) and
///   point-in-time views (`readView()`);
/// - write groups (`beginWriteGroup()`): the state one group of commands
///   reads, and the commit that makes the group's `WriteSet` durable, all or
///   nothing. An engine shared by several processes may refuse a commit as a
///   conflict (`StorageError.Code.conflict`); the writer then runs the whole
///   group again. Commands never see a conflict, so the domain has no retry
///   logic of its own.
public protocol KeyValueStore: AnyObject, ReadView, Sendable {
    /// Identifies this store among the ones open in the process, so a
    /// `ColumnFamily` of another store is caught (a programmer error).
    var storeID: UInt64 { get }

    /// Every open column family, in handle order.
    var columnFamilyNames: [String] { get }

    /// The handle of a column family opened with the store. An unknown name is
    /// a programmer error and traps.
    func columnFamily(_ name: String) -> ColumnFamily

    /// A consistent point-in-time view for several reads.
    func readView() throws(StorageError) -> any ReadView & Sendable

    /// Runs `body` with a reader of one column family at one point in time
    /// (the moment of this call), freed when `body` returns.
    func withReader<R>(_ family: ColumnFamily, _ body: (any RangeReader) throws -> R) throws -> R

    /// Starts a write group on the writer thread: what the group's commands
    /// read, and how their writes are committed.
    func beginWriteGroup() throws(StorageError) -> any WriteGroup

    /// What the engine holds in memory (zeros where it keeps nothing there).
    func memoryUsage() throws(StorageError) -> StorageMemoryUsage

    /// Whether `close()` has run; every operation of a closed store throws
    /// `StorageError.Code.closed`.
    var isClosed: Bool { get }

    /// Closes the store; idempotent.
    func close()
}

/// The writes of one group of commands, as an engine commits them.
///
/// Made and used only on the writer thread, one group at a time. Its reads
/// are what the group's commands build on (the `WriteTransaction` adds the
/// group's own writes on top); for a single-process engine they are simply
/// the latest committed state.
public protocol WriteGroup: ReadView {
    /// Makes `writes` durable atomically, across column families: when this
    /// returns they survive a crash. Throws `.conflict` when another writer's
    /// transaction got in the way (the writer retries the group); any other
    /// error fails every command of the group.
    func commit(_ writes: WriteSet) throws(StorageError)
}

/// What a storage engine holds in memory, in bytes: the parts of the
/// process's resident memory that its configuration bounds.
public struct StorageMemoryUsage: Sendable, Equatable {
    /// Data, index and filter blocks in the shared block cache.
    public var blockCache: UInt64
    public var blockCacheCapacity: UInt64
    /// The part of `blockCache` that cannot be evicted now.
    public var blockCachePinned: UInt64
    /// Write buffers (memtables), flushed or not yet.
    public var memtables: UInt64
    /// Table readers' memory outside the block cache.
    public var tableReaders: UInt64

    public init(
        blockCache: UInt64, blockCacheCapacity: UInt64, blockCachePinned: UInt64, memtables: UInt64,
        tableReaders: UInt64
    ) {
        self.blockCache = blockCache
        self.blockCacheCapacity = blockCacheCapacity
        self.blockCachePinned = blockCachePinned
        self.memtables = memtables
        self.tableReaders = tableReaders
    }

    public var total: UInt64 { blockCache + memtables + tableReaders }

    /// An engine that keeps none of these in the process.
    public static let none = StorageMemoryUsage(
        blockCache: 0, blockCacheCapacity: 0, blockCachePinned: 0, memtables: 0, tableReaders: 0)
}
