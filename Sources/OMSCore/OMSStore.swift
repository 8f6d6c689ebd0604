public import KeyValueStorage
import OMSProto

/// The opened omsd store: a storage engine, its column families, the single
/// writer, the event feed and the clock. One per process; everything in
/// OMSCore works through it.
///
/// The engine is any `KeyValueStore` (RocksDB is the one omsd opens): the
/// domain reads through its views and writes through the single writer, so it
/// never names an engine's own types.
public final class OMSStore: Sendable {
    /// Bumped when the on-disk layout changes incompatibly.
    public static let schemaVersion: UInt32 = 1
    /// The column families an engine must open for omsd, one per kind of record.
    public static let columnFamilyNames = ColumnFamilies.names

    public struct Config: Sendable {
        public var writer: WriteCoordinator.Config = .defaults
        public init() {}
        public static var defaults: Config { Config() }
    }

    /// Reads of the latest committed state; `engine.readView()` for a point in time.
    let engine: any KeyValueStore
    /// Every mutation runs here (group commit).
    let writer: WriteCoordinator
    public let families: ColumnFamilies
    public let events: EventLog
    public let clock: any Clock
    /// GetStock replies kept between the writes that change them.
    public let stockReplies = StockReplyCache()

    /// Takes over `engine` (opened with `columnFamilyNames`): checks or
    /// records the schema version and starts the writer. On failure the engine
    /// is closed.
    public init(engine: any KeyValueStore, clock: any Clock = SystemClock(), config: Config = .defaults) throws {
        let families = ColumnFamilies(engine)
        do {
            try Self.checkSchema(engine, families, clock: clock)
            self.events = try EventLog(engine: engine, families: families)
        } catch {
            engine.close()
            throw error
        }
        var writerConfig = config.writer
        writerConfig.clock = { clock.nowNanoseconds() }
        writerConfig.watches.append(stockReplies.watch(families))
        self.engine = engine
        self.families = families
        self.clock = clock
        self.writer = WriteCoordinator(store: engine, config: writerConfig)
    }

    /// Drains the writer, then closes the engine. Idempotent.
    public func close() {
        writer.shutdown()
        events.finishAll()
        engine.close()
    }

    /// The single writer's counters (groups, commands, group sizes).
    public var writeStatistics: WriteStats { writer.stats }

    /// Removes up to `limit` of the oldest events that occurred before
    /// `cutoffMillis` (see `EventLog.trim`); call again while it returns `limit`.
    public func trimEvents(olderThan cutoffMillis: Int64, limit: Int = 5000) async throws -> Int {
        try await events.trim(olderThan: cutoffMillis, writer: writer, limit: limit)
    }

    /// What the engine holds in memory now.
    public func storageMemory() throws -> StorageMemoryUsage {
        try engine.memoryUsage()
    }

    private static func checkSchema(_ engine: any KeyValueStore, _ families: ColumnFamilies, clock: any Clock) throws {
        let key = Array("schema".utf8)
        if let bytes = try engine.get(families.meta, key) {
            let info = try Oms_V1_SchemaInfo(serializedBytes: bytes)
            guard info.version <= schemaVersion else {
                throw StorageError(
                    code: .notSupported,
                    message:
                        "database schema version \(info.version) is newer than this omsd supports (\(schemaVersion)); upgrade omsd"
                )
            }
            return
        }
        var info = Oms_V1_SchemaInfo()
        info.version = schemaVersion
        info.createdAtMillis = clock.nowMillis()
        info.createdBy = "omsd"
        let bytes = info.serializedBytes()
        // Written through a one-command write group: engines offer no other write path.
        let group = try engine.beginWriteGroup()
        var writes = WriteSet()
        writes.set(families.meta, key, bytes)
        try group.commit(writes)
    }
}
