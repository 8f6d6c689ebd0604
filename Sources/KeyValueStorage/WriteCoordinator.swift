import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The single writer: every mutation of the store runs as a command on one
/// dedicated thread, and commands that queue up while a write is being
/// made durable are committed together (group commit: one fsync, or one
/// transaction, for the whole group).
///
/// A group:
/// 1. takes every queued command (at most `maxGroupCommands`; it is cut short
///    once its writes exceed `maxGroupBytes`, and the rest start the next group);
/// 2. runs them in order against one `WriteSet` over the engine's write group,
///    so each sees the store plus the writes of the commands before it; a
///    command that throws is rolled back (its writes undone) and only that
///    command fails;
/// 3. commits the write set through the engine (`WriteGroup.commit`): durable
///    when it returns. An engine that reports a conflict gets the whole group
///    run again (at most `maxGroupAttempts` times in all), so commands must
///    touch nothing but their transaction;
/// 4. acknowledges every command — successes only after the commit returned.
///    If the commit fails, every successful command of the group gets that
///    error (failed commands keep their own error).
///
/// The result: serializable commands (they run one at a time against the
/// latest state), atomic multi-key changes, and a call is acknowledged only
/// once it is durable — at the cost of about one fsync per group instead of
/// one per command.
///
/// The writer thread is a plain OS thread (fsync blocks; it must not occupy
/// the cooperative pool or an event loop). Completions run on it, so they must
/// be quick and must not block; `perform` resumes the caller's task.
///
/// Shut the coordinator down before closing the store; writes of a closed
/// store fail with `.closed`.
public final class WriteCoordinator: Sendable {
    public struct Config: Sendable {
        /// Most commands in one group.
        public var maxGroupCommands = 1024
        /// A group stops taking commands once its writes are this large.
        public var maxGroupBytes = 32 << 20
        /// Runs of one group when the engine keeps reporting conflicts; the
        /// last conflict is then every command's error.
        public var maxGroupAttempts = 8
        /// Wall clock for `WriteTransaction.now` (Unix epoch nanoseconds);
        /// injectable so time-dependent rules are testable.
        public var clock: @Sendable () -> Int64 = WriteCoordinator.systemClock
        /// The writer thread's name (≤ 15 bytes are kept on Linux).
        public var threadName = "oms-writer"
        /// Told, after each group's commit and before its acknowledgements,
        /// which keys of their column family it changed (see `CommitWatch`).
        public var watches: [CommitWatch] = []

        public init() {}

        public static var defaults: Config { Config() }
    }

    public let store: any KeyValueStore
    private let core: WriterCore
    private let thread: WriterThread

    /// Starts the writer thread.
    public init(store: any KeyValueStore, config: Config = .defaults) {
        precondition(config.maxGroupCommands > 0, "maxGroupCommands must be positive")
        precondition(config.maxGroupAttempts > 0, "maxGroupAttempts must be positive")
        self.store = store
        let core = WriterCore(store: store, config: config)
        self.core = core
        thread = WriterThread(name: config.threadName) { core.run() }
    }

    deinit {
        shutdown()
    }

    /// Queues `command`; `completion` gets its result once the command's group
    /// is durable (or failed). Completion runs on the writer thread — hop to
    /// your own executor — except after `shutdown()`, when it is called at once
    /// on the caller's thread with a `.closed` error.
    ///
    /// The command runs on the writer thread and must not block or wait for
    /// other commands: it holds up every writer.
    public func submit<R: Sendable>(
        _ command: @escaping @Sendable (inout WriteTransaction) throws -> R,
        completion: @escaping @Sendable (Result<R, any Error>) -> Void
    ) {
        let queued = QueuedCommand(
            run: { transaction in
                do {
                    let value = try command(&transaction)
                    return CommandOutcome(failed: false) { writeError in
                        if let writeError {
                            completion(.failure(writeError))
                        } else {
                            completion(.success(value))
                        }
                    }
                } catch {
                    return CommandOutcome(failed: true) { _ in completion(.failure(error)) }
                }
            }, fail: { completion(.failure($0)) })
        if !core.queue.enqueue(queued) {
            completion(.failure(StorageError.closed("write coordinator")))
        }
    }

    /// Runs `command` on the writer thread and returns its result once it is
    /// durable. Cancelling the calling task does not withdraw the command.
    public func perform<R: Sendable>(
        _ command: @escaping @Sendable (inout WriteTransaction) throws -> R
    ) async throws -> R {
        try await withCheckedThrowingContinuation { continuation in
            submit(command) { continuation.resume(with: $0) }
        }
    }

    /// Stops accepting commands (later `submit`s fail with `.closed`), runs and
    /// commits everything already queued, and waits for the writer thread to
    /// exit. Idempotent. Called from a completion (on the writer thread) it
    /// only stops accepting; the thread exits after the queue is drained.
    public func shutdown() {
        core.queue.close()
        thread.join()
    }

    /// Counters so far (see `WriteStats`).
    public var stats: WriteStats {
        core.stats.withLock { $0 }
    }

    /// The default clock: `CLOCK_REALTIME` in nanoseconds.
    @Sendable public static func systemClock() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}
