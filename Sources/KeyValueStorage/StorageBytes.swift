/// A contiguous run of bytes that a storage engine can read in place, without
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
