public import OMSProto

/// `SaveReportDefinition`: creates or replaces a custom report definition
/// (optionally only at the version the caller read) and, for a scheduled one,
/// its next due row.
public struct SaveReportDefinition: WriteCommand {
    public static let method = Oms_V1_ReportService.Method.saveReportDefinition
    let store: OMSStore

    public init(store: OMSStore) {
        self.store = store
    }

    /// Checks the definition as a whole: every error names its field under
    /// `definition.`; the query is checked as a run would execute it.
    public func validate(
        _ request: Oms_V1_SaveReportDefinitionRequest, into validator: inout Validator
    ) throws(DomainError) {
        validator.check(request.expectedVersion >= 0, "expected_version", "must not be negative")
        guard let definition = request.definition else {
            return validator.check(false, "definition", "is required")
        }
        validator.checkID(definition.id, "definition.id")
        validator.check(!definition.name.isEmpty, "definition.name", "must not be empty")
        validator.check(definition.name.utf8.count <= 200, "definition.name", "must be at most 200 bytes")
        validator.check(
            (0...ReportCalendar.maxDays).contains(Int(definition.lastDays)), "definition.last_days",
            "must be from 0 to \(ReportCalendar.maxDays)")
        for (index, metric) in definition.metrics.enumerated() where !Reports.salesMetrics.contains(metric) {
            validator.check(
                false, "definition.metrics[\(index)]",
                "unknown metric '\(metric)'; one of \(Reports.salesMetrics.joined(separator: ", "))")
        }
        if let schedule = definition.schedule { Reports.validate(schedule, into: &validator) }
        switch definition.query {
        case nil: validator.check(false, "definition.query", "set sales or fulfillment")
        case .fulfillment?:
            validator.check(definition.metrics.isEmpty, "definition.metrics", "only sales reports select metrics")
        case .sales?: break
        }
        try validator.throwIfInvalid()
        // The query itself, as a run would execute it (field names prefixed).
        do {
            let reports = Reports(store: store)
            switch definition.query {
            case .sales(var sales)?:
                if definition.lastDays > 0 {
                    sales.range = Reports.relativeRange(sales.range, days: definition.lastDays, now: 0)
                }
                _ = try SalesReportCursor(sales, store: store)
            case .fulfillment(var fulfillment)?:
                if definition.lastDays > 0 {
                    fulfillment.range = Reports.relativeRange(fulfillment.range, days: definition.lastDays, now: 0)
                }
                _ = try reports.fulfillment(fulfillment)
            case nil: break
            }
        } catch let error as DomainError {
            let prefix =
                definition.query.map { if case .sales = $0 { "definition.sales." } else { "definition.fulfillment." } }
                ?? ""
            throw DomainError(
                error.kind, error.message,
                violations: error.violations.map { .init(field: prefix + $0.field, description: $0.description) },
                reason: error.reason)
        } catch {
            throw DomainError.describing(error)
        }
    }

    public func apply(
        _ request: Oms_V1_SaveReportDefinitionRequest, in context: inout CommandContext
    ) throws -> Oms_V1_SaveReportDefinitionResponse {
        let families = context.families
        let now = context.nowMillis
        var definition = request.definition!
        let key = Reports.definitionKey(definition.id)
        let existing = try context.transaction.get(families.rollups, key).map {
            try Oms_V1_ReportDefinition(serializedBytes: $0)
        }
        if request.expectedVersion != 0 && request.expectedVersion != existing?.version ?? 0 {
            throw DomainError(
                .aborted,
                "report definition \(definition.id) is at version \(existing?.version ?? 0), not \(request.expectedVersion)",
                reason: "VERSION_MISMATCH")
        }
        definition.version = (existing?.version ?? 0) + 1
        definition.createdAtMillis = existing?.createdAtMillis ?? now
        definition.updatedAtMillis = now
        if let old = existing, old.nextRunAtMillis > 0 {
            context.transaction.delete(families.rollups, Reports.dueKey(old.nextRunAtMillis, old.id))
        }
        definition.nextRunAtMillis = 0
        if let schedule = definition.schedule {
            definition.nextRunAtMillis = Reports.nextRun(schedule, after: now)
            context.transaction.put(families.rollups, Reports.dueKey(definition.nextRunAtMillis, definition.id), [])
        }
        context.transaction.put(families.rollups, key, definition.serializedBytes())
        try context.record("report.definition_saved", resource: "report_definition", id: definition.id, payload: nil)
        var response = Oms_V1_SaveReportDefinitionResponse()
        response.definition = definition
        response.created = existing == nil
        return response
    }
}
