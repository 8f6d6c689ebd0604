import KeyValueStorage

/// Counters kept in `meta` and advanced inside the writer's transaction, so
/// a rolled-back command gives its number back.
enum MetaCounter {
    static func next(_ name: String, transaction: inout WriteTransaction, families: ColumnFamilies) throws -> UInt64 {
        let key = Array(name.utf8)
        var current: UInt64 = 0
        if let bytes = try transaction.get(families.meta, key) {
            var reader = KeyCodec.Reader(bytes)
            current = try reader.readUInt64()
        }
        transaction.put(families.meta, key, KeyCodec.encode(current + 1))
        return current + 1
    }
}
