import Foundation
import KeyValueStorage
public import OMSProto

/// Custom reports: saved definitions and their stored runs.
///
/// Stored in `rollups` under tags above the aggregate namespace (so
/// RebuildRollups ignores them): `0xF0 id` → ReportDefinition, `0xF1 id
/// run-id` → ReportRun. A dedicated column family would be tidier; adding one
/// is a schema change left to the owner of ColumnFamilies.
extension Reports {
    public static let saveDefinitionMethod = "/oms.v1.ReportService/SaveReportDefinition"
    public static let runMethod = "/oms.v1.ReportService/RunReport"
    static let definitionTag: UInt8 = 0xF0
    static let runTag: UInt8 = 0xF1

    static let salesMetrics = [
        "orders", "units", "revenue_minor", "average_order_value_minor", "discount_minor", "tax_minor",
        "shipping_minor", "refunded_minor", "cancelled_orders",
    ]

    static func definitionKey(_ id: String) -> [UInt8] { [definitionTag] + Array(id.utf8) }

    static func runPrefix(_ definitionID: String) -> [UInt8] {
        var key: [UInt8] = [runTag]
        KeyCodec.append(definitionID, to: &key)
        return key
    }

    /// Checks the definition as a whole: every error names its field under `definition.`.
    static func validate(_ request: Oms_V1_SaveReportDefinitionRequest, store: OMSStore) throws {
        var validator = Validator()
        Idempotency.validate(request.requestID, into: &validator)
        validator.check(request.expectedVersion >= 0, "expected_version", "must not be negative")
        guard let definition = request.definition else {
            validator.check(false, "definition", "is required")
            try validator.throwIfInvalid()
            return
        }
        validator.checkID(definition.id, "definition.id")
        validator.check(!definition.name.isEmpty, "definition.name", "must not be empty")
        validator.check(definition.name.utf8.count <= 200, "definition.name", "must be at most 200 bytes")
        validator.check(
            (0...ReportCalendar.maxDays).contains(Int(definition.lastDays)), "definition.last_days",
            "must be from 0 to \(ReportCalendar.maxDays)")
        for (index, metric) in definition.metrics.enumerated() where !salesMetrics.contains(metric) {
            validator.check(
                false, "definition.metrics[\(index)]",
                "unknown metric '\(metric)'; one of \(salesMetrics.joined(separator: ", "))")
        }
        if let schedule = definition.schedule { validate(schedule, into: &validator) }
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
                    sales.range = relativeRange(sales.range, days: definition.lastDays, now: 0)
                }
                _ = try SalesReportCursor(sales, store: store)
            case .fulfillment(var fulfillment)?:
                if definition.lastDays > 0 {
                    fulfillment.range = relativeRange(fulfillment.range, days: definition.lastDays, now: 0)
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
        }
    }

    /// The last `days` whole days before the day of `now` (ms; 0 = a fixed
    /// day, for validation) in the range's zone.
    static func relativeRange(_ range: Oms_V1_ReportRange?, days: Int32, now: Int64) -> Oms_V1_ReportRange {
        var range = range ?? Oms_V1_ReportRange()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone =
            TimeZone(identifier: range.timeZone.isEmpty ? "UTC" : range.timeZone) ?? TimeZone(identifier: "UTC")!
        let today = calendar.startOfDay(
            for: Date(timeIntervalSince1970: Double(now == 0 ? 1_767_225_600_000 : now) / 1000))
        let last = calendar.date(byAdding: .day, value: -1, to: today)!
        let first = calendar.date(byAdding: .day, value: -Int(days), to: today)!
        range.fromDate = ReportCalendar.format(calendar.dateComponents([.year, .month, .day], from: first))
        range.toDate = ReportCalendar.format(calendar.dateComponents([.year, .month, .day], from: last))
        return range
    }

    public func saveDefinition(
        _ request: Oms_V1_SaveReportDefinitionRequest, actor: String
    ) async throws
        -> Oms_V1_SaveReportDefinitionResponse
    {
        try Self.validate(request, store: store)
        let store = self.store
        return try await DomainCommand.perform(store) { transaction in
            let families = store.families
            var canonical = request
            canonical.requestID = ""
            if let replay = try Idempotency.replay(
                transaction, families: families, method: Self.saveDefinitionMethod, requestID: request.requestID,
                request: canonical, as: Oms_V1_SaveReportDefinitionResponse.self)
            {
                return (replay, 0)
            }
            let now = transaction.now / 1_000_000
            var definition = request.definition!
            let key = Self.definitionKey(definition.id)
            let existing = try transaction.get(families.rollups, key).map {
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
                transaction.delete(families.rollups, Self.dueKey(old.nextRunAtMillis, old.id))
            }
            definition.nextRunAtMillis = 0
            if let schedule = definition.schedule {
                definition.nextRunAtMillis = Self.nextRun(schedule, after: now)
                transaction.put(families.rollups, Self.dueKey(definition.nextRunAtMillis, definition.id), [])
            }
            transaction.put(families.rollups, key, definition.serializedBytes())
            let sequence = try ChangeRecord.append(
                store: store, transaction: &transaction, type: "report.definition_saved",
                resourceType: "report_definition",
                resourceID: definition.id, actor: actor, requestID: request.requestID,
                method: Self.saveDefinitionMethod, payload: nil)
            var response = Oms_V1_SaveReportDefinitionResponse()
            response.definition = definition
            response.created = existing == nil
            Idempotency.record(
                &transaction, families: families, method: Self.saveDefinitionMethod, requestID: request.requestID,
                request: canonical, response: response, nowMillis: now)
            return (response, sequence)
        }
    }

    public func definitions(
        _ request: Oms_V1_ListReportDefinitionsRequest
    ) throws -> Oms_V1_ListReportDefinitionsResponse {
        let pageSize = try PageToken.pageSize(request.pageSize)
        let after = try PageToken.decode(request.pageToken)
        let rows = try store.engine.scan(
            store.families.rollups, prefix: [Self.definitionTag], after: after, limit: pageSize + 1)
        var response = Oms_V1_ListReportDefinitionsResponse()
        response.definitions = try rows.prefix(pageSize).map { try Oms_V1_ReportDefinition(serializedBytes: $0.value) }
        if rows.count > pageSize { response.nextPageToken = PageToken.encode(rows[pageSize - 1].key) }
        return response
    }

    /// Runs a saved definition now; stores the run and appends a "report.run" event.
    public func run(_ request: Oms_V1_RunReportRequest, actor: String) async throws -> Oms_V1_RunReportResponse {
        try await run(request, actor: actor, scheduledAt: nil)
    }

    /// `scheduledAt`: the due time of a scheduled run, whose due row moves to
    /// the next occurrence in the same batch as the stored run.
    func run(
        _ request: Oms_V1_RunReportRequest, actor: String, scheduledAt: Int64?
    ) async throws
        -> Oms_V1_RunReportResponse
    {
        var validator = Validator()
        Idempotency.validate(request.requestID, into: &validator)
        validator.checkID(request.definitionID, "definition_id")
        try validator.throwIfInvalid()
        guard let bytes = try store.engine.get(store.families.rollups, Self.definitionKey(request.definitionID))
        else {
            throw DomainError(
                .notFound, "report definition \(request.definitionID) not found", reason: "REPORT_NOT_FOUND")
        }
        let definition = try Oms_V1_ReportDefinition(serializedBytes: bytes)
        let now = scheduledAt ?? store.clock.nowMillis()
        var run = Oms_V1_ReportRun()
        run.definitionID = definition.id
        run.definitionVersion = definition.version
        run.actor = actor
        switch definition.query {
        case .sales(var sales)?:
            if definition.lastDays > 0 {
                sales.range = Self.relativeRange(sales.range, days: definition.lastDays, now: now)
            }
            run.range = sales.range ?? Oms_V1_ReportRange()
            var result = try self.sales(sales)
            if !definition.metrics.isEmpty {
                let keep = Set(definition.metrics)
                for index in result.rows.indices {
                    var row = result.rows[index]
                    if !keep.contains("orders") { row.orders = 0 }
                    if !keep.contains("units") { row.units = 0 }
                    if !keep.contains("revenue_minor") { row.revenueMinor = 0 }
                    if !keep.contains("average_order_value_minor") { row.averageOrderValueMinor = 0 }
                    if !keep.contains("discount_minor") { row.discountMinor = 0 }
                    if !keep.contains("tax_minor") { row.taxMinor = 0 }
                    if !keep.contains("shipping_minor") { row.shippingMinor = 0 }
                    if !keep.contains("refunded_minor") { row.refundedMinor = 0 }
                    if !keep.contains("cancelled_orders") { row.cancelledOrders = 0 }
                    result.rows[index] = row
                }
            }
            run.sales = result
        case .fulfillment(var fulfillment)?:
            if definition.lastDays > 0 {
                fulfillment.range = Self.relativeRange(fulfillment.range, days: definition.lastDays, now: now)
            }
            run.range = fulfillment.range ?? Oms_V1_ReportRange()
            run.fulfillment = try self.fulfillment(fulfillment)
        case nil:
            throw DomainError(.failedPrecondition, "report definition \(definition.id) has no query")
        }
        let store = self.store
        let prepared = run
        return try await DomainCommand.perform(store) { transaction in
            let families = store.families
            var canonical = request
            canonical.requestID = ""
            if let replay = try Idempotency.replay(
                transaction, families: families, method: Self.runMethod, requestID: request.requestID,
                request: canonical, as: Oms_V1_RunReportResponse.self)
            {
                return (replay, 0)
            }
            var run = prepared
            run.atMillis = transaction.now / 1_000_000
            let sequence = try MetaCounter.next("report_run_sequence", transaction: &transaction, families: families)
            run.id = SortableID.make(prefix: "run_", millis: run.atMillis, sequence: sequence)
            var key = Self.runPrefix(run.definitionID)
            key += Array(run.id.utf8)
            transaction.put(families.rollups, key, run.serializedBytes())
            let eventSequence = try ChangeRecord.append(
                store: store, transaction: &transaction, type: "report.run", resourceType: "report_run",
                resourceID: run.id, actor: actor, requestID: request.requestID, method: Self.runMethod, payload: nil)
            if let scheduledAt {
                transaction.delete(families.rollups, Self.dueKey(scheduledAt, run.definitionID))
                // The definition as it is now (it may have changed since the run was prepared).
                if let bytes = try transaction.get(families.rollups, Self.definitionKey(run.definitionID)) {
                    var current = try Oms_V1_ReportDefinition(serializedBytes: bytes)
                    if current.nextRunAtMillis == scheduledAt, let schedule = current.schedule {
                        current.nextRunAtMillis = Self.nextRun(schedule, after: max(scheduledAt, run.atMillis))
                        transaction.put(families.rollups, Self.dueKey(current.nextRunAtMillis, current.id), [])
                        transaction.put(families.rollups, Self.definitionKey(current.id), current.serializedBytes())
                    }
                }
            }
            let response = Oms_V1_RunReportResponse.with { $0.run = run }
            Idempotency.record(
                &transaction, families: families, method: Self.runMethod, requestID: request.requestID,
                request: canonical, response: response, nowMillis: run.atMillis)
            return (response, eventSequence)
        }
    }

    /// Stored runs of a definition, newest first.
    public func runs(_ request: Oms_V1_ListReportRunsRequest) throws -> Oms_V1_ListReportRunsResponse {
        var validator = Validator()
        validator.checkID(request.definitionID, "definition_id")
        try validator.throwIfInvalid()
        let pageSize = try PageToken.pageSize(request.pageSize)
        let after = try PageToken.decode(request.pageToken)
        let rows = try store.engine.scan(
            store.families.rollups, prefix: Self.runPrefix(request.definitionID), after: after, limit: pageSize + 1,
            reverse: true)
        var response = Oms_V1_ListReportRunsResponse()
        response.runs = try rows.prefix(pageSize).map { try Oms_V1_ReportRun(serializedBytes: $0.value) }
        if rows.count > pageSize { response.nextPageToken = PageToken.encode(rows[pageSize - 1].key) }
        return response
    }
}
