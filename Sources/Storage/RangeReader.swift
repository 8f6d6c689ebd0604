internal import CRocksDB

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
/// Only exists inside `Database.withReader` (it is `~Copyable` and passed
/// borrowed, so it cannot escape), which holds the database's shared
/// lifecycle lock: `close()` cannot free the iterator meanwhile.
public struct RangeReader: ~Copyable {
    /// `rocksdb_iterator_t*`, owned and destroyed by `Database.withReader`.
    private let iterator: OpaquePointer

    fileprivate init(iterator: OpaquePointer) {
        self.iterator = iterator
    }

    /// Whether `key` exists.
    public func contains(_ key: some StorageBytes) throws(StorageError) -> Bool {
        let found = key.withUnsafeBytes { wanted in
            rocksdb_iter_seek(iterator, wanted.cChars, wanted.count)
            guard rocksdb_iter_valid(iterator) != 0 else { return false }
            let current = currentKey
            return current.count == wanted.count && Self.hasPrefix(current, wanted)
        }
        if !found { try checkStatus() }
        return found
    }

    /// Calls `body(key, value)` for every entry whose key starts with
    /// `prefix`, in key order. The buffers point into RocksDB's memory and are
    /// valid only during that call of `body`.
    public func forEach(
        prefix: some StorageBytes,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try prefix.withUnsafeBytes { prefix in
            rocksdb_iter_seek(iterator, prefix.cChars, prefix.count)
            while rocksdb_iter_valid(iterator) != 0 {
                let key = currentKey
                guard Self.hasPrefix(key, prefix) else { break }
                var valueLength = 0
                let value = rocksdb_iter_value(iterator, &valueLength)
                try body(key, UnsafeRawBufferPointer(start: value, count: valueLength))
                rocksdb_iter_next(iterator)
            }
        }
        // Invalid because of an error rather than the end of the data.
        try checkStatus()
    }

    private var currentKey: UnsafeRawBufferPointer {
        var length = 0
        let bytes = rocksdb_iter_key(iterator, &length)
        return UnsafeRawBufferPointer(start: bytes, count: length)
    }

    private func checkStatus() throws(StorageError) {
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
        snapshot: Snapshot? = nil,
        _ body: (borrowing RangeReader) throws -> R
    ) throws -> R {
        let result: Result<R, any Error> = try withOpenHandle { db throws(StorageError) in
            let iterator = rocksdb_create_iterator_cf(db, readOptions(for: snapshot), columnFamilyHandle(columnFamily))!
            defer { rocksdb_iter_destroy(iterator) }
            let reader = RangeReader(iterator: iterator)
            do {
                return .success(try body(reader))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
