import Storage
import Synchronization
import TestSupport
import Testing

/// The single writer's side of the storage protocols: a conflict at commit
/// runs the whole group again on fresh state, and commands never see it.
@Suite struct ConflictRetryTests {
    static let conflict = StorageError(code: .conflict, message: "could not serialize access due to concurrent update")

    @Test func aConflictingCommitRunsTheGroupAgainAndCommandsSeeOnlyTheirResult() async throws {
        try await withTemporaryDirectory { path in
            let store = FaultyCommits(try Database(path: path, columnFamilies: testFamilies))
            store.fail(with: Self.conflict, times: 2)
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
            #expect(store.commits == 1)
            var reader = KeyCodec.Reader(try #require(try store.get(counter, key)))
            #expect(try reader.readUInt64() == 1)
            #expect(coordinator.stats.groupRetries == 2)
            #expect(coordinator.stats.commands == 1)
            #expect(coordinator.stats.syncs == 1)
        }
    }

    @Test func conflictsBeyondTheAttemptLimitFailEveryCommandAndWriteNothing() async throws {
        try await withTemporaryDirectory { path in
            let store = FaultyCommits(try Database(path: path, columnFamilies: testFamilies))
            store.fail(with: Self.conflict)
            let orders = store.columnFamily("orders")
            var config = WriteCoordinator.Config()
            config.maxGroupAttempts = 3
            let coordinator = WriteCoordinator(store: store, config: config)
            let error = await #expect(throws: StorageError.self) {
                try await coordinator.perform { txn in txn.put(orders, bytes("k"), bytes("v")) }
            }
            coordinator.shutdown()
            #expect(error?.code == .conflict)
            #expect(store.groups == 3)
            #expect(try store.get(orders, bytes("k")) == nil)
            #expect(coordinator.stats.writeErrors == 1)
        }
    }
}
