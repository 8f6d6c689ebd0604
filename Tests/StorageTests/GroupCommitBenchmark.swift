import Foundation
import Storage
import Testing

/// A measurement, not a test: fsync'd single puts from one thread vs. the
/// group-committing writer fed by 64 concurrent submitters. Rounds alternate
/// between the two so a noisy machine affects both alike. Run with
/// `OMS_STORAGE_BENCH=1 swift test -c release --filter GroupCommitBenchmark`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["OMS_STORAGE_BENCH"] != nil))
struct GroupCommitBenchmark {
    static let rounds = 3
    static let roundDuration = Duration.seconds(3)
    static let submitters = 64

    @Test func fsyncPutRateVersusGroupCommit() async throws {
        try await withTemporaryDirectory { path in
            let db = try Database(path: path, columnFamilies: testFamilies)
            let events = db.columnFamily("events")
            let value = [UInt8](repeating: 0x5A, count: 200)
            let clock = ContinuousClock()
            var singleRates: [Double] = []
            var groupRates: [Double] = []
            var nextSingleKey: UInt64 = 0

            for round in 0..<Self.rounds {
                // One thread, one fsync per put.
                var singlePuts = 0
                let singleStart = clock.now
                while clock.now - singleStart < Self.roundDuration {
                    try db.put(events, KeyCodec.encode(nextSingleKey), value, sync: true)
                    nextSingleKey += 1
                    singlePuts += 1
                }
                singleRates.append(Double(singlePuts) / seconds(clock.now - singleStart))

                // 64 concurrent submitters through the WriteCoordinator.
                let coordinator = WriteCoordinator(store: db)
                let groupStart = clock.now
                let deadline = groupStart + Self.roundDuration
                let committed = try await withThrowingTaskGroup(of: Int.self) { group in
                    for submitter in 0..<Self.submitters {
                        group.addTask {
                            var done = 0
                            while clock.now < deadline {
                                let key = KeyCodec.encode(
                                    UInt64(round + 1) << 56 | UInt64(submitter + 1) << 40 | UInt64(done))
                                try await coordinator.perform { txn in txn.put(events, key, value) }
                                done += 1
                            }
                            return done
                        }
                    }
                    return try await group.reduce(0, +)
                }
                groupRates.append(Double(committed) / seconds(clock.now - groupStart))
                coordinator.shutdown()
                let stats = coordinator.stats
                #expect(stats.commands == committed)
                print(
                    "GroupCommitBenchmark round \(round + 1): single fsync'd put \(Int(singleRates.last!))/s; "
                        + "WriteCoordinator×\(Self.submitters) \(Int(groupRates.last!))/s; "
                        + "\(String(format: "%.1f", Double(stats.commands) / Double(max(stats.syncs, 1)))) commands/fsync; \(stats)"
                )
            }

            let single = median(singleRates)
            let grouped = median(groupRates)
            print(
                "GroupCommitBenchmark median: single \(Int(single)) writes/s, group commit \(Int(grouped)) commands/s, "
                    + "speed-up \(String(format: "%.1f", grouped / single))x")
            #expect(grouped >= 20 * single)
        }
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private func median(_ values: [Double]) -> Double {
        values.sorted()[values.count / 2]
    }
}
