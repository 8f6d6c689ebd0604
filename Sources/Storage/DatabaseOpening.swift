internal import CRocksDB
import KeyValueStorage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

// Opening a database: listing and creating column families, and turning
// RocksDB's open failures into precise errors.

/// What `Database.open` hands back to `init`.
struct OpenedDatabase {
    var handle: OpaquePointer
    var columnFamilyHandles: [OpaquePointer]
    var names: [String]
    var native: NativeOptions
}

extension Database {
    static func open(
        path: String,
        columnFamilies: [String],
        config: Config,
        compression: Config.Compression
    ) throws(StorageError) -> OpenedDatabase {
        let native = NativeOptions(config: config, compression: compression)

        // RocksDB insists that every existing column family is opened, so list
        // them first; a directory without CURRENT is a new database.
        var names = try existingColumnFamilies(path: path, options: native.options) ?? ["default"]
        for name in columnFamilies where !names.contains(name) {
            names.append(name)
        }

        let count = names.count
        let cNames: [UnsafeMutablePointer<CChar>?] = names.map { strdup($0) }
        defer { for name in cNames { free(name) } }
        let perFamilyOptions = [OpaquePointer?](repeating: native.options, count: count)
        var handles = [OpaquePointer?](repeating: nil, count: count)

        let db: OpaquePointer?
        do {
            db = try withRocksDBError { error in
                cNames.withUnsafeBufferPointer { namesBuffer in
                    namesBuffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { constNames in
                        rocksdb_open_column_families(
                            native.options, path, Int32(count), constNames.baseAddress,
                            perFamilyOptions, &handles, error)
                    }
                }
            }
        } catch {
            throw classifyOpenError(error, path: path)
        }
        guard let db else {
            throw StorageError(code: .unknown, message: "rocksdb_open_column_families returned NULL for \(path)")
        }
        return OpenedDatabase(handle: db, columnFamilyHandles: handles.map { $0! }, names: names, native: native)
    }

    /// The column families recorded in the database at `path`, or nil when
    /// there is no database there yet.
    private static func existingColumnFamilies(path: String, options: OpaquePointer) throws(StorageError) -> [String]? {
        guard access(path + "/CURRENT", F_OK) == 0 else { return nil }
        var count = 0
        var list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        // RocksDB returns an allocated (empty) array even when it fails, so it
        // is freed on every path.
        defer {
            if let list { rocksdb_list_column_families_destroy(list, count) }
        }
        do {
            try withRocksDBError { error in list = rocksdb_list_column_families(options, path, &count, error) }
        } catch {
            throw classifyOpenError(error, path: path)
        }
        guard let list else { return nil }
        return (0..<count).map { String(cString: list[$0]!) }
    }

    /// Turns RocksDB's lock failure into a `.locked` error that says what is
    /// wrong, and prefixes other errors with the path.
    ///
    /// RocksDB reports a held lock as an IO error on `<path>/LOCK`: "While lock
    /// file: …: Resource temporarily unavailable" (another process) or "lock
    /// hold by current process" (another open `Database` here).
    private static func classifyOpenError(_ error: StorageError, path: String) -> StorageError {
        let text = error.message
        if error.code == .ioError, text.contains("LOCK"),
            text.contains("lock hold by current process") || text.contains("While lock file")
                || text.contains("Resource temporarily unavailable")
        {
            return StorageError(
                code: .locked,
                message: "database at \(path) is in use by another process (RocksDB: \(text))",
                file: error.file, line: error.line)
        }
        var classified = error
        classified.message = "cannot open database at \(path): \(text)"
        return classified
    }
}
