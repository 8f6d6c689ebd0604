import KeyValueStorage
public import OMSProto

/// `CustomerReport`: top customers and tiers from the per-customer sales
/// rollups, new vs repeat from each active customer's first order (one
/// index seek per active customer), ratings from the rating rollups.
extension Reports {
    public func customers(_ request: Oms_V1_CustomerReportRequest) throws -> Oms_V1_CustomerReportResponse {
        var validator = Validator()
        validator.check((0...1000).contains(request.top), "top", "must be from 0 to 1000 (0: 10)")
        validator.check(
            request.currencyCode.isEmpty || MoneyRules.isCurrencyCode(request.currencyCode), "currency_code",
            "must be an ISO 4217 code of three upper-case letters, got '\(request.currencyCode)'")
        try validator.throwIfInvalid()
        let top = request.top == 0 ? 10 : Int(request.top)
        let calendar = try ReportCalendar(request.range, period: .total)
        let snapshot = try store.engine.readView()
        typealias Sales = OrderContribution.Sales

        struct Key: Hashable {
            var customer: String
            var currency: String
        }
        var totals: [Key: (orders: Int64, revenue: Int64)] = [:]
        var active = Set<String>()
        for row in try scan(RollupRow.salesByCustomer, calendar, snapshot: snapshot) {
            let key = try RollupRow.decodeSales(row.key)
            guard calendar.period(ofSlot: key.slot) != nil else { continue }
            let values = RollupRow.decode(row.value)
            if values.count > Sales.orders && values[Sales.orders] > 0 { active.insert(key.dimension) }
            if !request.currencyCode.isEmpty && key.currency != request.currencyCode { continue }
            var entry = totals[Key(customer: key.dimension, currency: key.currency)] ?? (0, 0)
            entry.orders += values.count > Sales.orders ? values[Sales.orders] : 0
            entry.revenue += values.count > Sales.revenue ? values[Sales.revenue] : 0
            totals[Key(customer: key.dimension, currency: key.currency)] = entry
        }
        // Per active customer: its tier and whether its first order is in the range.
        var tiers: [String: String] = [:]
        var isNew: [String: Bool] = [:]
        for customer in active where !customer.isEmpty {
            if let bytes = try snapshot.get(store.families.customers, Array(customer.utf8)) {
                tiers[customer] = try Oms_V1_Customer(serializedBytes: bytes).tier
            }
            let prefix = OrderIndex.customerPrefix(customer)
            if let first = try snapshot.scan(
                store.families.orderIndex, prefix: prefix, limit: 1
            )
            .first {
                var reader = KeyCodec.Reader(Array(first.key.dropFirst(prefix.count)))
                let created = try reader.readInt64()
                isNew[customer] = created >= calendar.rangeStartMillis
            }
        }
        var response = Oms_V1_CustomerReportResponse()
        let named = active.filter { !$0.isEmpty }
        response.activeCustomers = Int64(named.count)
        response.newCustomers = Int64(named.filter { isNew[$0] == true }.count)
        response.repeatCustomers = response.activeCustomers - response.newCustomers

        var byCurrency: [String: [(Key, (orders: Int64, revenue: Int64))]] = [:]
        for (key, value) in totals where value.orders != 0 || value.revenue != 0 {
            byCurrency[key.currency, default: []].append((key, value))
        }
        var tierRows: [String: Oms_V1_TierRow] = [:]
        for (currency, entries) in byCurrency.sorted(by: { $0.key < $1.key }) {
            let ranked = entries.sorted {
                ($1.1.revenue, $0.0.customer) < ($0.1.revenue, $1.0.customer)
            }
            for (key, value) in ranked.prefix(top) {
                var row = Oms_V1_CustomerRow()
                row.customerID = key.customer
                row.currencyCode = currency
                row.orders = value.orders
                row.revenueMinor = value.revenue
                row.tier = tiers[key.customer] ?? ""
                row.newCustomer = isNew[key.customer] ?? false
                response.topCustomers.append(row)
            }
            for (key, value) in entries where !key.customer.isEmpty {
                let tier = tiers[key.customer] ?? ""
                var row =
                    tierRows["\(tier)|\(currency)"]
                    ?? Oms_V1_TierRow.with {
                        $0.tier = tier
                        $0.currencyCode = currency
                    }
                if value.orders > 0 { row.customers += 1 }
                row.orders += value.orders
                row.revenueMinor += value.revenue
                tierRows["\(tier)|\(currency)"] = row
            }
        }
        response.tiers = tierRows.values.sorted { ($0.tier, $0.currencyCode) < ($1.tier, $1.currencyCode) }

        var stars = [Int64](repeating: 0, count: 5)
        for row in try scan(RollupRow.ratings, calendar, snapshot: snapshot) {
            var reader = KeyCodec.Reader(Array(row.key.dropFirst()))
            let slot = try reader.readUInt32()
            _ = try reader.readString()
            guard calendar.period(ofSlot: slot) != nil, let rating = reader.readRemaining().first,
                (1...5).contains(rating)
            else { continue }
            stars[Int(rating) - 1] += RollupRow.decode(row.value).first ?? 0
        }
        response.ratingsByStars = stars
        response.ratingsCount = stars.reduce(0, +)
        let sum = stars.enumerated().reduce(Int64(0)) { $0 + Int64($1.offset + 1) * $1.element }
        response.averageRatingCenti = Self.roundedQuotient(sum * 100, response.ratingsCount)
        return response
    }
}
