import KeyValueStorage
import OMSProto

/// What one order record adds to the aggregate rows: a deterministic
/// function of the record alone, so a change applies contribution(new) −
/// contribution(old) and a rebuild sums contribution(order) over all orders.
///
/// Sales count against the placement slot (`created_at_millis`); a cancelled
/// order moves from `orders` to `cancelled`. Refunds count against the
/// placement slot too (the order keeps no refund times).
enum OrderContribution {
    enum Sales {
        static let orders = 0, units = 1, revenue = 2, discount = 3, tax = 4, shipping = 5, refunded = 6,
            cancelled = 7
        static let count = 8
    }

    enum Stage: UInt8, CaseIterable {
        case payment = 1
        case shipment = 2
        case delivery = 3
    }

    static func exceptionReason(_ flag: Oms_V1_OrderFlag) -> String? {
        switch flag {
        case .incomplete: "incomplete"
        case .abnormalAmount: "abnormal_amount"
        case .possibleDuplicate: "possible_duplicate"
        case .deliveryException: "delivery_exception"
        default: nil
        }
    }

    static func rows(of order: Oms_V1_Order) -> RollupDeltas {
        var rows = RollupDeltas(capacity: 6 + order.lines.count * 2)
        func add(_ key: [UInt8], _ values: [Int64]) {
            rows.add(key, values)
        }
        let slot = RollupRow.slot(millis: order.createdAtMillis)
        let currency = order.currencyCode
        let channel = order.channel
        let cancelled = order.status == .cancelled
        let totals = order.totals ?? Oms_V1_OrderTotals()

        // Order level.
        var orderValues = [Int64](repeating: 0, count: Sales.count)
        orderValues[Sales.refunded] = totals.refundedMinor
        if cancelled {
            orderValues[Sales.cancelled] = 1
        } else {
            orderValues[Sales.orders] = 1
            orderValues[Sales.units] = order.lines.reduce(0) { $0 + $1.quantity }
            orderValues[Sales.revenue] = totals.totalMinor
            orderValues[Sales.discount] = totals.discountMinor + order.lines.reduce(0) { $0 + $1.discountMinor }
            orderValues[Sales.tax] = totals.taxMinor
            orderValues[Sales.shipping] = totals.shippingMinor
        }
        add(
            RollupRow.salesKey(
                RollupRow.salesByChannel, slot: slot, currency: currency, channel: channel, dimension: nil),
            orderValues)
        add(
            RollupRow.salesKey(
                RollupRow.salesByChannelDay, slot: slot / RollupRow.slotsPerDay, currency: currency, channel: channel,
                dimension: nil), orderValues)
        add(
            RollupRow.salesKey(
                RollupRow.salesByCustomer, slot: slot, currency: currency, channel: channel,
                dimension: order.customerID), orderValues)

        // Line level: per sku and per reserving warehouse; `orders` counts
        // the order once per key.
        var skuValues: [String: [Int64]] = [:]
        var warehouseValues: [String: [Int64]] = [:]
        for line in order.lines {
            var values = [Int64](repeating: 0, count: Sales.count)
            if !cancelled {
                values[Sales.units] = line.quantity
                values[Sales.revenue] = line.netMinor
                values[Sales.discount] = line.discountMinor
                values[Sales.tax] = line.taxMinor
            }
            RollupRow.add(&skuValues[line.sku, default: []], values)
            for (warehouse, share) in warehouseShares(line) {
                var part = [Int64](repeating: 0, count: Sales.count)
                if !cancelled {
                    part[Sales.units] = share.units
                    part[Sales.revenue] = share.revenue
                }
                RollupRow.add(&warehouseValues[warehouse, default: []], part)
            }
        }
        let presence: [Int64] = cancelled ? [0, 0, 0, 0, 0, 0, 0, 1] : [1, 0, 0, 0, 0, 0, 0, 0]
        for (sku, var values) in skuValues {
            RollupRow.add(&values, presence)
            add(
                RollupRow.salesKey(
                    RollupRow.salesBySKU, slot: slot, currency: currency, channel: channel, dimension: sku),
                values)
        }
        for (warehouse, var values) in warehouseValues {
            RollupRow.add(&values, presence)
            add(
                RollupRow.salesKey(
                    RollupRow.salesByWarehouse, slot: slot, currency: currency, channel: channel, dimension: warehouse),
                values)
        }

        // Fulfilment.
        add(RollupRow.fulfilmentKey(RollupRow.fulfilmentOrders, slot: slot, channel: channel, tail: []), [1])
        for (stage, millis) in stageDurations(order) {
            add(
                RollupRow.fulfilmentKey(
                    RollupRow.fulfilmentDurations, slot: slot, channel: channel,
                    tail: [stage.rawValue, UInt8(DurationHistogram.bucket(millis: millis))]), [1])
        }
        for reason in Set(order.flags.compactMap(exceptionReason)) {
            add(
                RollupRow.fulfilmentKey(
                    RollupRow.fulfilmentExceptions, slot: slot, channel: channel, tail: Array(reason.utf8)), [1])
        }
        if let rating = order.feedback?.rating, (1...5).contains(rating) {
            add(RollupRow.fulfilmentKey(RollupRow.ratings, slot: slot, channel: channel, tail: [UInt8(rating)]), [1])
        }
        return rows
    }

