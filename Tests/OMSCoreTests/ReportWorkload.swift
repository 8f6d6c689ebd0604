import Foundation
import OMSCore
import OMSProto
import Storage
import Testing

/// A seeded random workload over the order commands (orders in two
/// currencies and four channels, payments, cancellations, partial shipments,
/// deliveries, delivery exceptions, refunds) with the clock moving by up to a
/// few hours per step, and brute-force reports computed from the raw orders.
struct ReportWorkload {
    /// SplitMix64: the same seed gives the same workload.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
        mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    }

    static let channels = ["web", "marketplace", "phone", "erp"]
    static let skus = ["SKU-A", "SKU-B", "SKU-C"]
    static let customers = ["C1", "C2", "C3", "C4", ""]

    /// Runs `steps` random commands; failures the domain refuses are part of the workload.
    static func run(_ f: OrderFixture, seed: UInt64, steps: Int) async throws {
        var random = Random(state: seed)
        try await f.warehouse("MAIN", priority: 1)
        try await f.warehouse("EAST", priority: 2)
        for sku in skus {
            try await f.adjust(sku, in: "MAIN", by: 60)  // runs out: later lines split over MAIN and EAST
            try await f.adjust(sku, in: "EAST", by: 4000)
        }
        for (id, tier) in [("C1", "gold"), ("C2", "silver"), ("C3", "")] {
            _ = try await f.customers.upsert(
                .with {
                    $0.customer = .with {
                        $0.id = id
                        $0.name = "Customer \(id)"
                        $0.tier = tier
                        $0.addresses = [address()]
                    }
                }, actor: "test")
        }
        var ids: [String] = []
        for _ in 0..<steps {
            f.clock.advance(millis: Int64(random.below(4 * 3_600_000)))
            let action = random.below(100)
            if action < 45 || ids.isEmpty {
                let currency = random.chance(70) ? "USD" : "EUR"
                let lineCount = 1 + random.below(3)
                var lines: [Oms_V1_OrderLine] = []
                for _ in 0..<lineCount {
                    let line = Oms_V1_OrderLine.with {
                        $0.sku = skus[random.below(skus.count)]
                        $0.quantity = Int64(1 + random.below(5))
                        $0.unitPrice = .with {
                            $0.currencyCode = currency
                            $0.amountMinor = Int64(99 + random.below(5000))
                        }
                        $0.discountMinor = random.chance(30) ? Int64(random.below(90)) : 0
                        $0.taxRateBps = random.chance(50) ? 1900 : 700
                    }
                    lines.append(line)
                }
                let channel = channels[random.below(channels.count)]
                let customer = customers[random.below(customers.count)]
                let discount = random.chance(20) ? Int64(random.below(50)) : 0
                let shipping = random.chance(50) ? Int64(random.below(900)) : 0
                let withAddress = random.chance(90)
                let response = try? await f.orders.create(
                    .with {
                        $0.order = .with {
                            $0.customerID = customer
                            $0.channel = channel
                            $0.currencyCode = currency
                            $0.lines = lines
                            $0.discountMinor = discount
                            $0.shippingFeeMinor = shipping
                            if withAddress { $0.shippingAddress = address() }
                        }
                    }, actor: "test")
                if let order = response?.order { ids.append(order.id) }
                continue
            }
            if action < 48 {
                // Payment deadlines: unpaid orders expire (cancelled, stock released).
                _ = try await f.orders.fireDueTimers()
                continue
            }
            // An order in a state where the action applies, from a few random picks.
            let wanted: Set<Oms_V1_OrderStatus> =
                switch action {
                case 48..<65: [.pendingPayment]
                case 65..<72: [.pendingPayment, .paid, .allocated, .onHold]
                case 72..<85: [.paid, .allocated, .partiallyShipped]
                case 85..<90: [.partiallyShipped, .shipped]
                case 90..<93: [.delivered]
                default: [.paid, .partiallyShipped, .shipped, .delivered, .cancelled]
                }
            var picked: Oms_V1_Order?
            for _ in 0..<12 {
                if let candidate = try? f.orders.order(id: ids[random.below(ids.count)]),
                    wanted.contains(candidate.status)
                {
                    picked = candidate
                    break
                }
            }
            guard let order = picked else { continue }
            let id = order.id
            let totals = order.totals ?? Oms_V1_OrderTotals()
            switch action {
            case 48..<65:
                let amount = totals.totalMinor - totals.paidMinor
                if amount > 0 {
                    _ = try? await f.orders.recordPayment(
                        .with {
                            $0.orderID = id
                            $0.amount = .with {
                                $0.currencyCode = order.currencyCode
                                $0.amountMinor = random.chance(80) ? amount : max(1, amount / 2)
                            }
                        }, actor: "test")
                }
            case 65..<72:
                _ = try? await f.orders.cancel(.with { $0.id = id }, actor: "test")
            case 72..<85:
                let index = random.below(order.lines.count)
                let open = order.lines[index].quantity - order.lines[index].shippedQuantity
                if random.chance(50) || open <= 0 {
                    _ = try? await f.orders.ship(.with { $0.orderID = id }, actor: "wms")
                } else {
                    _ = try? await f.orders.ship(
                        .with {
                            $0.orderID = id
                            $0.lines = [
                                .with {
                                    $0.lineIndex = UInt32(index)
                                    $0.quantity = Int64(1 + random.below(Int(open)))
                                }
                            ]
                        }, actor: "wms")
                }
            case 90..<93:
                _ = try? await f.orders.rate(
                    .with {
                        $0.orderID = id
                        $0.rating = Int32(1 + random.below(5))
                    }, actor: "customer")
            case 85..<90:
                for shipment in order.shipments where !shipment.delivered {
                    _ = try await f.orders.track(
                        .with {
                            $0.orderID = id
                            $0.shipmentID = shipment.id
                            $0.kind = random.chance(65) ? .delivered : .exception
                            $0.detail = "carrier"
                        }, actor: "carrier")
                }
            default:
                let refundable = totals.paidMinor - totals.refundedMinor
                if refundable > 0 {
                    _ = try? await f.orders.refund(
                        .with {
                            $0.orderID = id
                            $0.amount = .with {
                                $0.currencyCode = order.currencyCode
                                $0.amountMinor = Int64(1 + random.below(Int(refundable)))
                            }
                            $0.reason = "goodwill"
                        }, actor: "test")
                }
            }
        }
    }

    static func allOrders(_ f: OrderFixture) throws -> [Oms_V1_Order] {
        var result: [Oms_V1_Order] = []
        var token = ""
        repeat {
            let page = try f.orders.list(
                .with {
                    $0.pageSize = 500
                    $0.pageToken = token
                })
            result += page.orders
            token = page.nextPageToken
        } while !token.isEmpty
        return result
    }

    /// The local calendar date of an instant in `zone`, as YYYY-MM-DD.
    static func localDate(_ millis: Int64, zone: TimeZone) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.dateComponents(
            [.year, .month, .day, .weekday], from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }

    static func label(_ c: DateComponents) -> String {
        String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    /// The period label of an order placed at `millis` (brute force, one
    /// Foundation call per order).
    static func periodLabel(_ millis: Int64, zone: TimeZone, period: Oms_V1_ReportPeriod) -> String {
        let local = localDate(millis, zone: zone)
        switch period {
        case .total: return ""
        case .month: return String(format: "%04d-%02d-01", local.year!, local.month!)
        case .week:
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let noon = calendar.date(
                from: DateComponents(year: local.year, month: local.month, day: local.day, hour: 12))!
            let back = (local.weekday! + 5) % 7
            return label(
                calendar.dateComponents([.year, .month, .day], from: noon.addingTimeInterval(Double(-back * 86400))))
        default: return label(local)
        }
    }

    /// The sales report by brute force over the raw orders.
    static func expectedSales(_ orders: [Oms_V1_Order], _ request: Oms_V1_SalesReportRequest) -> [Oms_V1_SalesReportRow]
    {
        let zone = TimeZone(identifier: request.range!.timeZone.isEmpty ? "UTC" : request.range!.timeZone)!
        let period = request.period == .unspecified ? Oms_V1_ReportPeriod.day : request.period
        var groups: [String: Oms_V1_SalesReportRow] = [:]
        func bump(_ period: String, _ key: String, _ currency: String, _ body: (inout Oms_V1_SalesReportRow) -> Void) {
            let id = "\(period)|\(key)|\(currency)"
            var row =
                groups[id]
                ?? .with {
                    $0.periodStart = period
                    $0.key = key
                    $0.currencyCode = currency
                }
            body(&row)
            groups[id] = row
        }
        for order in orders {
            let day = label(localDate(order.createdAtMillis, zone: zone))
            guard day >= request.range!.fromDate, day <= request.range!.toDate else { continue }
            if !request.currencyCode.isEmpty && order.currencyCode != request.currencyCode { continue }
            if !request.channels.isEmpty && !request.channels.contains(order.channel) { continue }
            let p = periodLabel(order.createdAtMillis, zone: zone, period: period)
            let cancelled = order.status == .cancelled
            let totals = order.totals!
            switch request.dimension {
            case .sku, .warehouse:
                var perKey: [String: (units: Int64, revenue: Int64, discount: Int64, tax: Int64)] = [:]
                for line in order.lines {
                    if request.dimension == .sku {
                        var entry = perKey[line.sku] ?? (0, 0, 0, 0)
                        entry.units += line.quantity
                        entry.revenue += line.netMinor
                        entry.discount += line.discountMinor
                        entry.tax += line.taxMinor
                        perKey[line.sku] = entry
                    } else {
                        // Proportional split, remainder to the last warehouse.
                        var units: Int64 = 0
                        var revenue: Int64 = 0
                        var last = ""
                        for reservation in line.reservations {
                            let share = Int64(
                                (Double(line.netMinor) * Double(reservation.quantity) / Double(line.quantity))
                                    .rounded(.towardZero))
                            perKey[reservation.warehouseCode, default: (0, 0, 0, 0)].units += reservation.quantity
                            perKey[reservation.warehouseCode, default: (0, 0, 0, 0)].revenue += share
                            units += reservation.quantity
                            revenue += share
                            last = reservation.warehouseCode
                        }
                        perKey[last, default: (0, 0, 0, 0)].units += line.quantity - units
                        perKey[last, default: (0, 0, 0, 0)].revenue += line.netMinor - revenue
                    }
                }
                let filter = request.dimension == .sku ? request.skus : request.warehouseCodes
                for (key, entry) in perKey where filter.isEmpty || filter.contains(key) {
                    bump(p, key, order.currencyCode) { row in
                        if cancelled {
                            row.cancelledOrders += 1
                        } else {
                            row.orders += 1
                            row.units += entry.units
                            row.revenueMinor += entry.revenue
                            row.discountMinor += entry.discount
                            row.taxMinor += entry.tax
                        }
                    }
                }
            default:
                let key: String
                switch request.dimension {
                case .channel: key = order.channel
                case .customer: key = order.customerID
                default: key = ""
                }
                if !request.customerIds.isEmpty && !request.customerIds.contains(key) { continue }
                bump(p, key, order.currencyCode) { row in
                    row.refundedMinor += totals.refundedMinor
                    if cancelled {
                        row.cancelledOrders += 1
                    } else {
                        row.orders += 1
                        row.units += order.lines.reduce(0) { $0 + $1.quantity }
                        row.revenueMinor += totals.totalMinor
                        row.discountMinor += totals.discountMinor + order.lines.reduce(0) { $0 + $1.discountMinor }
                        row.taxMinor += totals.taxMinor
                        row.shippingMinor += totals.shippingMinor
                    }
                }
            }
        }
        var rows = Array(groups.values)
        for index in rows.indices {
            let row = rows[index]
            if row.orders > 0 {
                // Half away from zero, by the textbook definition.
                let exact = Double(row.revenueMinor) / Double(row.orders)
                rows[index].averageOrderValueMinor = Int64(exact.rounded(.toNearestOrAwayFromZero))
            }
        }
        // Rows that sum to nothing are not reported (their rollups are deleted).
        rows.removeAll {
            $0.orders == 0 && $0.cancelledOrders == 0 && $0.refundedMinor == 0 && $0.units == 0 && $0.revenueMinor == 0
        }
        return rows.sorted { ($0.periodStart, $0.key, $0.currencyCode) < ($1.periodStart, $1.key, $1.currencyCode) }
    }
}
