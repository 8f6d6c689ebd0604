import Storage
import Synchronization
import Testing

/// An engine whose commits conflict the first `conflicts` times (as a
/// serializable engine shared by several processes would), over RocksDB.
private final class ConflictingStore: KeyValueStore {
    let database: Database
    let conflictsLeft: Mutex<Int>
    let commits = Atomic<Int>(0)
    let groups = Atomic<Int>(0)

    init(_ database: Database, conflicts: Int) {
        self.database = database
        self.conflictsLeft = Mutex(conflicts)
    }

    var storeID: UInt64 { database.storeID }
    var columnFamilyNames: [String] { database.columnFamilyNames }
    var isClosed: Bool { database.isClosed }
    func columnFamily(_ name: String) -> ColumnFamily { database.columnFamily(name) }
    func readView() throws(StorageError) -> any ReadView & Sendable { try database.readView() }
    func close() { database.close() }

    func get(_ family: ColumnFamily, _ key: some StorageBytes) throws(StorageError) -> [UInt8]? {
        try database.get(family, key)
    }

    func withValue<R>(
        _ family: ColumnFamily, _ key: some StorageBytes, _ body: (UnsafeRawBufferPointer?) throws -> R
    ) throws -> R {
        try database.withValue(family, key, body)
    }

    func scan(_ family: ColumnFamily, _ range: KeyRange) throws(StorageError) -> [(key: [UInt8], value: [UInt8])] {
        try database.scan(family, range)
    }

    func beginWriteGroup() throws(StorageError) -> any WriteGroup {
        groups.add(1, ordering: .relaxed)
        return Group(store: self, base: try database.beginWriteGroup())
    }

    struct Group: WriteGroup {
        let store: ConflictingStore
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
            let conflict = store.conflictsLeft.withLock { left in
                defer { left = max(0, left - 1) }
                return left > 0
            }
            if conflict {
                throw StorageError(code: .conflict, message: "could not serialize access due to concurrent update")
            }
            store.commits.add(1, ordering: .relaxed)
            try base.commit(writes)
        }
    }
}

/// The single writer's side of the storage protocols: a conflict at commit
/// runs the whole group again on fresh state, and commands never see it.
@Suite struct ConflictRetryTests {
    @Test func aConflictingCommitRunsTheGroupAgainAndCommandsSeeOnlyTheirResult() async throws {
        try await withTemporaryDirectory { path in
            let store = ConflictingStore(try Database(path: path, columnFamilies: testFamilies), conflicts: 2)
            let counter = store.columnFamily("order_index")
            let key = bytes("counter")
            let coordinator = WriteCoordinator(store: store)
            let runs = Atomic<Int>(0)
            let value = try await coordinator.perform { txn in
                runs.add(1, ordering: .relaxed)
                var reader = KeyCodec.Reader(try txn.get(counter, key) ?? KeyCodec.encode(0))
                let next = try reader.readUInt64() + 1
                txn.put(counter, key, KeyCodec.encode(next))
                return next
            }
            coordinator.shutdown()
            // Run three times (two conflicts), committed once: the count is 1, not 3.
            #expect(value == 1)
            #expect(runs.load(ordering: .relaxed) == 3)
            #expect(store.commits.load(ordering: .relaxed) == 1)
            var reader = KeyCodec.Reader(try #require(try store.get(counter, key)))
            #expect(try reader.readUInt64() == 1)
            #expect(coordinator.stats.groupRetries == 2)
            #expect(coordinator.stats.commands == 1)
            #expect(coordinator.stats.syncs == 1)
        }
    }

    @Test func conflictsBeyondTheAttemptLimitFailEveryCommandAndWriteNothing() async throws {
        try await withTemporaryDirectory { path in
            let store = ConflictingStore(try Database(path: path, columnFamilies: testFamilies), conflicts: 100)
            let orders = store.columnFamily("orders")
            var config = WriteCoordinator.Config()
            config.maxGroupAttempts = 3
            let coordinator = WriteCoordinator(store: store, config: config)
            let error = await #expect(throws: StorageError.self) {
                try await coordinator.perform { txn in txn.put(orders, bytes("k"), bytes("v")) }
            }
            coordinator.shutdown()
            #expect(error?.code == .conflict)
            #expect(store.groups.load(ordering: .relaxed) == 3)
            #expect(try store.get(orders, bytes("k")) == nil)
            #expect(coordinator.stats.writeErrors == 1)
        }
    }
}
