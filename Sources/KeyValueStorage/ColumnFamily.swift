/// An opaque handle to one column family of one open store.
///
/// It is the family's position in the store's list plus the identity of that
/// store, so it is a plain value (cheap to copy, `Sendable`, `Hashable`) and
/// never exposes an engine's native handle. Obtain it once with
/// `KeyValueStore.columnFamily(_:)` and keep it; using it with another store is
/// a programmer error and traps.
public struct ColumnFamily: Sendable, Hashable {
    /// Position in the store's `columnFamilyNames`.
    package let index: Int
    /// `KeyValueStore.storeID` of the store that issued this handle.
    package let storeID: UInt64

    package init(index: Int, storeID: UInt64) {
        self.index = index
        self.storeID = storeID
    }
}
