/// The storage protocols this engine implements (`KeyValueStore`, `ReadView`,
/// `WriteGroup`), the single writer and the key codec: users of the RocksDB
/// engine get them with `import Storage`.
@_exported import KeyValueStorage
