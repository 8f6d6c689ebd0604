import Synchronization

/// The writer's state, shared between the coordinator (submitters) and the
/// writer thread.
///
/// Everything `run()` creates (the batch, the group arrays) stays on the
/// writer thread; the shared parts (`queue`, `stats`) synchronize themselves.
final class WriterCore: Sendable {
    let database: Database
    let config: WriteCoordinator.Config
    let queue = CommandQueue()
    let stats = Mutex(WriteStats())

    init(database: Database, config: WriteCoordinator.Config) {
        self.database = database
        self.config = config
    }

    /// The writer thread's loop; returns when the queue is closed and drained.
    func run() {
        let batch = IndexedBatch(database: database)
        let maxCommands = config.maxGroupCommands
        // Commands a byte-limited group could not take; they arrived before
        // anything still queued, so they go first.
        var carried: [QueuedCommand] = []
        var lastNow = Int64.min

        while true {
            var group: [QueuedCommand]
            if carried.isEmpty {
                guard let next = queue.dequeue(max: maxCommands, wait: true) else { return }
                group = next
            } else {
                group = carried
                carried = []
                if group.count < maxCommands {
                    group += queue.dequeue(max: maxCommands - group.count, wait: false) ?? []
                }
            }

            var outcomes: [CommandOutcome] = []
            outcomes.reserveCapacity(group.count)
            var failedCommands = 0
            var groupError: StorageError?

            for index in group.indices {
                lastNow = max(lastNow, config.clock())
                var transaction = WriteTransaction(batch: batch, generation: batch.beginCommand(), now: lastNow)
                let outcome = group[index].run(&transaction)
                outcomes.append(outcome)
                if outcome.failed { failedCommands += 1 }
                do {
                    try batch.endCommand(failed: outcome.failed)
                } catch {
                    // Cannot happen (a save point was just set); if it does, the
                    // batch may hold the failed command's writes, so write nothing.
                    groupError = error
                }
                let rest = group.index(after: index)
                if rest < group.endIndex, groupError != nil || batch.byteSize >= config.maxGroupBytes {
                    carried = Array(group[rest...])
                    break
                }
            }

            let needsCommit = batch.needsCommit
            let writeBytes = batch.byteSize
            var writeError = groupError
            var synced = false
            if writeError == nil, needsCommit {
                do {
                    try batch.commit()
                    synced = true
                } catch {
                    writeError = error
                }
            }
            if needsCommit {
                for watch in config.watches {
                    batch.forEachKey(in: watch.family, watch.changed)
                }
            }
            batch.clear()

            // Counted before acknowledging, so a caller that has its result
            // also sees its group in `stats`.
            stats.withLock { stats in
                stats.groups += 1
                stats.commands += outcomes.count
                stats.failedCommands += failedCommands
                stats.maxGroupSize = max(stats.maxGroupSize, outcomes.count)
                if synced {
                    stats.syncs += 1
                    stats.bytesWritten += writeBytes
                } else if needsCommit {
                    stats.writeErrors += 1
                }
            }
            for outcome in outcomes {
                outcome.acknowledge(writeError)
            }
        }
    }
}
