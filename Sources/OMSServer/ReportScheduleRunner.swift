public import Logging
public import OMSCore

/// Runs scheduled reports as the store's clock passes their due rows
/// (`Reports.fireDueSchedules`), polling like TimerRunner; due rows are
/// durable, so a restarted daemon runs what came due while it was down.
public final class ReportScheduleRunner: Sendable {
    let reports: Reports
    let pollInterval: Duration
    private let periodic: PeriodicTask

    public init(reports: Reports, pollInterval: Duration = .seconds(1), logger: Logger) {
        self.reports = reports
        self.pollInterval = pollInterval
        periodic = PeriodicTask(name: "scheduled report run", interval: pollInterval, logger: logger) {
            let ran = try await reports.fireDueSchedules()
            if ran > 0 { logger.info("scheduled reports ran", metadata: ["runs": "\(ran)"]) }
        }
    }

    /// Starts the background loop. Idempotent.
    public func start() { periodic.start() }

    /// Stops the loop and waits for a run in progress. Call before closing the store.
    public func stop() async { await periodic.stop() }
}
