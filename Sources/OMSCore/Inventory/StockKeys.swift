import KeyValueStorage

/// Where the inventory records live: every kind under its own tag in
/// `stock`, the ledger rows in `stock_moves` (KeyCodec strings).
///
/// Keys in `stock` (KeyCodec strings):
///   `0x01 code` → Warehouse, `0x02 sku warehouse` → StockLevel,
///   `0x03 warehouse location` → Location,
///   `0x04 sku warehouse location` → LocationStock,
///   `0x05 warehouse location sku` → LocationStock (same value; by-place index),
///   `0x06 sku` → SkuCost, `0x07 id` → PurchaseOrder, `0x08 id` → Transfer,
///   `0x09 id` → Scrap, `0x0A id` → Stocktake,
///   `0x0B warehouse sku` → ReorderPolicy.
/// Keys in `stock_moves`: `sku warehouse seq(u64)` → StockMove, and the time
/// index `0xFF at_millis(i64) seq(u64)` → the same StockMove (skus never
/// contain 0xFF, so the index sorts after every primary key).
extension StockLedger {
    static let warehouseTag: UInt8 = 0x01
    static let levelTag: UInt8 = 0x02
    static let locationTag: UInt8 = 0x03
    static let locationStockTag: UInt8 = 0x04
    static let placeIndexTag: UInt8 = 0x05
    static let skuCostTag: UInt8 = 0x06
    static let purchaseOrderTag: UInt8 = 0x07
    static let transferTag: UInt8 = 0x08
    static let scrapTag: UInt8 = 0x09
    static let stocktakeTag: UInt8 = 0x0A
    static let reorderPolicyTag: UInt8 = 0x0B
    static let timeIndexTag: UInt8 = 0xFF

    static func warehouseKey(_ code: String) -> [UInt8] {
        [warehouseTag] + Array(code.utf8)
    }

    static var warehousePrefix: [UInt8] { [warehouseTag] }

    static func levelKey(sku: String, warehouse: String) -> [UInt8] {
        var key = levelPrefix(sku: sku)
        KeyCodec.append(warehouse, to: &key)
        return key
    }

    static func levelPrefix(sku: String) -> [UInt8] {
        var key: [UInt8] = [levelTag]
        KeyCodec.append(sku, to: &key)
        return key
    }

    static func locationKey(warehouse: String, code: String) -> [UInt8] {
        var key = locationPrefix(warehouse: warehouse)
        KeyCodec.append(code, to: &key)
        return key
    }

    static func locationPrefix(warehouse: String) -> [UInt8] {
        var key: [UInt8] = [locationTag]
        KeyCodec.append(warehouse, to: &key)
        return key
    }

    /// `0x04 sku [warehouse [location]]`.
    static func locationStockPrefix(sku: String, warehouse: String? = nil, location: String? = nil) -> [UInt8] {
        var key: [UInt8] = [locationStockTag]
        KeyCodec.append(sku, to: &key)
        if let warehouse { KeyCodec.append(warehouse, to: &key) }
        if let location { KeyCodec.append(location, to: &key) }
        return key
    }

    /// `0x05 warehouse [location [sku]]`.
    static func placePrefix(warehouse: String, location: String? = nil, sku: String? = nil) -> [UInt8] {
        var key: [UInt8] = [placeIndexTag]
        KeyCodec.append(warehouse, to: &key)
        if let location { KeyCodec.append(location, to: &key) }
        if let sku { KeyCodec.append(sku, to: &key) }
        return key
    }

    static func skuCostKey(_ sku: String) -> [UInt8] {
        var key: [UInt8] = [skuCostTag]
        KeyCodec.append(sku, to: &key)
        return key
    }

    static func purchaseOrderKey(_ id: String) -> [UInt8] {
        [purchaseOrderTag] + Array(id.utf8)
    }

    static func transferKey(_ id: String) -> [UInt8] {
        [transferTag] + Array(id.utf8)
    }

    static func scrapKey(_ id: String) -> [UInt8] {
        [scrapTag] + Array(id.utf8)
    }

    static func reorderPolicyKey(warehouse: String, sku: String?) -> [UInt8] {
        var key: [UInt8] = [reorderPolicyTag]
        KeyCodec.append(warehouse, to: &key)
        if let sku { KeyCodec.append(sku, to: &key) }
        return key
    }

    static func stocktakeKey(_ id: String) -> [UInt8] {
        [stocktakeTag] + Array(id.utf8)
    }

    static func movePrefix(sku: String, warehouse: String?) -> [UInt8] {
        var key: [UInt8] = []
        KeyCodec.append(sku, to: &key)
        if let warehouse { KeyCodec.append(warehouse, to: &key) }
        return key
    }

    static func timeIndexKey(atMillis: Int64, sequence: UInt64) -> [UInt8] {
        var key: [UInt8] = [timeIndexTag]
        KeyCodec.append(atMillis, to: &key)
        KeyCodec.append(sequence, to: &key)
        return key
    }
}
