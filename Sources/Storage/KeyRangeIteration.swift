internal import CRocksDB
import KeyValueStorage

/// Reading a `KeyRange` from a RocksDB iterator (`Database.scan`).
extension KeyRange {
    /// Reads the range from `iterator` (`rocksdb_iterator_t*`, unpositioned).
    /// The caller owns the iterator and holds the database's shared lock.
    func collect(from iterator: OpaquePointer) throws(StorageError) -> [(key: [UInt8], value: [UInt8])] {
        var entries: [(key: [UInt8], value: [UInt8])] = []
        if isEmpty { return entries }
        if reverse {
            if let end {
                end.withUnsafeBytes { rocksdb_iter_seek_for_prev(iterator, $0.cChars, $0.count) }
                // seek_for_prev lands on the last key <= end; end is exclusive.
                while rocksdb_iter_valid(iterator) != 0, KeyCodec.compare(Self.key(iterator), end) >= 0 {
                    rocksdb_iter_prev(iterator)
                }
            } else {
                rocksdb_iter_seek_to_last(iterator)
            }
            while entries.count < limit, rocksdb_iter_valid(iterator) != 0 {
                let key = Self.key(iterator)
                if KeyCodec.compare(key, start) < 0 { break }
                entries.append((key, Self.value(iterator)))
                rocksdb_iter_prev(iterator)
            }
        } else {
            start.withUnsafeBytes { rocksdb_iter_seek(iterator, $0.cChars, $0.count) }
            while entries.count < limit, rocksdb_iter_valid(iterator) != 0 {
                let key = Self.key(iterator)
                if let end, KeyCodec.compare(key, end) >= 0 { break }
                entries.append((key, Self.value(iterator)))
                rocksdb_iter_next(iterator)
            }
        }
        try withRocksDBError { error in rocksdb_iter_get_error(iterator, error) }
        return entries
    }

    private static func key(_ iterator: OpaquePointer) -> [UInt8] {
        var length = 0
        let bytes = rocksdb_iter_key(iterator, &length)
        return [UInt8](UnsafeRawBufferPointer(start: bytes, count: length))
    }

    private static func value(_ iterator: OpaquePointer) -> [UInt8] {
        var length = 0
        let bytes = rocksdb_iter_value(iterator, &length)
        return [UInt8](UnsafeRawBufferPointer(start: bytes, count: length))
    }
}
