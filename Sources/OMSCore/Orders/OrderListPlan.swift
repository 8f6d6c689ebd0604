import KeyValueStorage
import OMSProto

/// Which rows a ListOrders page walks (newest first): one index, chosen by
/// the most selective filter given (status, else customer, else channel,
/// else flag), bounded by the created range; with no filter, the orders
/// themselves, whose ids sort by creation time. The other filters are
/// checked on each order (`matches`). `external_ref` is a point lookup and
/// never walks a range.
struct OrderListPlan {
    let family: ColumnFamily
    /// The first key of the range (inclusive).
    let lower: [UInt8]
    /// The end of the range (exclusive); nil: the end of the family.
    let upper: [UInt8]?
    /// Rows are index entries whose value is the order id; else order records.
    let viaIndex: Bool

    init(_ request: Oms_V1_ListOrdersRequest, families: ColumnFamilies) {
        func timeBounded(_ prefix: [UInt8]) -> ([UInt8], [UInt8]?) {
            var low = prefix
            KeyCodec.append(request.createdFromMillis, to: &low)
            guard request.createdToMillis > 0 else { return (low, KeyCodec.prefixUpperBound(prefix)) }
            var high = prefix
            KeyCodec.append(request.createdToMillis, to: &high)
            return (low, high)
        }
        if request.status != .unspecified {
            (family, viaIndex) = (families.orderIndex, true)
            (lower, upper) = timeBounded(OrderIndex.statusPrefix(request.status))
        } else if !request.customerID.isEmpty {
            (family, viaIndex) = (families.orderIndex, true)
            (lower, upper) = timeBounded(OrderIndex.customerPrefix(request.customerID))
        } else if !request.channel.isEmpty {
            (family, viaIndex) = (families.orderIndex, true)
            (lower, upper) = timeBounded(OrderIndex.channelPrefix(request.channel))
        } else if request.flag != .unspecified {
            (family, viaIndex) = (families.orderIndex, true)
            (lower, upper) = timeBounded(OrderIndex.flagPrefix(request.flag))
        } else {
            // Order ids sort by creation time, so the range bounds the ids.
            (family, viaIndex) = (families.orders, false)
            lower = Array(SortableID.make(prefix: "ord_", millis: request.createdFromMillis, sequence: 0).utf8)
            upper =
                request.createdToMillis > 0
                ? Array(SortableID.make(prefix: "ord_", millis: request.createdToMillis, sequence: 0).utf8)
                : KeyCodec.prefixUpperBound(Array("ord_".utf8))
        }
    }

    /// Whether `order` passes every filter of `request`.
    static func matches(_ order: Oms_V1_Order, _ request: Oms_V1_ListOrdersRequest) -> Bool {
        (request.status == .unspecified || order.status == request.status)
            && (request.customerID.isEmpty || order.customerID == request.customerID)
            && (request.channel.isEmpty || order.channel == request.channel)
            && (request.flag == .unspecified || order.flags.contains(request.flag))
            && order.createdAtMillis >= request.createdFromMillis
            && (request.createdToMillis == 0 || order.createdAtMillis < request.createdToMillis)
            && (request.externalRef.isEmpty || order.externalRef == request.externalRef)
    }
}
