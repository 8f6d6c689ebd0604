/// Reads of one key-value store: point reads and range reads over its column
/// families, keys in unsigned byte order.
///
/// A view obtained from `KeyValueStore.readView()` is a point in time: every
/// read through it sees the same committed state, whatever is committed
/// meanwhile. The store itself is a view too, of the latest committed state:
/// each of its reads is consistent on its own, but two of them may see
/// different states.
public protocol ReadView {
    /// The value stored under `key`, copied out; nil when absent.
    func get(_ family: ColumnFamily, _ key: some StorageBytes) throws(StorageError) -> [UInt8]?

    /// Calls `body` with the value stored under `key` (nil when absent)
    /// without copying it: the buffer is valid only inside `body`. The hot
    /// path for reads that decode or forward the value straight away.
    func withValue<R>(
        _ family: ColumnFamily, _ key: some StorageBytes, _ body: (UnsafeRawBufferPointer?) throws -> R
    ) throws -> R

    /// Several keys of one column family, in the order of `keys`.
    func multiGet(_ family: ColumnFamily, _ keys: [[UInt8]]) throws(StorageError) -> [[UInt8]?]

    /// Up to `range.limit` entries of `range`, in key order (descending when
    /// `range.reverse`), copied out.
    func scan(_ family: ColumnFamily, _ range: KeyRange) throws(StorageError) -> [(key: [UInt8], value: [UInt8])]

    /// Calls `body(key, value)` for every entry whose key starts with
    /// `prefix`, in key order, without copying: the buffers are valid only
    /// during that call of `body`.
    func forEach(
        _ family: ColumnFamily, prefix: some StorageBytes,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Void
    ) throws
}

extension ReadView {
    /// Whether `key` exists.
    public func contains(_ family: ColumnFamily, _ key: some StorageBytes) throws(StorageError) -> Bool {
        do {
            return try withValue(family, key) { $0 != nil }
        } catch let error as StorageError {
            throw error
        } catch {
            // The body above cannot throw; an engine's own error is a storage error.
            throw StorageError(code: .unknown, message: "\(error)")
        }
    }

    /// Up to `limit` entries whose key starts with `prefix`, in key order (or
    /// reverse order). `after` is an exclusive resume key: pass the last key
    /// of the previous page to get the next one.
    public func scan(
        _ family: ColumnFamily, prefix: [UInt8], after: [UInt8]? = nil, limit: Int, reverse: Bool = false
    ) throws(StorageError) -> [(key: [UInt8], value: [UInt8])] {
        try scan(family, KeyRange(prefix: prefix, after: after, limit: limit, reverse: reverse))
    }

    /// Up to `limit` entries with `from <= key < to` (`to == nil`: no upper
    /// end), in key order (or reverse order). `after` is an exclusive resume key.
    public func scan(
        _ family: ColumnFamily, from lowerBound: [UInt8], to upperBound: [UInt8]?, after: [UInt8]? = nil,
        limit: Int, reverse: Bool = false
    ) throws(StorageError) -> [(key: [UInt8], value: [UInt8])] {
        try scan(
            family,
            KeyRange(lowerBound: lowerBound, upperBound: upperBound, after: after, limit: limit, reverse: reverse))
    }
}

/// Several reads of one column family at one point in time through one
/// cursor (`KeyValueStore.withReader`): cheaper than a `readView()` when a
/// read combines a few prefixes, such as a sku's stock levels and its
/// per-location rows. Valid only inside the `withReader` call that made it.
public protocol RangeReader {
    /// Whether `key` exists.
    func contains(_ key: some StorageBytes) throws(StorageError) -> Bool

    /// Calls `body(key, value)` for every entry whose key starts with
    /// `prefix`, in key order; the buffers are valid only during that call.
    func forEach(
        prefix: some StorageBytes,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Void
    ) throws
}
