import OMSProto
import Storage

/// Automatic review at order entry (beyond stock and address, which
/// CreateOrder checks itself): abnormal amounts and possible duplicates.
/// Flagged orders go ON_HOLD with the reasons; `ListOrders{flag}` is the queue.
enum OrderReview {
    static let recentOrders = 20

    static func review(
        customerID: String, externalRef: String, currency: String, lines: [Oms_V1_OrderLine], totalMinor: Int64,
        nowMillis: Int64, policy: OrderPolicy, transaction: WriteTransaction, families: ColumnFamilies
    ) throws -> (flags: [Oms_V1_OrderFlag], reasons: [String]) {
        var flags: [Oms_V1_OrderFlag] = []
        var reasons: [String] = []
        if policy.abnormalAmountMinor > 0 && totalMinor >= policy.abnormalAmountMinor {
            flags.append(.abnormalAmount)
            reasons.append("total \(totalMinor) is at or above the review threshold \(policy.abnormalAmountMinor)")
        }
        guard !customerID.isEmpty else { return (flags, reasons) }
        if policy.abnormalMultipleOfAverage > 0, !flags.contains(.abnormalAmount) {
            let stats = try CustomerOrderStats.load(
                customerID, currency: currency, transaction: transaction, families: families)
            if stats.count >= 3 {
                let average = stats.totalMinor / stats.count
                let (limit, overflow) = average.multipliedReportingOverflow(by: policy.abnormalMultipleOfAverage)
                if !overflow && totalMinor > limit {
                    flags.append(.abnormalAmount)
                    reasons.append(
                        "total \(totalMinor) is more than \(policy.abnormalMultipleOfAverage)× the customer's average order \(average)"
                    )
                }
            }
        }
        if policy.duplicateWindowMillis > 0 && externalRef.isEmpty {
            // Only the customer's orders inside the window: the index is keyed by creation time.
            let prefix = OrderIndex.customerPrefix(customerID)
            var from = prefix
            KeyCodec.append(nowMillis - policy.duplicateWindowMillis + 1, to: &from)
            let signature = lineSignature(lines)
            let recent = try transaction.scan(
                families.orderIndex, from: from, to: KeyCodec.prefixUpperBound(prefix), limit: recentOrders,
                reverse: true)
            for row in recent {
                guard let bytes = try transaction.get(families.orders, row.value) else { continue }
                let twin = try Oms_V1_Order(serializedBytes: bytes)
                if twin.status != .cancelled && lineSignature(twin.lines) == signature {
                    flags.append(.possibleDuplicate)
                    reasons.append(
                        "same customer and lines as \(twin.id), placed \((nowMillis - twin.createdAtMillis) / 1000) s earlier"
                    )
                    break
                }
            }
        }
        return (flags, reasons)
    }

    /// The lines as a sku → quantity multiset.
    static func lineSignature(_ lines: [Oms_V1_OrderLine]) -> [String: Int64] {
        lines.reduce(into: [:]) { $0[$1.sku, default: 0] += $1.quantity }
    }
}

/// How many orders a customer placed in one currency and their summed
/// totals: the base of the "abnormal amount" rule, kept in `rollups` under
/// `orders.customer_totals/<customer>/<currency>` and updated by CreateOrder
/// in the same batch (one read instead of a scan of the customer's orders).
enum CustomerOrderStats {
    static func key(_ customerID: String, currency: String) -> [UInt8] {
        var key = Array("orders.customer_totals/".utf8)
        KeyCodec.append(customerID, to: &key)
        KeyCodec.append(currency, to: &key)
        return key
    }

    static func load(
        _ customerID: String, currency: String, transaction: WriteTransaction, families: ColumnFamilies
    ) throws -> (count: Int64, totalMinor: Int64) {
        guard let bytes = try transaction.get(families.rollups, key(customerID, currency: currency)) else {
            return (0, 0)
        }
        var reader = KeyCodec.Reader(bytes)
        return (try reader.readInt64(), try reader.readInt64())
    }

    static func add(
        _ customerID: String, currency: String, totalMinor: Int64, transaction: inout WriteTransaction,
        families: ColumnFamilies
    ) throws {
        guard !customerID.isEmpty else { return }
        let current = try load(customerID, currency: currency, transaction: transaction, families: families)
        var value: [UInt8] = []
        KeyCodec.append(current.count + 1, to: &value)
        KeyCodec.append(current.totalMinor &+ totalMinor, to: &value)
        transaction.put(families.rollups, key(customerID, currency: currency), value)
    }
}
