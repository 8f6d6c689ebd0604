internal import CRocksDB
import KeyValueStorage

/// Read options for one iterator, together with the bound keys they point to.
///
/// `rocksdb_readoptions_set_iterate_{lower,upper}_bound` store a `Slice` into
/// the caller's buffer without copying it, so the bytes must stay put for as
/// long as the iterator lives. This object owns private copies and is kept
/// alive by whoever owns the iterator; it is destroyed only after the iterator.
final class IteratorReadOptions {
    let pointer: OpaquePointer
    private let lowerBound: UnsafeMutableRawBufferPointer?
    private let upperBound: UnsafeMutableRawBufferPointer?

    init(snapshot: Snapshot?, lowerBound: [UInt8]?, upperBound: [UInt8]?) {
        pointer = rocksdb_readoptions_create()
        if let snapshot {
            rocksdb_readoptions_set_snapshot(pointer, snapshot.pointer)
        }
        self.lowerBound = lowerBound.map(Self.copy)
        self.upperBound = upperBound.map(Self.copy)
        if let lower = self.lowerBound {
            rocksdb_readoptions_set_iterate_lower_bound(pointer, UnsafeRawBufferPointer(lower).cChars, lower.count)
        }
        if let upper = self.upperBound {
            rocksdb_readoptions_set_iterate_upper_bound(pointer, UnsafeRawBufferPointer(upper).cChars, upper.count)
        }
    }

    deinit {
        rocksdb_readoptions_destroy(pointer)
        lowerBound?.deallocate()
        upperBound?.deallocate()
    }

    private static func copy(_ bytes: [UInt8]) -> UnsafeMutableRawBufferPointer {
        // At least one byte so the base address is never nil, even for an
        // empty bound.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
        buffer.copyBytes(from: bytes)
        return UnsafeMutableRawBufferPointer(rebasing: buffer[0..<bytes.count])
    }
}
