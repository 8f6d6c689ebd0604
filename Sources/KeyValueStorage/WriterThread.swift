import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A dedicated OS thread for blocking work (the writer's fsyncs), so it never
/// occupies a thread of the Swift concurrency pool or a NIO event loop.
///
/// `@unchecked Sendable`: `thread` is immutable after `init`; whether it was
/// joined/detached is guarded by `reaped`.
final class WriterThread: @unchecked Sendable {
    private let thread: pthread_t
    /// True once the thread was joined or detached (exactly one must happen).
    private let reaped = Mutex(false)

    /// Starts `body` on a new thread named `name` (truncated to 15 bytes, the
    /// Linux limit).
    init(name: String, body: @escaping @Sendable () -> Void) {
        let entry = Unmanaged.passRetained(ThreadEntry(name: name, body: body)).toOpaque()
        #if canImport(Darwin)
            var thread: pthread_t? = nil
        #else
            var thread = pthread_t()
        #endif
        let rc = pthread_create(
            &thread, nil,
            { argument in
                #if canImport(Darwin)
                    let entry = Unmanaged<ThreadEntry>.fromOpaque(argument).takeRetainedValue()
                #else
                    let entry = Unmanaged<ThreadEntry>.fromOpaque(argument!).takeRetainedValue()
                #endif
                entry.run()
                return nil
            }, entry)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        #if canImport(Darwin)
            self.thread = thread!
        #else
            self.thread = thread
        #endif
    }

    /// Whether the caller runs on this thread.
    var isCurrent: Bool {
        pthread_equal(thread, pthread_self()) != 0
    }

    /// Waits for the thread to finish; idempotent, and concurrent callers all
    /// wait. Called on the thread itself (e.g. from a completion handler) it
    /// detaches instead, since a thread cannot join itself.
    func join() {
        if isCurrent {
            // If another thread holds the lock it is joining us: leave it be.
            _ = reaped.withLockIfAvailable { reaped in
                if !reaped {
                    pthread_detach(thread)
                    reaped = true
                }
            }
            return
        }
        reaped.withLock { reaped in
            if !reaped {
                pthread_join(thread, nil)
                reaped = true
            }
        }
    }
}

private final class ThreadEntry {
    let name: String
    let body: @Sendable () -> Void

    init(name: String, body: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
    }

    func run() {
        let shortName = String(decoding: name.utf8.prefix(15), as: UTF8.self)
        #if canImport(Darwin)
            pthread_setname_np(shortName)
        #else
            setCurrentThreadName(shortName)
        #endif
        body()
    }
}

#if !canImport(Darwin)
    /// `pthread_setname_np` is a GNU extension the Glibc module does not import,
    /// so it is looked up at run time; the name only helps `top -H` and debuggers,
    /// so a missing symbol is ignored.
    private func setCurrentThreadName(_ name: String) {
        typealias SetName = @convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32
        guard let process = dlopen(nil, RTLD_NOW) else { return }
        defer { dlclose(process) }
        guard let symbol = dlsym(process, "pthread_setname_np") else { return }
        _ = unsafeBitCast(symbol, to: SetName.self)(pthread_self(), name)
    }
#endif
