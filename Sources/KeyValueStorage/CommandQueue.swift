#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A command waiting for the writer thread, with its result type erased.
struct QueuedCommand: Sendable {
    /// Runs the command against the group's transaction (on the writer
    /// thread) and says how to acknowledge it once the group is committed.
    /// May run more than once when the engine asks for the group to be
    /// retried; only the last run is acknowledged.
    let run: @Sendable (inout WriteTransaction) -> CommandOutcome
    /// Reports an error without running the command (the engine could not
    /// start a group).
    let fail: @Sendable (StorageError) -> Void
}

/// What happened to one command of a group.
struct CommandOutcome {
    /// The command threw: its writes must be rolled back.
    let failed: Bool
    /// Delivers the result; called after the group's write returned, with the
    /// write's error (if any). Failed commands report their own error instead.
    let acknowledge: (StorageError?) -> Void
}

/// The queue between submitters and the writer thread: a pthread mutex and
/// condition variable, because the writer must sleep in the kernel while idle
/// (it is a plain thread, not a task).
///
/// `@unchecked Sendable`: `pending` and `accepting` are only touched with
/// `mutex` held; the mutex and condition live at fixed heap addresses.
final class CommandQueue: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var pending: [QueuedCommand] = []
    private var accepting = true

    init() {
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        precondition(pthread_mutex_init(mutex, nil) == 0)
        precondition(pthread_cond_init(condition, nil) == 0)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Adds a command; false once `close()` was called.
    func enqueue(_ command: QueuedCommand) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard accepting else { return false }
        pending.append(command)
        if pending.count == 1 {
            // Only the empty → non-empty transition can have a sleeping writer.
            pthread_cond_signal(condition)
        }
        return true
    }

    /// Takes up to `max` commands in arrival order. With `wait`, sleeps until
    /// there is at least one; returns nil when the queue is closed and empty
    /// (the writer's signal to exit). Without `wait`, may return `[]`.
    func dequeue(max: Int, wait: Bool) -> [QueuedCommand]? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while wait && pending.isEmpty && accepting {
            pthread_cond_wait(condition, mutex)
        }
        if pending.isEmpty {
            return accepting || !wait ? [] : nil
        }
        if pending.count <= max {
            defer { pending = [] }
            return pending
        }
        let taken = Array(pending[..<max])
        pending.removeFirst(max)
        return taken
    }

    /// Stops accepting commands and wakes the writer so it can drain and exit.
    func close() {
        pthread_mutex_lock(mutex)
        accepting = false
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }
}
