/// An opaque handle to one column family of one open `Database`.
///
/// It is an index into the database's handle table plus the identity of that
/// database, so it is a plain value (cheap to copy, `Sendable`, `Hashable`) and
/// never exposes the C pointer. Obtain it once with `Database.columnFamily(_:)`
/// and keep it; using it with a different `Database` is a programmer error and
/// traps.
public struct ColumnFamily: Sendable, Hashable {
    /// Position in `Database.columnFamilyHandles`.
    let index: Int
    /// `Database.instanceID` of the database that issued this handle.
    let databaseID: UInt64
}
