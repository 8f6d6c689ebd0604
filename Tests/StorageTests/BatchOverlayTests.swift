import Dispatch
import Storage
import Synchronization
import Testing

private struct Abandon: Error {}

/// The writer's overlay (the group's writes in key order, undone per failed
/// command) against a plain dictionary model: many commands in one group,
/// hundreds of keys (so the overlay's chunks split), deletes of stored and
/// written keys, and every third command failing.
@Suite struct BatchOverlayTests {
    @Test func readsThroughTheGroupMatchAModel() async throws {
        try await withTemporaryDirectory { path in
            let db = try Database(path: path, columnFamilies: testFamilies)
            let orders = db.columnFamily("orders")
            var stored: [String: String] = [:]
            for index in stride(from: 0, to: 400, by: 3) {
                let key = "k/\(String(index + 1000))"
                try db.put(orders, bytes(key), bytes("db\(index)"), sync: false)
                stored[key] = "db\(index)"
            }
            let model = Mutex(stored)
            let mismatches = Mutex<[String]>([])
            let coordinator = WriteCoordinator(store: db)
            // Hold the writer so every command below lands in one group.
            let entered = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            coordinator.submit(
                { (_: inout WriteTransaction) in
                    entered.signal()
                    release.wait()
                }, completion: { _ in })
            entered.wait()
            let done = DispatchSemaphore(value: 0)
            let commands = 60
            for command in 0..<commands {
                coordinator.submit(
                    { (txn: inout WriteTransaction) throws in
                        var local = model.withLock { $0 }
                        var generator = SplitMix(seed: UInt64(command))
                        for _ in 0..<40 {
                            let key = "k/\(String(Int(generator.next() % 400) + 1000))"
                            if generator.next() % 4 == 0 {
                                txn.delete(orders, bytes(key))
                                local[key] = nil
                            } else {
                                let value = "c\(command)-\(generator.next() % 1000)"
                                txn.put(orders, bytes(key), bytes(value))
                                local[key] = value
                            }
                            if string(try txn.get(orders, bytes(key))) != local[key] {
                                mismatches.withLock { $0.append("get \(key) in command \(command)") }
                            }
                        }
                        let expected = local.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                        let forward = try txn.scan(orders, prefix: bytes("k/"), limit: Int.max)
                            .map { "\(string($0.key)!)=\(string($0.value)!)" }
                        let backward = try txn.scan(orders, prefix: bytes("k/"), limit: Int.max, reverse: true)
                            .map { "\(string($0.key)!)=\(string($0.value)!)" }
                        let page = try txn.scan(
                            orders, from: bytes("k/1100"), to: bytes("k/1200"), after: bytes("k/1150"), limit: 5
                        )
                        .map { "\(string($0.key)!)=\(string($0.value)!)" }
                        let expectedPage = Array(
                            local.filter { $0.key > "k/1150" && $0.key < "k/1200" }.sorted { $0.key < $1.key }
                                .map { "\($0.key)=\($0.value)" }.prefix(5))
                        if forward != expected {
                            mismatches.withLock { $0.append("forward scan in command \(command)") }
                        }
                        if backward != expected.reversed() {
                            mismatches.withLock { $0.append("reverse scan in command \(command)") }
                        }
                        let reversePage = try txn.scan(
                            orders, from: bytes("k/1100"), to: bytes("k/1200"), after: bytes("k/1150"), limit: 5,
                            reverse: true
                        )
                        .map { "\(string($0.key)!)=\(string($0.value)!)" }
                        let expectedReversePage = Array(
                            local.filter { $0.key >= "k/1100" && $0.key < "k/1150" }.sorted { $0.key > $1.key }
                                .map { "\($0.key)=\($0.value)" }.prefix(5))
                        if reversePage != expectedReversePage {
                            mismatches.withLock { $0.append("reverse paged scan in command \(command)") }
                        }
                        if page != expectedPage {
                            mismatches.withLock { $0.append("paged scan in command \(command)") }
                        }
                        if command % 3 == 2 { throw Abandon() }
                        model.withLock { $0 = local }
                    }, completion: { _ in done.signal() })
            }
            release.signal()
            for _ in 0..<commands { done.wait() }
            #expect(mismatches.withLock { $0 } == [])
            #expect(coordinator.stats.maxGroupSize >= commands)
            coordinator.shutdown()
            // What was committed is exactly the model.
            let final = try db.scan(orders, prefix: bytes("k/"), limit: Int.max).map {
                "\(string($0.key)!)=\(string($0.value)!)"
            }
            #expect(final == model.withLock { $0 }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
        }
    }
}

/// A small deterministic generator, so a failure replays.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
