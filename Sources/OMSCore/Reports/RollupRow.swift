import KeyValueStorage

/// The layout of aggregate rows in the `rollups` column family.
///
/// Key: a one-byte table tag, the half-hour UTC slot (big-endian `UInt32`,
/// half hours since the Unix epoch), then the table's dimensions. Value: the
/// metrics as little-endian `Int64`s, fixed per table (no protobuf: these rows
/// are read-modify-written on every order write and summed by the thousand
/// per report). Half-hour slots let a report form days in any zone whose
/// offset is a whole number of half hours.
enum RollupRow {
    /// Order-level sales: slot, currency (3 bytes), channel.
    static let salesByChannel: UInt8 = 0x01
    /// Line-level sales: slot, currency, channel, sku.
    static let salesBySKU: UInt8 = 0x02
    /// Order-level sales: slot, currency, channel, customer id.
    static let salesByCustomer: UInt8 = 0x03
    /// Line-level sales split over reserving warehouses: slot, currency, channel, warehouse.
    static let salesByWarehouse: UInt8 = 0x04
    /// Order-level sales per UTC day: day (big-endian `UInt32` days since the
    /// epoch in place of the slot), currency, channel. Reports add whole UTC
    /// days inside a period from here and only the period's ragged edges from
    /// the half-hour rows, so a UTC report reads O(days × channels) rows
    /// however many orders there are.
    static let salesByChannelDay: UInt8 = 0x05
    static let slotsPerDay: UInt32 = 48
    /// Fulfilment duration histogram: slot, channel, stage (u8), bucket (u8) → [count].
    static let fulfilmentDurations: UInt8 = 0x10
    /// Orders currently flagged: slot, channel, reason → [orders].
    static let fulfilmentExceptions: UInt8 = 0x11
    /// Orders placed (cancelled included): slot, channel → [orders].
    static let fulfilmentOrders: UInt8 = 0x12

    /// Order ratings: slot, channel, stars (u8) → [orders].
    static let ratings: UInt8 = 0x14
    /// Stock ledger movements: slot, warehouse, sku, kind (u8) → [moves, on-hand delta, reserved delta].
    static let stockMovements: UInt8 = 0x18

    /// Report rows use tags below this byte; the rest of the column family
    /// belongs to others (OrderReview's per-customer totals are ASCII-keyed).
    static let namespaceEnd: UInt8 = 0x20

    static let salesTables: [UInt8] = [
        salesByChannel, salesBySKU, salesByCustomer, salesByWarehouse, salesByChannelDay,
    ]
    static let slotMillis: Int64 = 30 * 60 * 1000

    static func slot(millis: Int64) -> UInt32 {
        UInt32(clamping: max(0, millis) / slotMillis)
    }

    static func prefix(_ table: UInt8, slot: UInt32) -> [UInt8] {
        var key: [UInt8] = [table]
        key.reserveCapacity(48)
        KeyCodec.append(slot, to: &key)
        return key
    }

    static func salesKey(
        _ table: UInt8, slot: UInt32, currency: String, channel: String, dimension: String?
    )
        -> [UInt8]
    {
        var key = prefix(table, slot: slot)
        KeyCodec.append(currency, to: &key)
        KeyCodec.append(channel, to: &key)
        if let dimension { KeyCodec.append(dimension, to: &key) }
        return key
    }

    /// The parts of a sales key.
    struct SalesKey {
        var table: UInt8
        var slot: UInt32
        var currency: String
        var channel: String
        var dimension: String
    }

    static func decodeSales(_ key: [UInt8]) throws -> SalesKey {
        var reader = KeyCodec.Reader(Array(key.dropFirst()))
        let slot = try reader.readUInt32()
        let currency = try reader.readString()
        let channel = try reader.readString()
        let dimension = reader.isAtEnd ? "" : try reader.readString()
        return SalesKey(table: key[0], slot: slot, currency: currency, channel: channel, dimension: dimension)
    }

    static func fulfilmentKey(_ table: UInt8, slot: UInt32, channel: String, tail: [UInt8]) -> [UInt8] {
        var key = prefix(table, slot: slot)
        KeyCodec.append(channel, to: &key)
        key.append(contentsOf: tail)
        return key
    }

    // MARK: Values

    static func encode(_ values: [Int64]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 8)
        for value in values {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    static func decode(_ bytes: [UInt8]) -> [Int64] {
        var values = [Int64](repeating: 0, count: bytes.count / 8)
        for index in values.indices {
            var value: UInt64 = 0
            for byte in 0..<8 { value |= UInt64(bytes[index * 8 + byte]) << (8 * UInt64(byte)) }
            values[index] = Int64(bitPattern: value)
        }
        return values
    }

    /// Element-wise sum; the shorter side counts as zeros.
    static func add(_ values: inout [Int64], _ other: [Int64], sign: Int64 = 1) {
        if values.count < other.count { values += [Int64](repeating: 0, count: other.count - values.count) }
        for index in other.indices { values[index] &+= sign &* other[index] }
    }
}
