import Logging
import Synchronization

/// Background upkeep (retention trimming): runs `body` at start and then
/// every `interval` until stopped. A failing run is logged and retried at
/// the next interval; stopping cancels the sleep and waits for a run in
/// progress to end.
final class PeriodicTask: Sendable {
    private let name: String
    private let interval: Duration
    private let logger: Logger
    private let body: @Sendable () async throws -> Void
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(name: String, interval: Duration, logger: Logger, body: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.interval = interval
        self.logger = logger
        self.body = body
    }

    func start() {
        task.withLock { task in
            guard task == nil else { return }
            task = Task { [name, interval, logger, body] in
                while !Task.isCancelled {
                    do {
                        try await body()
                    } catch {
                        if Task.isCancelled { return }
                        logger.warning("\(name) failed: \(error)")
                    }
                    try? await Task.sleep(for: interval)
                }
            }
        }
    }

    func stop() async {
        let running = task.withLock { task in
            defer { task = nil }
            return task
        }
        running?.cancel()
        await running?.value
    }
}
