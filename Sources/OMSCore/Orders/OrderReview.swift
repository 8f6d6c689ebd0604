import KeyValueStorage
import OMSProto

/// Automatic review at order entry (beyond stock, which the reservation
/// checks, and the shipping address, `isComplete`, which CreateOrder and
/// UpdateOrder apply themselves): abnormal amounts and possible duplicates.
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
            let signature = lineSignature(lines)
            let windowStart = nowMillis - policy.duplicateWindowMillis + 1
            if let twin = try duplicate(
                of: signature, customerID: customerID, windowStart: windowStart, transaction: transaction,
                families: families)
            {
                flags.append(.possibleDuplicate)
                reasons.append(
                    "same customer and lines as \(twin.id), placed \((nowMillis - twin.createdAtMillis) / 1000) s earlier"
                )
            }
        }
        return (flags, reasons)
    }

    /// A non-cancelled order of the customer placed at or after
    /// `windowStart` with the same lines, if any.
    ///
    /// The customer's last order (`CustomerLastOrder`) answers the common
    /// cases with one point read: it is older than the window (then no order
    /// is inside it), or it is the twin. Otherwise (no such row yet, or the
    /// last order differs) the customer index is scanned, newest first, up to
    /// `recentOrders` orders.
    static func duplicate(
        of signature: [String: Int64], customerID: String, windowStart: Int64, transaction: WriteTransaction,
        families: ColumnFamilies
    ) throws -> Oms_V1_Order? {
        func twin(_ orderID: [UInt8]) throws -> Oms_V1_Order? {
            guard let bytes = try transaction.get(families.orders, orderID) else { return nil }
            let order = try Oms_V1_Order(serializedBytes: bytes)
            return order.status != .cancelled && lineSignature(order.lines) == signature ? order : nil
        }
        if let last = try CustomerLastOrder.load(customerID, transaction: transaction, families: families) {
            if last.createdAtMillis < windowStart { return nil }
            if last.signatureHash == signatureHash(signature), let order = try twin(Array(last.orderID.utf8)) {
                return order
            }
        }
        let prefix = OrderIndex.customerPrefix(customerID)
        var from = prefix
        KeyCodec.append(windowStart, to: &from)
        let recent = try transaction.scan(
            families.orderIndex, from: from, to: KeyCodec.prefixUpperBound(prefix), limit: recentOrders,
            reverse: true)
        for row in recent {
            if let order = try twin(row.value) { return order }
        }
        return nil
    }

    /// An address an order can be shipped to: without one the order is
    /// INCOMPLETE (on hold) and has no shipping label.
    static func isComplete(_ address: Oms_V1_Address?) -> Bool {
        guard let address else { return false }
        return !address.line1.isEmpty && !address.city.isEmpty && !address.countryCode.isEmpty
    }

    /// The lines as a sku → quantity multiset.
    static func lineSignature(_ lines: [Oms_V1_OrderLine]) -> [String: Int64] {
        lines.reduce(into: [:]) { $0[$1.sku, default: 0] += $1.quantity }
    }

    /// A stable 64-bit hash of a line signature (FNV-1a over the skus in
    /// order with their quantities): stored, so it must not depend on the
    /// process (Swift's `Hasher` is seeded per process).
    static func signatureHash(_ signature: [String: Int64]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        for sku in signature.keys.sorted() {
            for byte in sku.utf8 { mix(byte) }
            mix(0)
            var quantity = UInt64(bitPattern: signature[sku]!)
            for _ in 0..<8 {
                mix(UInt8(truncatingIfNeeded: quantity))
                quantity >>= 8
            }
        }
        return hash
    }
}

/// The customer's most recently placed order (its id, placement time and
/// line-signature hash), kept in `rollups` under
/// `orders.customer_last/<customer>` and written by CreateOrder in the same
/// batch, so the duplicate review usually needs one point read instead of a
/// reverse scan of the customer's orders. A hint, never the answer: a match
/// is confirmed on the order itself, and anything else falls back to the scan.
enum CustomerLastOrder {
    struct Entry: Equatable {
        var orderID: String
        var createdAtMillis: Int64
        var signatureHash: UInt64
    }

    static func key(_ customerID: String) -> [UInt8] {
        var key = Array("orders.customer_last/".utf8)
        KeyCodec.append(customerID, to: &key)
        return key
    }

    static func load(_ customerID: String, transaction: WriteTransaction, families: ColumnFamilies) throws -> Entry? {
        guard let bytes = try transaction.get(families.rollups, key(customerID)) else { return nil }
        var reader = KeyCodec.Reader(bytes)
        let createdAtMillis = try reader.readInt64()
        let signatureHash = try reader.readUInt64()
        return Entry(orderID: try reader.readString(), createdAtMillis: createdAtMillis, signatureHash: signatureHash)
    }

    /// Records a newly placed order unless the stored one is more recent.
    static func record(
        _ order: Oms_V1_Order, transaction: inout WriteTransaction, families: ColumnFamilies
    ) throws {
        guard !order.customerID.isEmpty else { return }
        if let last = try load(order.customerID, transaction: transaction, families: families),
            last.createdAtMillis > order.createdAtMillis
        {
            return
        }
        var value: [UInt8] = []
        value.reserveCapacity(17 + order.id.utf8.count)
        KeyCodec.append(order.createdAtMillis, to: &value)
        KeyCodec.append(OrderReview.signatureHash(OrderReview.lineSignature(order.lines)), to: &value)
        KeyCodec.append(order.id, to: &value)
        transaction.put(families.rollups, key(order.customerID), value)
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
