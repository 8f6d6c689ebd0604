import KeyValueStorage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A reader–writer lock that guards a native handle's lifetime.
///
/// Every operation that touches a RocksDB handle holds the shared side for the
/// duration of the C call (and of any closure that reads a buffer RocksDB pins);
/// `close()` takes the exclusive side, so it waits for in-flight calls and no call
/// can start on a freed handle. Readers never block each other, so the read path
/// stays parallel. glibc's default rwlock prefers readers, which makes a nested
/// shared acquisition on the same thread (a `withValue` body that reads again)
/// safe; the cost is that `close()` can wait while reads keep arriving, which is
/// acceptable because close happens once, at shutdown, after the RPC layer stops.
final class LifecycleLock: @unchecked Sendable {
    // Heap-allocated: a pthread lock must never move in memory.
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        lock = .allocate(capacity: 1)
        let rc = pthread_rwlock_init(lock, nil)
        precondition(rc == 0, "pthread_rwlock_init failed: \(rc)")
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    @inline(__always)
    func withSharedLock<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        let rc = pthread_rwlock_rdlock(lock)
        precondition(rc == 0, "pthread_rwlock_rdlock failed: \(rc)")
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }

    @inline(__always)
    func withExclusiveLock<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        let rc = pthread_rwlock_wrlock(lock)
        precondition(rc == 0, "pthread_rwlock_wrlock failed: \(rc)")
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }
}
