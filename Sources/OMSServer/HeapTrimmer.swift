import CMalloc
import Glibc
import Logging
import Synchronization

/// Gives free heap back to the operating system.
///
/// glibc keeps memory freed in the middle of its heaps, and in the arenas of
/// threads that allocated in bursts, resident: after a bulk load of 1M
/// orders omsd held 300 MB of heap from the OS with 86 MB of it in use.
/// Every `interval`, when at least `threshold` bytes of the heap are free,
/// `malloc_trim(0)` returns the free pages (madvise) and the drop of the
/// resident set is counted. Other threads' allocations wait only while their
/// own arena is being trimmed.
final class HeapTrimmer: Sendable {
    /// Heap statistics of every arena (glibc's `mallinfo2`).
    struct Heap {
        /// Bytes handed out by malloc and not freed.
        var inUse: UInt64
        /// Bytes taken from the OS (in use, free, and free but already returned).
        var held: UInt64
        /// Free bytes inside the heaps (resident or not).
        var free: UInt64
    }

    private final class Counter: Sendable {
        let value = Atomic<UInt64>(0)
    }

    private let periodic: PeriodicTask
    private let released = Counter()

    init(interval: Duration = .seconds(10), threshold: UInt64 = 16 << 20, logger: Logger) {
        let released = released
        periodic = PeriodicTask(name: "heap trimmer", interval: interval, logger: logger) {
            guard Self.heap().free >= threshold else { return }
            let before = Self.residentBytes()
            let started = ContinuousClock.now
            malloc_trim(0)
            let after = Self.residentBytes()
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

    static func heap() -> Heap {
        let info = mallinfo2()
        return Heap(
            inUse: UInt64(info.uordblks) + UInt64(info.hblkhd), held: UInt64(info.arena) + UInt64(info.hblkhd),
            free: UInt64(info.fordblks))
    }

    /// The process's resident set size (`/proc/self/statm`, second field, in pages).
    static func residentBytes() -> UInt64 {
        let fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buffer = (0..<128).map { _ in UInt8(0) }
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return 0 }
        let fields = buffer[..<count].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = UInt64(String(decoding: fields[1], as: UTF8.self)) else { return 0 }
        return pages * UInt64(sysconf(Int32(_SC_PAGESIZE)))
    }
}
