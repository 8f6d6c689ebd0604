import KeyValueStorage

/// Reads through either a snapshot (reports) or the writer's transaction
/// (the commands that recompute the same report before they act on it:
/// reservation repair, purchase orders from suggestions), so both run the
/// same code over the state they act on.
struct StockReader {
    var get: (ColumnFamily, [UInt8]) throws -> [UInt8]?
    var scan: (ColumnFamily, [UInt8]) throws -> [(key: [UInt8], value: [UInt8])]

    init(_ snapshot: any ReadView) {
        get = { try snapshot.get($0, $1) }
        scan = { try snapshot.scan($0, prefix: $1, limit: Int.max) }
    }

    init(_ transaction: WriteTransaction) {
        get = { try transaction.get($0, $1) }
        scan = { try transaction.scan($0, prefix: $1, limit: Int.max) }
    }
}
