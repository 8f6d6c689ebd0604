import NIOPosix

/// The threads that run reads which iterate (lists, histories, movements,
/// reports, exports, reconcile reports), so that one large scan never stalls
/// the other connections of an event loop. Only point reads measured to be
/// cheap (GetProduct, GetOrder, GetStock, …) answer on the event loop.
final class ReadPool: Sendable {
    private let pool: NIOThreadPool

    init(threads: Int) {
        pool = NIOThreadPool(numberOfThreads: max(1, threads))
        pool.start()
    }

    /// Runs `body` on a pool thread; it gets `false` instead when the pool
    /// is shutting down (and must still answer its call).
    func submit(_ body: @escaping @Sendable (_ active: Bool) -> Void) {
        pool.submit { state in body(state == .active) }
    }

    /// Runs `body` on a pool thread and returns its result (streaming
    /// handlers, which run as tasks, read their batches through this).
    func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await pool.runIfActive(body)
    }

    func shutdown() async {
        try? await pool.shutdownGracefully()
    }
}
