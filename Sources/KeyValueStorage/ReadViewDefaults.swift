/// What an engine gets for free: each of these is correct on top of the
/// protocol's other requirements, and an engine overrides them where its
/// library does better (RocksDB: one `multi_get`, an iterator read in place).
extension ReadView {
    public func multiGet(_ family: ColumnFamily, _ keys: [[UInt8]]) throws(StorageError) -> [[UInt8]?] {
        var values: [[UInt8]?] = []
        values.reserveCapacity(keys.count)
        for key in keys { values.append(try get(family, key)) }
        return values
    }

    public func forEach(
        _ family: ColumnFamily, prefix: some StorageBytes,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let prefix = prefix.withUnsafeBytes { [UInt8]($0) }
        var after: [UInt8]?
        while true {
            let page = try scan(family, KeyRange(prefix: prefix, after: after, limit: 256))
            for entry in page {
                try entry.key.withUnsafeBytes { key in
                    try entry.value.withUnsafeBytes { value in try body(key, value) }
                }
            }
            guard page.count == 256 else { return }
            after = page.last?.key
        }
    }
}

extension KeyValueStore {
    public func withReader<R>(_ family: ColumnFamily, _ body: (any RangeReader) throws -> R) throws -> R {
        try body(ViewRangeReader(view: try readView(), family: family))
    }

    public func memoryUsage() throws(StorageError) -> StorageMemoryUsage { .none }
}

/// A `RangeReader` over a point-in-time view, for engines without a cheaper
/// single-cursor reader.
struct ViewRangeReader: RangeReader {
    let view: any ReadView
    let family: ColumnFamily

    func contains(_ key: some StorageBytes) throws(StorageError) -> Bool {
        try view.contains(family, key)
    }

    func forEach(
        prefix: some StorageBytes,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try view.forEach(family, prefix: prefix, body)
    }
}
