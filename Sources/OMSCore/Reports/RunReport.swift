public import OMSProto

/// `RunReport`'s write: stores a run prepared from a snapshot (the report is
/// computed before the command is queued, so the writer only records it) and
/// appends `report.run`; for a scheduled run it also moves the definition's
/// due row to the next occurrence, in the same batch.
public struct RunReport: WriteCommand {
    public static let method = Oms_V1_ReportService.Method.runReport
    /// The run as computed, without its id and time.
    let prepared: Oms_V1_ReportRun
    /// The due time of a scheduled run; nil for one asked for by a caller.
    let scheduledAt: Int64?

    init(prepared: Oms_V1_ReportRun, scheduledAt: Int64?) {
        self.prepared = prepared
        self.scheduledAt = scheduledAt
    }

    static func validate(_ request: Oms_V1_RunReportRequest, into validator: inout Validator) {
        validator.checkID(request.definitionID, "definition_id")
    }

    public func validate(_ request: Oms_V1_RunReportRequest, into validator: inout Validator) {
        Self.validate(request, into: &validator)
    }

    public func apply(
        _ request: Oms_V1_RunReportRequest, in context: inout CommandContext
    ) throws
        -> Oms_V1_RunReportResponse
    {
        let families = context.families
        var run = prepared
        run.atMillis = context.nowMillis
        let sequence = try MetaCounter.next(
            "report_run_sequence", transaction: &context.transaction, families: families)
        run.id = SortableID.make(prefix: "run_", millis: run.atMillis, sequence: sequence)
        var key = Reports.runPrefix(run.definitionID)
        key += Array(run.id.utf8)
        context.transaction.put(families.rollups, key, run.serializedBytes())
        try context.record("report.run", resource: "report_run", id: run.id, payload: nil)
        if let scheduledAt {
            context.transaction.delete(families.rollups, Reports.dueKey(scheduledAt, run.definitionID))
            // The definition as it is now (it may have changed since the run was prepared).
            if let bytes = try context.transaction.get(families.rollups, Reports.definitionKey(run.definitionID)) {
                var current = try Oms_V1_ReportDefinition(serializedBytes: bytes)
                if current.nextRunAtMillis == scheduledAt, let schedule = current.schedule {
                    current.nextRunAtMillis = Reports.nextRun(schedule, after: max(scheduledAt, run.atMillis))
                    context.transaction.put(families.rollups, Reports.dueKey(current.nextRunAtMillis, current.id), [])
                    context.transaction.put(
                        families.rollups, Reports.definitionKey(current.id), current.serializedBytes())
                }
            }
        }
        return Oms_V1_RunReportResponse.with { $0.run = run }
    }
}
