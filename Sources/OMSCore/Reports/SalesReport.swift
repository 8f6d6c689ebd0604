public import OMSProto
import Storage

/// `SalesReport`: the sales rollup table of the requested dimension, summed
/// into (period, dimension value, currency) groups.
extension Reports {
    struct SalesGroup: Hashable {
        var period: Int
        var key: String
        var currency: String
    }

    public func sales(_ request: Oms_V1_SalesReportRequest) throws -> Oms_V1_SalesReportResponse {
        let period = request.period == .unspecified ? Oms_V1_ReportPeriod.day : request.period
        let dimension = request.dimension == .unspecified ? Oms_V1_SalesDimension.none : request.dimension
        var validator = Validator()
        if case .UNRECOGNIZED(let value) = request.dimension {
            validator.check(false, "dimension", "unknown dimension \(value)")
        }
        validator.check(
            request.currencyCode.isEmpty || MoneyRules.isCurrencyCode(request.currencyCode), "currency_code",
            "must be an ISO 4217 code of three upper-case letters, got '\(request.currencyCode)'")
        Self.validateFilter(request.channels, field: "channels", into: &validator)
        Self.validateFilter(request.skus, field: "skus", into: &validator)
        Self.validateFilter(request.customerIds, field: "customer_ids", into: &validator)
        Self.validateFilter(request.warehouseCodes, field: "warehouse_codes", into: &validator)
        validator.check(request.skus.isEmpty || dimension == .sku, "skus", "filtering by sku needs dimension SKU")
        validator.check(
            request.customerIds.isEmpty || dimension == .customer, "customer_ids",
            "filtering by customer needs dimension CUSTOMER")
        validator.check(
            request.warehouseCodes.isEmpty || dimension == .warehouse, "warehouse_codes",
            "filtering by warehouse needs dimension WAREHOUSE")
        try validator.throwIfInvalid()
        let calendar = try ReportCalendar(request.range, period: period)

        let table: UInt8
        let dimensionFilter: Set<String>
        switch dimension {
        case .sku: (table, dimensionFilter) = (RollupRow.salesBySKU, Set(request.skus))
        case .customer: (table, dimensionFilter) = (RollupRow.salesByCustomer, Set(request.customerIds))
        case .warehouse: (table, dimensionFilter) = (RollupRow.salesByWarehouse, Set(request.warehouseCodes))
        default: (table, dimensionFilter) = (RollupRow.salesByChannel, [])
        }
        let channels = Set(request.channels)
        let snapshot = try store.database.snapshot()
        let rows = try scan(table, calendar, snapshot: snapshot)
        var groups: [SalesGroup: [Int64]] = [:]
        for row in rows {
            let key = try RollupRow.decodeSales(row.key)
            guard let periodIndex = calendar.period(ofSlot: key.slot) else { continue }
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
                &groups[SalesGroup(period: periodIndex, key: groupKey, currency: key.currency), default: []],
                RollupRow.decode(row.value))
        }
        var response = Oms_V1_SalesReportResponse()
        response.rollupRowsRead = Int64(rows.count)
        let sorted = groups.sorted {
            ($0.key.period, $0.key.key, $0.key.currency) < ($1.key.period, $1.key.key, $1.key.currency)
        }
        typealias Sales = OrderContribution.Sales
        for (group, values) in sorted {
            var metrics = values
            if metrics.count < Sales.count { metrics += [Int64](repeating: 0, count: Sales.count - metrics.count) }
            var row = Oms_V1_SalesReportRow()
            row.periodStart = calendar.periodStarts[group.period]
            row.key = group.key
            row.currencyCode = group.currency
            row.orders = metrics[Sales.orders]
            row.units = metrics[Sales.units]
            row.revenueMinor = metrics[Sales.revenue]
            row.averageOrderValueMinor = Self.roundedQuotient(metrics[Sales.revenue], metrics[Sales.orders])
            row.discountMinor = metrics[Sales.discount]
            row.taxMinor = metrics[Sales.tax]
            row.shippingMinor = metrics[Sales.shipping]
            row.refundedMinor = metrics[Sales.refunded]
            row.cancelledOrders = metrics[Sales.cancelled]
            response.rows.append(row)
        }
        return response
    }
}
