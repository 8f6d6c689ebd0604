/// A contiguous run of bytes that Storage can hand to RocksDB in place, without
/// copying: keys and values.
///
/// `[UInt8]`, `ArraySlice<UInt8>`, `ContiguousArray<UInt8>` and
/// `UnsafeRawBufferPointer` conform. A module that uses Foundation can add
/// `extension Data: StorageBytes {}` (the requirement matches `ContiguousBytes`).
public protocol StorageBytes {
    /// Calls `body` with the bytes; the pointer is valid only inside `body`.
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension Array: StorageBytes where Element == UInt8 {}
extension ArraySlice: StorageBytes where Element == UInt8 {}
extension ContiguousArray: StorageBytes where Element == UInt8 {}

extension UnsafeRawBufferPointer: StorageBytes {
    @inlinable
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(self)
    }
}

extension UnsafeRawBufferPointer {
    /// The base address as a C `const char *`, never nil: RocksDB reads `len`
    /// bytes from it and an empty slice may legally have a nil base, which some
    /// C entry points dereference anyway.
    var cChars: UnsafePointer<CChar> {
        guard let base = baseAddress else { return emptyCString }
        return base.assumingMemoryBound(to: CChar.self)
    }
}

/// A static, never-freed one-byte buffer used for empty keys/values.
nonisolated(unsafe) let emptyCString: UnsafePointer<CChar> = {
    let p = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
    p.initialize(to: 0)
    return UnsafePointer(p)
}()
