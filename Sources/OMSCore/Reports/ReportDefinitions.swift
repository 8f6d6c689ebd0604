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

    /// Saves a definition (`SaveReportDefinition`), scheduling its next run.
    public func saveDefinition(
        _ request: Oms_V1_SaveReportDefinitionRequest, actor: String
    ) async throws -> Oms_V1_SaveReportDefinitionResponse {
        try await store.run(SaveReportDefinition(store: store), request, actor: actor)
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
        try await store.run(try prepareRun(request, actor: actor, scheduledAt: nil), request, actor: actor)
    }

    /// Computes the run of a saved definition from a snapshot (the reads, which
    /// the RPC layer does off its event loop) and returns the command that
    /// records it. `scheduledAt`: the due time of a scheduled run, whose due
    /// row moves to the next occurrence in the same batch as the stored run.
    public func prepareRun(
        _ request: Oms_V1_RunReportRequest, actor: String, scheduledAt: Int64?
    ) throws -> RunReport {
        var validator = Validator()
        Idempotency.validate(request.requestID, into: &validator)
        RunReport.validate(request, into: &validator)
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
        return RunReport(prepared: run, scheduledAt: scheduledAt)
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
