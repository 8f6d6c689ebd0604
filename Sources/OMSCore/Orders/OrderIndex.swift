import KeyValueStorage
import OMSProto

/// Key layout of `order_index`. Every row's value is the order id.
///
/// - `0x10 status(u32) created(i64) id` — by status, newest last
/// - `0x11 customer created id`, `0x12 channel created id`, `0x13 flag(u32) created id`
/// - `0x20 channel external_ref` — uniqueness of external references per channel
/// - `0x30 id version(u64)` — history entries (value: OrderHistoryEntry)
///
/// Strings are KeyCodec-terminated, so a prefix never matches a longer value.
enum OrderIndex {
    static let statusTag: UInt8 = 0x10
    static let customerTag: UInt8 = 0x11
    static let channelTag: UInt8 = 0x12
    static let flagTag: UInt8 = 0x13
    static let externalTag: UInt8 = 0x20
    static let historyTag: UInt8 = 0x30

    static func statusPrefix(_ status: Oms_V1_OrderStatus) -> [UInt8] {
        var key: [UInt8] = [statusTag]
        KeyCodec.append(UInt32(bitPattern: status.rawValue), to: &key)
        return key
    }

    static func customerPrefix(_ customerID: String) -> [UInt8] {
        var key: [UInt8] = [customerTag]
        KeyCodec.append(customerID, to: &key)
        return key
    }

    static func channelPrefix(_ channel: String) -> [UInt8] {
        var key: [UInt8] = [channelTag]
        KeyCodec.append(channel, to: &key)
        return key
    }

    static func flagPrefix(_ flag: Oms_V1_OrderFlag) -> [UInt8] {
        var key: [UInt8] = [flagTag]
        KeyCodec.append(UInt32(bitPattern: flag.rawValue), to: &key)
        return key
    }

    static func externalRefKey(channel: String, ref: String) -> [UInt8] {
        var key: [UInt8] = [externalTag]
        KeyCodec.append(channel, to: &key)
        KeyCodec.append(ref, to: &key)
        return key
    }

    static func historyPrefix(_ orderID: String) -> [UInt8] {
        var key: [UInt8] = [historyTag]
        KeyCodec.append(orderID, to: &key)
        return key
    }

    static func historyKey(_ orderID: String, version: Int64) -> [UInt8] {
        var key = historyPrefix(orderID)
        KeyCodec.append(UInt64(max(0, version)), to: &key)
        return key
    }

    /// Every index key of `order` (not history).
    /// Every index key of `order`, each once (a handful: an array beats
    /// hashing byte-array keys into a set).
    static func keys(_ order: Oms_V1_Order) -> [[UInt8]] {
        func timed(_ prefix: [UInt8]) -> [UInt8] {
            var key = prefix
            KeyCodec.append(order.createdAtMillis, to: &key)
            KeyCodec.append(order.id, to: &key)
            return key
        }
        var keys: [[UInt8]] = [timed(statusPrefix(order.status)), timed(channelPrefix(order.channel))]
        keys.reserveCapacity(4 + order.flags.count)
        if !order.customerID.isEmpty { keys.append(timed(customerPrefix(order.customerID))) }
        for (index, flag) in order.flags.enumerated() where !order.flags[..<index].contains(flag) {
            keys.append(timed(flagPrefix(flag)))
        }
        if !order.externalRef.isEmpty { keys.append(externalRefKey(channel: order.channel, ref: order.externalRef)) }
        return keys
    }
}
