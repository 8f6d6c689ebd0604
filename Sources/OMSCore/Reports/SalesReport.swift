import KeyValueStorage
public import OMSProto

/// `SalesReport`: the sales rollup table of the requested dimension, summed
/// into (period, dimension value, currency) groups.
extension Reports {
    public func sales(_ request: Oms_V1_SalesReportRequest) throws -> Oms_V1_SalesReportResponse {
        var cursor = try SalesReportCursor(request, store: store)
        var response = Oms_V1_SalesReportResponse()
        while let rows = try cursor.nextPeriod() { response.rows += rows }
        response.rollupRowsRead = cursor.rollupRowsRead
        return response
    }
}

/// A sales report produced one period at a time from one snapshot: memory
/// holds one period's groups, so exports of long reports stay bounded.
public struct SalesReportCursor {
    struct Group: Hashable {
        var key: String
        var currency: String
    }

    let request: Oms_V1_SalesReportRequest
    let dimension: Oms_V1_SalesDimension
    let calendar: ReportCalendar
    let table: UInt8
    let dimensionFilter: Set<String>
    let channels: Set<String>
    let store: OMSStore
    let snapshot: any ReadView
    var nextPeriodIndex = 0
    public private(set) var rollupRowsRead: Int64 = 0

    /// Validates the request (errors name the field).
    public init(_ request: Oms_V1_SalesReportRequest, store: OMSStore) throws {
        let period = request.period == .unspecified ? Oms_V1_ReportPeriod.day : request.period
        let dimension = request.dimension == .unspecified ? Oms_V1_SalesDimension.none : request.dimension
        var validator = Validator()
        if case .UNRECOGNIZED(let value) = request.dimension {
            validator.check(false, "dimension", "unknown dimension \(value)")
        }
        validator.check(
            request.currencyCode.isEmpty || MoneyRules.isCurrencyCode(request.currencyCode), "currency_code",
            "must be an ISO 4217 code of three upper-case letters, got '\(request.currencyCode)'")
        Reports.validateFilter(request.channels, field: "channels", into: &validator)
        Reports.validateFilter(request.skus, field: "skus", into: &validator)
        Reports.validateFilter(request.customerIds, field: "customer_ids", into: &validator)
        Reports.validateFilter(request.warehouseCodes, field: "warehouse_codes", into: &validator)
        validator.check(request.skus.isEmpty || dimension == .sku, "skus", "filtering by sku needs dimension SKU")
        validator.check(
            request.customerIds.isEmpty || dimension == .customer, "customer_ids",
            "filtering by customer needs dimension CUSTOMER")
        validator.check(
            request.warehouseCodes.isEmpty || dimension == .warehouse, "warehouse_codes",
            "filtering by warehouse needs dimension WAREHOUSE")
        try validator.throwIfInvalid()
        self.calendar = try ReportCalendar(request.range, period: period)
        self.request = request
        self.dimension = dimension
        switch dimension {
        case .sku: (table, dimensionFilter) = (RollupRow.salesBySKU, Set(request.skus))
        case .customer: (table, dimensionFilter) = (RollupRow.salesByCustomer, Set(request.customerIds))
        case .warehouse: (table, dimensionFilter) = (RollupRow.salesByWarehouse, Set(request.warehouseCodes))
        default: (table, dimensionFilter) = (RollupRow.salesByChannel, [])
        }
        channels = Set(request.channels)
        self.store = store
        snapshot = try store.engine.readView()
    }

    /// The rows of the next period (possibly none), sorted by key then
    /// currency; nil after the last period.
    public mutating func nextPeriod() throws -> [Oms_V1_SalesReportRow]? {
        guard nextPeriodIndex < calendar.periodSlots.count else { return nil }
        let periodIndex = nextPeriodIndex
        nextPeriodIndex += 1
        let slots = calendar.periodSlots[periodIndex]
        var rows: [(key: [UInt8], value: [UInt8])] = []
        func read(_ table: UInt8, _ range: Range<UInt32>) throws {
            guard !range.isEmpty else { return }
            rows += try snapshot.scan(
                store.families.rollups, from: RollupRow.prefix(table, slot: range.lowerBound),
                to: RollupRow.prefix(table, slot: range.upperBound), limit: Int.max)
        }
        // Whole UTC days inside the period from the day rows, the edges from
        // half-hour rows (order-level table only).
        let perDay = RollupRow.slotsPerDay
        let firstDay = (slots.lowerBound + perDay - 1) / perDay
        let endDay = slots.upperBound / perDay
        if table == RollupRow.salesByChannel && firstDay < endDay {
            try read(table, slots.lowerBound..<firstDay * perDay)
            try read(RollupRow.salesByChannelDay, firstDay..<endDay)
            try read(table, endDay * perDay..<slots.upperBound)
        } else {
            try read(table, slots)
        }
        rollupRowsRead += Int64(rows.count)
        var groups: [Group: [Int64]] = [:]
        for row in rows {
            let key = try RollupRow.decodeSales(row.key)
            if !request.currencyCode.isEmpty && key.currency != request.currencyCode { continue }
            if !channels.isEmpty && !channels.contains(key.channel) { continue }
            if !dimensionFilter.isEmpty && !dimensionFilter.contains(key.dimension) { continue }
            let groupKey: String
            switch dimension {
            case .channel: groupKey = key.channel
            case .sku, .customer, .warehouse: groupKey = key.dimension
            default: groupKey = ""
            }
            RollupRow.add(
                &groups[Group(key: groupKey, currency: key.currency), default: []], RollupRow.decode(row.value))
        }
        typealias Sales = OrderContribution.Sales
        return groups.sorted { ($0.key.key, $0.key.currency) < ($1.key.key, $1.key.currency) }.map { group, values in
            var metrics = values
            if metrics.count < Sales.count { metrics += [Int64](repeating: 0, count: Sales.count - metrics.count) }
            var row = Oms_V1_SalesReportRow()
            row.periodStart = calendar.periodStarts[periodIndex]
            row.key = group.key
            row.currencyCode = group.currency
            row.orders = metrics[Sales.orders]
            row.units = metrics[Sales.units]
            row.revenueMinor = metrics[Sales.revenue]
            row.averageOrderValueMinor = Reports.roundedQuotient(metrics[Sales.revenue], metrics[Sales.orders])
            row.discountMinor = metrics[Sales.discount]
            row.taxMinor = metrics[Sales.tax]
            row.shippingMinor = metrics[Sales.shipping]
            row.refundedMinor = metrics[Sales.refunded]
            row.cancelledOrders = metrics[Sales.cancelled]
            return row
        }
    }
}
