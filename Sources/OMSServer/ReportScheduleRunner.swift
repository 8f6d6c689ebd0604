public import Logging
public import OMSCore
import Synchronization

/// Runs scheduled reports as the store's clock passes their due rows
/// (`Reports.fireDueSchedules`), polling like TimerRunner; due rows are
/// durable, so a restarted daemon runs what came due while it was down.
public final class ReportScheduleRunner: Sendable {
    let reports: Reports
    let pollInterval: Duration
    let logger: Logger
    private let task = Mutex<Task<Void, Never>?>(nil)

    public init(reports: Reports, pollInterval: Duration = .seconds(1), logger: Logger) {
        self.reports = reports
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// Starts the background loop. Idempotent.
    public func start() {
        task.withLock { task in
            guard task == nil else { return }
            task = Task { [self] in
                while !Task.isCancelled {
                    do {
                        let ran = try await reports.fireDueSchedules()
                        if ran > 0 { logger.info("scheduled reports ran", metadata: ["runs": "\(ran)"]) }
                    } catch {
                        if Task.isCancelled { return }
                        logger.warning("scheduled report run failed: \(error)")
                    }
                    try? await Task.sleep(for: pollInterval)
                }
            }
        }
    }

    /// Stops the loop and waits for a run in progress. Call before closing the store.
    public func stop() async {
        let running = task.withLock { task in
            defer { task = nil }
            return task
        }
        running?.cancel()
        await running?.value
    }
}
