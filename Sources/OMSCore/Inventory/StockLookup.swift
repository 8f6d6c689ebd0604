import KeyValueStorage
import OMSProto

/// GetStock's read path: the response is composed from the stored rows
/// without decoding or re-encoding them. Each stored `StockLevel` and
/// `LocationStock` is copied as it is into the repeated field (an embedded
/// message is exactly its encoding), only the integer fields the totals need
/// are read from it, and the response's own scalar fields are written here,
/// in field-number order like protobuf-c, so the bytes equal protobuf-c's
/// encoding of the same `GetStockResponse` (StockLookupTests compares them).
///
/// One `RangeReader` (one RocksDB iterator, hence one point in time) serves
/// the warehouse check, the levels and the location rows: the totals and the
/// rows always come from the same state, without the cost of a snapshot.
///
/// The reply is kept in `OMSStore.stockReplies` and served from there until a
/// write touches the sku's rows (or a warehouse).
extension Inventory {
    // Field numbers of oms.v1.GetStockResponse, StockLevel and LocationStock.
    private enum Field {
        static let sku = 1, warehouseCode = 2, onHand = 3, reserved = 4, available = 5, warehouses = 6
        static let incoming = 7, inTransit = 8, locations = 9
        static let levelOnHand = 3, levelReserved = 4, levelIncoming = 7, levelInTransit = 8
        static let locationOnHand = 4
    }

    /// The stock of a sku: totals over every warehouse (or the one named), one
    /// level per warehouse, and the locations with stock on hand.
    public func stock(_ request: Oms_V1_GetStockRequest) throws -> Oms_V1_GetStockResponse {
        var encoded: [UInt8] = []
        try encodeStock(request, appendingTo: &encoded)
        return try Oms_V1_GetStockResponse(serializedBytes: encoded)
    }

    /// Appends the encoding of the `GetStockResponse` for `request` to `out`.
    ///
    /// - Throws: `DomainError` (`INVALID_ARGUMENT`; `NOT_FOUND` for an unknown
    ///   warehouse), a storage error, or `ProtoDecodingError` for a damaged row.
    public func encodeStock(_ request: Oms_V1_GetStockRequest, appendingTo out: inout [UInt8]) throws {
        var validator = Validator()
        validator.checkSKU(request.sku, "sku")
        let warehouse = request.warehouseCode
        if !warehouse.isEmpty {
            validator.checkCode(warehouse, "warehouse_code")
        }
        try validator.throwIfInvalid()

        // `0x02 sku [warehouse]` selects the levels, `0x04 sku [warehouse]` the
        // location rows: the same components under another tag, so one buffer
        // serves both (levelKey is the exact key of the one level when filtered).
        var prefix = StockLedger.levelPrefix(sku: request.sku)
        let skuEnd = prefix.count
        if !warehouse.isEmpty { KeyCodec.append(warehouse, to: &prefix) }
        assert(
            prefix.dropFirst().elementsEqual(
                StockLedger.locationStockPrefix(sku: request.sku, warehouse: warehouse.isEmpty ? nil : warehouse)
                    .dropFirst()))

        // A reply kept from an earlier call is served while no write has
        // touched the sku's rows since (StockReplyCache).
        let cache = store.stockReplies
        let key = StockReplyCache.Key(prefix: prefix, skuEnd: skuEnd)
        let stamp = cache.stamp(key)
        if cache.append(key, composedUnder: stamp, to: &out) { return }
        let start = out.count
        try store.engine.withReader(store.families.stock) { reader in
            if !warehouse.isEmpty {
                guard try reader.contains(StockLedger.warehouseKey(warehouse)) else {
                    throw DomainError(.notFound, "warehouse \(warehouse) not found", reason: "WAREHOUSE_NOT_FOUND")
                }
            }
            ProtoWire.appendString(field: Field.sku, request.sku, to: &out)
            ProtoWire.appendString(field: Field.warehouseCode, warehouse, to: &out)

            var onHand: Int64 = 0
            var reserved: Int64 = 0
            var incoming: Int64 = 0
            var inTransit: Int64 = 0
            let levelsStart = out.count
            prefix[0] = StockLedger.levelTag
            try reader.forEach(prefix: prefix) { _, level in
                var row = (onHand: Int64(0), reserved: Int64(0), incoming: Int64(0), inTransit: Int64(0))
                try ProtoWire.forEachVarintField(in: level) { field, value in
                    let value = Int64(bitPattern: value)
                    switch field {
                    case Field.levelOnHand: row.onHand = value
                    case Field.levelReserved: row.reserved = value
                    case Field.levelIncoming: row.incoming = value
                    case Field.levelInTransit: row.inTransit = value
                    default: break
                    }
                }
                onHand += row.onHand
                reserved += row.reserved
                incoming += row.incoming
                inTransit += row.inTransit
                ProtoWire.appendLengthDelimited(field: Field.warehouses, level, to: &out)
            }
            // Fields 3–5 precede the levels on the wire but are known only after
            // them: append, then rotate them in front (three in-place reversals,
            // no scratch buffer).
            let levelsEnd = out.count
            ProtoWire.appendInt64(field: Field.onHand, onHand, to: &out)
            ProtoWire.appendInt64(field: Field.reserved, reserved, to: &out)
            ProtoWire.appendInt64(field: Field.available, onHand - reserved, to: &out)
            if levelsEnd != levelsStart && out.count != levelsEnd {
                out[levelsStart..<levelsEnd].reverse()
                out[levelsEnd...].reverse()
                out[levelsStart...].reverse()
            }
            ProtoWire.appendInt64(field: Field.incoming, incoming, to: &out)
            ProtoWire.appendInt64(field: Field.inTransit, inTransit, to: &out)

            prefix[0] = StockLedger.locationStockTag
            try reader.forEach(prefix: prefix) { _, location in
                var locationOnHand: Int64 = 0
                try ProtoWire.forEachVarintField(in: location) { field, value in
                    if field == Field.locationOnHand { locationOnHand = Int64(bitPattern: value) }
                }
                if locationOnHand != 0 {
                    ProtoWire.appendLengthDelimited(field: Field.locations, location, to: &out)
                }
            }
        }
        cache.store(key, composedUnder: stamp, reply: out[start...])
    }
}
