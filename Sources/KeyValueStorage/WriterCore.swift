import Synchronization

/// The writer's state, shared between the coordinator (submitters) and the
/// writer thread.
///
/// Everything `run()` creates (the group state, the group arrays) stays on the
/// writer thread; the shared parts (`queue`, `stats`) synchronize themselves.
final class WriterCore: Sendable {
    let store: any KeyValueStore
    let config: WriteCoordinator.Config
    let queue = CommandQueue()
    let stats = Mutex(WriteStats())

    init(store: any KeyValueStore, config: WriteCoordinator.Config) {
        self.store = store
        self.config = config
    }

    /// The writer thread's loop; returns when the queue is closed and drained.
    func run() {
        let group = WriteGroupState(storeID: store.storeID)
        let maxCommands = config.maxGroupCommands
        // Commands a byte-limited group could not take; they arrived before
        // anything still queued, so they go first.
        var carried: [QueuedCommand] = []
        var lastNow = Int64.min

        while true {
            var commands: [QueuedCommand]
            if carried.isEmpty {
                guard let next = queue.dequeue(max: maxCommands, wait: true) else { return }
                commands = next
            } else {
                commands = carried
                carried = []
                if commands.count < maxCommands {
                    commands += queue.dequeue(max: maxCommands - commands.count, wait: false) ?? []
                }
            }

            var attempt = 0
            var outcomes: [CommandOutcome] = []
            var failedCommands = 0
            var writeError: StorageError?
            var needsCommit = false
            var synced = false
            var writeBytes = 0
            while true {
                attempt += 1
                outcomes.removeAll(keepingCapacity: true)
                failedCommands = 0
                carried = []
                writeError = nil
                synced = false
                do {
                    group.base = try store.beginWriteGroup()
                } catch {
                    writeError = error
                }
                if writeError == nil {
                    for index in commands.indices {
                        lastNow = max(lastNow, config.clock())
                        var transaction = WriteTransaction(group: group, generation: group.beginCommand(), now: lastNow)
                        let outcome = commands[index].run(&transaction)
                        outcomes.append(outcome)
                        if outcome.failed { failedCommands += 1 }
                        group.endCommand(failed: outcome.failed)
                        let rest = commands.index(after: index)
                        if rest < commands.endIndex, group.writes.byteSize >= config.maxGroupBytes {
                            carried = Array(commands[rest...])
                            break
                        }
                    }
                }
                needsCommit = !group.writes.isEmpty
                writeBytes = group.writes.byteSize
                if writeError == nil, needsCommit {
                    do {
                        try group.base!.commit(group.writes)
                        synced = true
                    } catch {
                        writeError = error
                    }
                }
                // A conflict with another writer's transaction: nothing of this
                // group was written, so it runs again on fresh state.
                if let error = writeError, error.code.isRetryable, attempt < config.maxGroupAttempts {
                    group.reset()
                    continue
                }
                break
            }
            if needsCommit {
                for watch in config.watches {
                    group.writes.forEachKey(in: watch.family, watch.changed)
                }
            }
            group.reset()
            if outcomes.isEmpty, let writeError {
                // The engine could not start the group: no command ran.
                for command in commands { command.fail(writeError) }
            }

            // Counted before acknowledging, so a caller that has its result
            // also sees its group in `stats`.
            let retries = attempt - 1
            stats.withLock { stats in
                stats.groups += 1
                stats.commands += outcomes.count
                stats.failedCommands += failedCommands
                stats.maxGroupSize = max(stats.maxGroupSize, outcomes.count)
                stats.groupRetries += retries
                if synced {
                    stats.syncs += 1
                    stats.bytesWritten += writeBytes
                } else if needsCommit || (outcomes.isEmpty && writeError != nil) {
                    stats.writeErrors += 1
                }
            }
            for outcome in outcomes {
                outcome.acknowledge(writeError)
            }
        }
    }
}
