public import KeyValueStorage

/// RocksDB as a `KeyValueStore`: the store's reads are reads of the latest
/// committed state (default read options), `readView()` is a `Snapshot`, and
/// a write group commits one write batch with `sync = true`.
extension Database: KeyValueStore {
    public var storeID: UInt64 { instanceID }

    public func get(_ family: ColumnFamily, _ key: some StorageBytes) throws(StorageError) -> [UInt8]? {
        try get(family, key, snapshot: nil)
    }

    public func withValue<R>(
        _ family: ColumnFamily, _ key: some StorageBytes, _ body: (UnsafeRawBufferPointer?) throws -> R
    ) throws -> R {
        try withValue(family, key, snapshot: nil, body)
    }

    public func multiGet(_ family: ColumnFamily, _ keys: [[UInt8]]) throws(StorageError) -> [[UInt8]?] {
        try multiGet(family, keys, snapshot: nil)
    }

    public func scan(
        _ family: ColumnFamily, _ range: KeyRange
    ) throws(StorageError) -> [(key: [UInt8], value: [UInt8])] {
        try scan(family, range, snapshot: nil)
    }

    public func forEach(
        _ family: ColumnFamily, prefix: some StorageBytes,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try withReader(family, snapshot: nil) { reader in try reader.forEach(prefix: prefix, body) }
    }

    public func readView() throws(StorageError) -> any ReadView & Sendable {
        try snapshot()
    }

    public func withReader<R>(_ family: ColumnFamily, _ body: (any RangeReader) throws -> R) throws -> R {
        try withReader(family, snapshot: nil, body)
    }

    public func beginWriteGroup() throws(StorageError) -> any WriteGroup {
        RocksDBWriteGroup(database: self)
    }
}

/// A snapshot is a point-in-time `ReadView`.
extension Snapshot: ReadView {
    public func get(_ family: ColumnFamily, _ key: some StorageBytes) throws(StorageError) -> [UInt8]? {
        try database.get(family, key, snapshot: self)
    }

    public func withValue<R>(
        _ family: ColumnFamily, _ key: some StorageBytes, _ body: (UnsafeRawBufferPointer?) throws -> R
    ) throws -> R {
        try database.withValue(family, key, snapshot: self, body)
    }

    public func multiGet(_ family: ColumnFamily, _ keys: [[UInt8]]) throws(StorageError) -> [[UInt8]?] {
        try database.multiGet(family, keys, snapshot: self)
    }

    public func scan(
        _ family: ColumnFamily, _ range: KeyRange
    ) throws(StorageError) -> [(key: [UInt8], value: [UInt8])] {
        try database.scan(family, range, snapshot: self)
    }

    public func forEach(
        _ family: ColumnFamily, prefix: some StorageBytes,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try database.withReader(family, snapshot: self) { reader in try reader.forEach(prefix: prefix, body) }
    }
}

extension Database {
    /// Opens (or creates) the database at `path` with `columnFamilies` and the
    /// default configuration, as a `KeyValueStore`: the storage opener omsd
    /// passes to its daemon (`OMSDaemon.StorageOpener`).
    @Sendable public static func openStore(_ path: String, _ columnFamilies: [String]) throws -> any KeyValueStore {
        try Database(path: path, columnFamilies: columnFamilies)
    }
}
