import KeyValueStorage
public import OMSProto

/// How rollup rows are described and compared by `RebuildRollups`.
extension Reports {

    /// Compares the rollups with the orders and the ledger (`RebuildRollups`).
    public func rebuildRollups(
        _ request: Oms_V1_RebuildRollupsRequest, actor: String
    ) async throws -> Oms_V1_RebuildRollupsResponse {
        try await store.run(RebuildRollups(), request, actor: actor)
    }

    /// Trailing zeros do not make a row different.
    static func normalized(_ values: [Int64]?) -> [Int64] {
        var values = values ?? []
        while values.last == 0 { values.removeLast() }
        return values
    }

    /// "sales_by_sku 2026-01-01T10:30Z USD web SKU-A" and the like.
    static func describe(_ key: [UInt8]) -> String {
        guard let table = key.first else { return "" }
        var reader = KeyCodec.Reader(Array(key.dropFirst()))
        guard let slot = try? reader.readUInt32() else { return "unknown \(key)" }
        let time = Self.utcLabel(millis: Int64(slot) * RollupRow.slotMillis)
        var parts: [String]
        switch table {
        case RollupRow.salesByChannel: parts = ["sales_by_channel"]
        case RollupRow.salesBySKU: parts = ["sales_by_sku"]
        case RollupRow.salesByCustomer: parts = ["sales_by_customer"]
        case RollupRow.salesByWarehouse: parts = ["sales_by_warehouse"]
        case RollupRow.salesByChannelDay:
            return ["sales_by_channel_day", String(utcLabel(millis: Int64(slot) * 86_400_000).prefix(10))]
                .joined(separator: " ") + " " + Self.describeTail(&reader)
        case RollupRow.fulfilmentDurations: parts = ["fulfilment_durations"]
        case RollupRow.fulfilmentExceptions: parts = ["fulfilment_exceptions"]
        case RollupRow.fulfilmentOrders: parts = ["fulfilment_orders"]
        case RollupRow.ratings: parts = ["ratings"]
        case RollupRow.stockMovements: parts = ["stock_movements"]
        default: parts = ["table_\(table)"]
        }
        parts.append(time)
        parts.append(describeTail(&reader))
        return parts.joined(separator: " ")
    }

    static func describeTail(_ reader: inout KeyCodec.Reader) -> String {
        var parts: [String] = []
        while !reader.isAtEnd, let text = try? reader.readString() { parts.append(text) }
        if !reader.isAtEnd { parts.append(reader.readRemaining().map(String.init).joined(separator: ".")) }
        return parts.joined(separator: " ")
    }

    static func utcLabel(millis: Int64) -> String {
        let days = millis / 86_400_000
        let minutes = (millis % 86_400_000) / 60_000
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)-\(pad(month))-\(pad(day))T\(pad(minutes / 60)):\(pad(minutes % 60))Z"
    }
}
