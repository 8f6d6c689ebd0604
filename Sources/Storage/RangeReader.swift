internal import CRocksDB
public import KeyValueStorage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads one column family at one point in time through a single RocksDB
/// iterator, handing keys and values to the caller in place (no copies, no
/// arrays): the hot path for reads that combine several prefixes, such as a
/// sku's stock levels and its per-location rows.
///
/// Consistency without a snapshot: an iterator created without one reads an
/// implicit snapshot taken when it is created (RocksDB's documented contract,
/// kept by pinning the memtables and SST files of that moment), and every
/// seek below reuses that iterator, so all lookups of one `withReader` call
/// see the same state.
///
/// Valid only inside `Database.withReader`, which holds the database's shared
/// lifecycle lock (`close()` cannot free the iterator meanwhile) and
/// invalidates the reader when its body returns: a reader kept past that
/// throws `.closed` instead of touching a freed iterator.
final class IteratorRangeReader: RangeReader {
    /// `rocksdb_iterator_t*`, owned and destroyed by `Database.withReader`;
    /// nil once that call returned.
    private var pointer: OpaquePointer?

    fileprivate init(iterator: OpaquePointer) {
        self.pointer = iterator
    }

    fileprivate func invalidate() {
        pointer = nil
    }

    private var iterator: OpaquePointer {
        get throws(StorageError) {
            guard let pointer else { throw StorageError.closed("range reader (used after its withReader call)") }
            return pointer
        }
    }

    /// Whether `key` exists.
    func contains(_ key: some StorageBytes) throws(StorageError) -> Bool {
        let iterator = try self.iterator
        let found = key.withUnsafeBytes { wanted in
            rocksdb_iter_seek(iterator, wanted.cChars, wanted.count)
            guard rocksdb_iter_valid(iterator) != 0 else { return false }
            let current = Self.currentKey(iterator)
            return current.count == wanted.count && Self.hasPrefix(current, wanted)
        }
        if !found { try Self.checkStatus(iterator) }
        return found
    }

    /// Calls `body(key, value)` for every entry whose key starts with
    /// `prefix`, in key order. The buffers point into RocksDB's memory and are
    /// valid only during that call of `body`.
    func forEach(
        prefix: some StorageBytes,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let iterator = try self.iterator
        try prefix.withUnsafeBytes { prefix in
            rocksdb_iter_seek(iterator, prefix.cChars, prefix.count)
            while rocksdb_iter_valid(iterator) != 0 {
                let key = Self.currentKey(iterator)
                guard Self.hasPrefix(key, prefix) else { break }
                var valueLength = 0
                let value = rocksdb_iter_value(iterator, &valueLength)
                try body(key, UnsafeRawBufferPointer(start: value, count: valueLength))
                rocksdb_iter_next(iterator)
            }
        }
        // Invalid because of an error rather than the end of the data.
        try Self.checkStatus(iterator)
    }

    private static func currentKey(_ iterator: OpaquePointer) -> UnsafeRawBufferPointer {
        var length = 0
        let bytes = rocksdb_iter_key(iterator, &length)
        return UnsafeRawBufferPointer(start: bytes, count: length)
    }

    private static func checkStatus(_ iterator: OpaquePointer) throws(StorageError) {
        try withRocksDBError { error in rocksdb_iter_get_error(iterator, error) }
    }

    private static func hasPrefix(_ key: UnsafeRawBufferPointer, _ prefix: UnsafeRawBufferPointer) -> Bool {
        guard key.count >= prefix.count else { return false }
        guard prefix.count > 0 else { return true }
        return memcmp(key.baseAddress!, prefix.baseAddress!, prefix.count) == 0
    }
}

extension Database {
    /// Runs `body` with a `RangeReader` over `columnFamily`: one iterator, one
    /// point in time (that of `snapshot` when given, else the moment of this
    /// call), freed when `body` returns.
    public func withReader<R>(
        _ columnFamily: ColumnFamily,
        snapshot: Snapshot?,
        _ body: (any RangeReader) throws -> R
    ) throws -> R {
        let result: Result<R, any Error> = try withOpenHandle { db throws(StorageError) in
            let iterator = rocksdb_create_iterator_cf(db, readOptions(for: snapshot), columnFamilyHandle(columnFamily))!
            let reader = IteratorRangeReader(iterator: iterator)
            defer {
                reader.invalidate()
                rocksdb_iter_destroy(iterator)
            }
            do {
                return .success(try body(reader))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
