import KeyValueStorage
public import OMSProto

/// `ExportReport`: a report encoded as CSV or XLSX and handed out in chunks
/// of at most 64 KiB. Sales rows are produced one period at a time, so the
/// memory held is one period's groups plus one chunk, however long the report.
public struct ReportExport {
    public static let chunkBytes = 64 << 10

    enum Source {
        case sales(SalesReportCursor)
        case rows([[ReportCell]])
    }

    private var source: Source
    private let format: Oms_V1_ExportFormat
    private var xlsx = XLSXEncoder()
    private var pending: [UInt8] = []
    private var header: [ReportCell]
    private var started = false
    private var sourceDone = false
    private var finished = false
    private var rowsWritten: Int64 = 0
    public let contentType: String
    /// The most bytes encoded but not yet handed out at once (the memory
    /// bound of the encoding side: one period's rows plus one chunk).
    public private(set) var maxBufferedBytes = 0
    /// What is exported, in words (for the audit record).
    public let summary: String

    /// Validates the request (errors name the field) and prepares the source.
    public init(_ request: Oms_V1_ExportReportRequest, store: OMSStore) throws {
        format = request.format == .unspecified ? .csv : request.format
        if case .UNRECOGNIZED(let value) = request.format {
            throw DomainError.invalid(field: "format", "unknown format \(value)")
        }
        contentType = format == .xlsx ? XLSXEncoder.contentType : "text/csv"
        switch request.report {
        case .sales(let sales)?:
            source = .sales(try SalesReportCursor(sales, store: store))
            header = Self.salesHeader.map(ReportCell.text)
            let range = sales.range ?? Oms_V1_ReportRange()
            summary = "sales \(range.fromDate)..\(range.toDate) \(range.timeZone.isEmpty ? "UTC" : range.timeZone)"
        case .fulfillment(let fulfillment)?:
            let response = try Reports(store: store).fulfillment(fulfillment)
            source = .rows(response.rows.map(Self.cells))
            header = Self.fulfillmentHeader.map(ReportCell.text)
            let range = fulfillment.range ?? Oms_V1_ReportRange()
            summary =
                "fulfillment \(range.fromDate)..\(range.toDate) \(range.timeZone.isEmpty ? "UTC" : range.timeZone)"
        case nil:
            throw DomainError.invalid(field: "report", "set sales or fulfillment")
        }
    }

    /// The next chunk; nil after the last one (which has `last` set).
    public mutating func next() throws -> Oms_V1_ExportReportChunk? {
        guard !finished else { return nil }
        while pending.count < Self.chunkBytes && !sourceDone { try produce() }
        maxBufferedBytes = max(maxBufferedBytes, pending.count)
        var chunk = Oms_V1_ExportReportChunk()
        let count = min(Self.chunkBytes, pending.count)
        chunk.data = Array(pending[..<count])
        pending.removeFirst(count)
        if !started {
            chunk.contentType = contentType
            started = true
        }
        if sourceDone && pending.isEmpty {
            chunk.last = true
            chunk.rows = rowsWritten
            finished = true
        }
        return chunk
    }

    private var headerWritten = false

    private mutating func produce() throws {
        if !headerWritten {
            headerWritten = true
            if format == .xlsx {
                pending += try xlsx.start(sheetName: summary.hasPrefix("sales") ? "Sales" : "Fulfillment")
            }
            try append(header, isData: false)
            return
        }
        switch source {
        case .sales(var cursor):
            let rows = try cursor.nextPeriod()
            source = .sales(cursor)
            guard let rows else { return try end() }
            for row in rows { try append(Self.cells(row), isData: true) }
        case .rows(let rows):
            for row in rows { try append(row, isData: true) }
            source = .rows([])
            try end()
        }
    }

    private mutating func append(_ cells: [ReportCell], isData: Bool) throws {
        if format == .xlsx {
            do {
                pending += try xlsx.row(cells)
            } catch is XLSXEncoder.Failure {
                throw DomainError(
                    .resourceExhausted, "an XLSX sheet holds at most \(XLSXEncoder.maxRows) rows; export CSV instead",
                    reason: "XLSX_TOO_MANY_ROWS")
            }
        } else {
            CSVEncoder.append(cells, to: &pending)
        }
        if isData { rowsWritten += 1 }
    }

    private mutating func end() throws {
        if format == .xlsx {
            do {
                pending += try xlsx.finish()
            } catch {
                throw DomainError(.resourceExhausted, "the XLSX file would exceed 4 GiB; export CSV instead")
            }
        }
        sourceDone = true
    }

    static let salesHeader = [
        "period_start", "key", "currency_code", "orders", "units", "revenue_minor", "average_order_value_minor",
        "discount_minor", "tax_minor", "shipping_minor", "refunded_minor", "cancelled_orders",
    ]

    static func cells(_ r: Oms_V1_SalesReportRow) -> [ReportCell] {
        [
            .text(r.periodStart), .text(r.key), .text(r.currencyCode), .integer(r.orders), .integer(r.units),
            .integer(r.revenueMinor), .integer(r.averageOrderValueMinor), .integer(r.discountMinor),
            .integer(r.taxMinor), .integer(r.shippingMinor), .integer(r.refundedMinor), .integer(r.cancelledOrders),
        ]
    }

    static let fulfillmentHeader =
        ["period_start", "orders"]
        + ["payment", "shipment", "delivery"].flatMap { stage in
            ["count", "p50_millis", "p90_millis", "p99_millis"].map { "\(stage)_\($0)" }
        } + ["late_shipments", "late_threshold_millis", "exceptions"]

    static func cells(_ r: Oms_V1_FulfillmentReportRow) -> [ReportCell] {
        var cells: [ReportCell] = [.text(r.periodStart), .integer(r.orders)]
        for stage in [Oms_V1_FulfillmentStage.payment, .shipment, .delivery] {
            let s = r.stages.first { $0.stage == stage } ?? Oms_V1_StageDurations()
            cells += [.integer(s.count), .integer(s.p50Millis), .integer(s.p90Millis), .integer(s.p99Millis)]
        }
        cells += [
            .integer(r.lateShipments), .integer(r.lateThresholdMillis),
            .text(r.exceptions.map { "\($0.reason)=\($0.orders)" }.joined(separator: "; ")),
        ]
        return cells
    }
}

extension Reports {
    /// Records who exported what, durably, before the export streams.
    public func auditExport(_ export: ReportExport, format: Oms_V1_ExportFormat, actor: String) async throws {
        let summary = export.summary + (format == .xlsx ? " xlsx" : " csv")
        try await store.runJob(Oms_V1_ReportService.Method.exportReport.path, actor: actor) { context in
            try context.audit(resource: "report", id: summary, sequence: Reports.auditSequence)
        }
    }
}
