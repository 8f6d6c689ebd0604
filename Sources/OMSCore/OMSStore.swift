import OMSProto
public import Storage

/// The opened omsd database: column families, the single writer, the event
/// feed and the clock. One per process; everything in OMSCore works through it.
public final class OMSStore: Sendable {
    /// Bumped when the on-disk layout changes incompatibly.
    public static let schemaVersion: UInt32 = 1

    public struct Config: Sendable {
        public var database: Database.Config = .defaults
        public var writer: WriteCoordinator.Config = .defaults
        public init() {}
        public static var defaults: Config { Config() }
    }

    public let database: Database
    public let writer: WriteCoordinator
    public let families: ColumnFamilies
    public let events: EventLog
    public let clock: any Clock
    /// GetStock replies kept between the writes that change them.
    public let stockReplies = StockReplyCache()

    /// Opens (or creates) the database under `path`.
    public init(path: String, clock: any Clock = SystemClock(), config: Config = .defaults) throws {
        let database = try Database(path: path, columnFamilies: ColumnFamilies.names, config: config.database)
        let families = ColumnFamilies(database)
        do {
            try Self.checkSchema(database, families, clock: clock)
            self.events = try EventLog(database: database, families: families)
        } catch {
            database.close()
            throw error
        }
        var writerConfig = config.writer
        writerConfig.clock = { clock.nowNanoseconds() }
        writerConfig.watches.append(stockReplies.watch(families))
        self.database = database
        self.families = families
        self.clock = clock
        self.writer = WriteCoordinator(database: database, config: writerConfig)
    }

    /// Drains the writer, then closes the database. Idempotent.
    public func close() {
        writer.shutdown()
        events.finishAll()
        database.close()
    }

    private static func checkSchema(_ database: Database, _ families: ColumnFamilies, clock: any Clock) throws {
        let key = Array("schema".utf8)
        if let bytes = try database.get(families.meta, key) {
            let info = try Oms_V1_SchemaInfo(serializedBytes: bytes)
            guard info.version <= schemaVersion else {
                throw StorageError(
                    code: .notSupported,
                    message:
                        "database schema version \(info.version) is newer than this omsd supports (\(schemaVersion)); upgrade omsd"
                )
            }
        } else {
            var info = Oms_V1_SchemaInfo()
            info.version = schemaVersion
            info.createdAtMillis = clock.nowMillis()
            info.createdBy = "omsd"
            try database.put(families.meta, key, info.serializedBytes(), sync: true)
        }
    }
}
