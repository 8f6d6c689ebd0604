public import Storage
import Synchronization

/// RocksDB whose write-group commits fail with a chosen error while it is
/// armed: as a full disk fails a WAL write (`.ioError`), or as a
/// serializable engine shared by several processes refuses a group
/// (`.conflict`). Everything else goes to the database unchanged.
public final class FaultyCommits: KeyValueStore {
    public let database: Database
    private let fault = Mutex<(error: StorageError, times: Int)?>(nil)
    private let commitsMade = Atomic<Int>(0)
    private let groupsBegun = Atomic<Int>(0)

    public init(_ database: Database) {
        self.database = database
    }

    /// The next `times` commits throw `error` (`Int.max`: until `heal()`).
    public func fail(with error: StorageError, times: Int = Int.max) {
        fault.withLock { $0 = (error, times) }
    }

    /// Commits succeed again.
    public func heal() {
        fault.withLock { $0 = nil }
    }

    /// Commits that reached the database.
    public var commits: Int { commitsMade.load(ordering: .relaxed) }
    /// Write groups begun (a retried group begins again).
    public var groups: Int { groupsBegun.load(ordering: .relaxed) }

    /// The error the next commit throws, if armed; counts the commit down.
    fileprivate func nextFault() -> StorageError? {
        fault.withLock { fault in
            guard let armed = fault else { return nil }
            fault = armed.times > 1 ? (armed.error, armed.times == Int.max ? Int.max : armed.times - 1) : nil
            return armed.error
        }
    }

    fileprivate func committed() { commitsMade.add(1, ordering: .relaxed) }

    public var storeID: UInt64 { database.storeID }
    public var columnFamilyNames: [String] { database.columnFamilyNames }
    public var isClosed: Bool { database.isClosed }
    public func columnFamily(_ name: String) -> ColumnFamily { database.columnFamily(name) }
    public func readView() throws(StorageError) -> any ReadView & Sendable { try database.readView() }
    public func close() { database.close() }

    public func get(_ family: ColumnFamily, _ key: some StorageBytes) throws(StorageError) -> [UInt8]? {
        try database.get(family, key)
    }

    public func withValue<R>(
        _ family: ColumnFamily, _ key: some StorageBytes, _ body: (UnsafeRawBufferPointer?) throws -> R
    ) throws -> R {
        try database.withValue(family, key, body)
    }

    public func scan(
        _ family: ColumnFamily, _ range: KeyRange
    ) throws(StorageError) -> [(key: [UInt8], value: [UInt8])] {
        try database.scan(family, range)
    }

    public func beginWriteGroup() throws(StorageError) -> any WriteGroup {
        groupsBegun.add(1, ordering: .relaxed)
        return Group(store: self, base: try database.beginWriteGroup())
    }

    struct Group: WriteGroup {
        let store: FaultyCommits
        let base: any WriteGroup

        func get(_ family: ColumnFamily, _ key: some StorageBytes) throws(StorageError) -> [UInt8]? {
            try base.get(family, key)
        }

        func withValue<R>(
            _ family: ColumnFamily, _ key: some StorageBytes, _ body: (UnsafeRawBufferPointer?) throws -> R
        ) throws -> R {
            try base.withValue(family, key, body)
        }

        func scan(_ family: ColumnFamily, _ range: KeyRange) throws(StorageError) -> [(key: [UInt8], value: [UInt8])] {
            try base.scan(family, range)
        }

        func commit(_ writes: WriteSet) throws(StorageError) {
            if let error = store.nextFault() { throw error }
            try base.commit(writes)
            store.committed()
        }
    }
}
