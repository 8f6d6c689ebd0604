import KeyValueStorage

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
