import Logging
import ProcessMemory
import Synchronization

/// Gives free heap back to the operating system.
///
/// glibc keeps memory freed in the middle of its heaps, and in the arenas of
/// threads that allocated in bursts, resident: after a bulk load of 1M
/// orders omsd held 300 MB of heap from the OS with 86 MB of it in use.
/// Every `interval`, when at least `threshold` bytes of the heap are free,
/// the free pages are returned (`ProcessMemory.trimFreeHeap`) and the drop of
/// the resident set is counted.
final class HeapTrimmer: Sendable {
    private final class Counter: Sendable {
        let value = Atomic<UInt64>(0)
    }

    private let periodic: PeriodicTask
    private let released = Counter()

    init(interval: Duration = .seconds(10), threshold: UInt64 = 16 << 20, logger: Logger) {
        let released = released
        periodic = PeriodicTask(name: "heap trimmer", interval: interval, logger: logger) {
            guard ProcessMemory.heap().free >= threshold else { return }
            let before = ProcessMemory.residentBytes()
            let started = ContinuousClock.now
            ProcessMemory.trimFreeHeap()
            let after = ProcessMemory.residentBytes()
            if before > after { released.value.add(before - after, ordering: .relaxed) }
            logger.debug(
                "heap trimmed",
                metadata: [
                    "resident_before": "\(before)", "resident_after": "\(after)",
                    "took": "\(ContinuousClock.now - started)",
                ])
        }
    }

    func start() { periodic.start() }

    func stop() async { await periodic.stop() }

    /// Resident bytes given back by the trims since start (the drop of the
    /// resident set measured around each trim).
    var releasedBytes: UInt64 { released.value.load(ordering: .relaxed) }
}
