internal import CMalloc

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The process's memory as the kernel and glibc's allocator see it, and the
/// one call that gives free heap back: the only importer of `CMalloc`.
public enum ProcessMemory {
    /// Heap statistics of every arena (glibc's `mallinfo2`).
    public struct Heap: Sendable, Equatable {
        /// Bytes handed out by malloc and not freed.
        public var inUse: UInt64
        /// Bytes taken from the OS (in use, free, and free but already returned).
        public var held: UInt64
        /// Free bytes inside the heaps (resident or not).
        public var free: UInt64
    }

    public static func heap() -> Heap {
        let info = mallinfo2()
        return Heap(
            inUse: UInt64(info.uordblks) + UInt64(info.hblkhd), held: UInt64(info.arena) + UInt64(info.hblkhd),
            free: UInt64(info.fordblks))
    }

    /// Returns the free pages of every arena to the OS (`malloc_trim(0)`,
    /// which madvises them away); other threads' allocations wait only while
    /// their own arena is being trimmed.
    public static func trimFreeHeap() {
        malloc_trim(0)
    }

    /// The process's resident set size (`/proc/self/statm`, second field, in pages).
    public static func residentBytes() -> UInt64 {
        let fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return 0 }
        let fields = buffer[..<count].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = UInt64(String(decoding: fields[1], as: UTF8.self)) else { return 0 }
        return pages * UInt64(sysconf(Int32(_SC_PAGESIZE)))
    }
}
