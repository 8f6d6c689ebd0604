import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where the domain gets the time from, so deadline and fee rules are testable.
public protocol Clock: Sendable {
    /// Nanoseconds since the Unix epoch (UTC).
    func nowNanoseconds() -> Int64
}

extension Clock {
    /// Milliseconds since the Unix epoch (UTC).
    public func nowMillis() -> Int64 { nowNanoseconds() / 1_000_000 }
}

/// The real wall clock.
public struct SystemClock: Clock {
    public init() {}
    public func nowNanoseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}

/// A clock tests move by hand.
public final class ManualClock: Clock {
    private let now: Atomic<Int64>

    public init(millis: Int64 = 1_767_225_600_000) {  // 2026-01-01T00:00:00Z
        now = Atomic(millis * 1_000_000)
    }

    public func nowNanoseconds() -> Int64 { now.load(ordering: .relaxed) }

    public func advance(millis: Int64) {
        now.add(millis * 1_000_000, ordering: .relaxed)
    }

    public func set(millis: Int64) {
        now.store(millis * 1_000_000, ordering: .relaxed)
    }
}