    /// A ledger row's contribution (rows are append-only, so it is only ever added).
    static func rows(of move: Oms_V1_StockMove) -> (key: [UInt8], values: [Int64]) {
        var key = RollupRow.prefix(RollupRow.stockMovements, slot: RollupRow.slot(millis: move.atMillis))
        KeyCodec.append(move.warehouseCode, to: &key)
        KeyCodec.append(move.sku, to: &key)
        key.append(UInt8(clamping: move.kind.rawValue))
        return (key, [1, move.onHandDelta, move.reservedDelta])
    }

    /// Placement to paid in full, to the first shipment, to delivered.
    static func stageDurations(_ order: Oms_V1_Order) -> [(Stage, Int64)] {
        var result: [(Stage, Int64)] = []
        if order.paidAtMillis > 0 { result.append((.payment, order.paidAtMillis - order.createdAtMillis)) }
        if let first = order.shipments.map(\.shippedAtMillis).min() {
            result.append((.shipment, first - order.createdAtMillis))
        }
        if order.deliveredAtMillis > 0 { result.append((.delivery, order.deliveredAtMillis - order.createdAtMillis)) }
        return result
    }

    /// A line's units and net split over the warehouses that reserved it, in
    /// proportion to the quantity (truncating); what is left (remainder,
    /// unreserved units) goes to the last warehouse, or to "" without any.
    static func warehouseShares(_ line: Oms_V1_OrderLine) -> [(String, (units: Int64, revenue: Int64))] {
        guard line.quantity > 0 else { return [] }
        var shares: [(String, (units: Int64, revenue: Int64))] = []
        var units: Int64 = 0
        var revenue: Int64 = 0
        for reservation in line.reservations {
            let product = line.netMinor.multipliedFullWidth(by: reservation.quantity)
            let share = line.quantity.dividingFullWidth(product).quotient
            shares.append((reservation.warehouseCode, (reservation.quantity, share)))
            units += reservation.quantity
            revenue += share
        }
        if shares.isEmpty { shares.append(("", (0, 0))) }
        shares[shares.count - 1].1.units += line.quantity - units
        shares[shares.count - 1].1.revenue += line.netMinor - revenue
        return shares
    }
}

/// The rows one record touches and what it adds to each: a handful (about
/// six plus two per line), so a list merged by key comparison is cheaper than
/// hashing byte-array keys into a dictionary, and it keeps insertion order.
struct RollupDeltas: Sequence {
    private(set) var entries: [(key: [UInt8], values: [Int64])] = []

    init(capacity: Int = 8) {
        entries.reserveCapacity(capacity)
    }

    /// Adds `values` (times `sign`) to the row `key`, creating it when new.
    mutating func add(_ key: [UInt8], _ values: [Int64], sign: Int64 = 1) {
        if let index = entries.firstIndex(where: { $0.key == key }) {
            RollupRow.add(&entries[index].values, values, sign: sign)
        } else {
            var row: [Int64] = []
            RollupRow.add(&row, values, sign: sign)
            entries.append((key, row))
        }
    }

    func makeIterator() -> IndexingIterator<[(key: [UInt8], values: [Int64])]> {
        entries.makeIterator()
    }
}
