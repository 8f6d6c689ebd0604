internal import CRocksDB
import KeyValueStorage

extension StorageError {
    /// Classifies a RocksDB `Status::ToString()` text by its fixed prefix
    /// ("IO error: ...", "Corruption: ..."; see rocksdb/util/status.cc).
    init(rocksDBMessage text: String, file: String = #fileID, line: Int = #line) {
        let prefixes: [(String, Code)] = [
            ("IO error", .ioError),
            ("Corruption", .corruption),
            ("Resource busy", .busy),
            ("Invalid argument", .invalidArgument),
            ("Not found", .notFound),
            ("Not implemented", .notSupported),
            ("Operation aborted", .aborted),
            ("Operation timed out", .timedOut),
            ("Operation expired", .timedOut),
            ("Result incomplete", .incomplete),
            ("Shutdown in progress", .shutdownInProgress),
            ("Operation failed. Try again", .tryAgain),
        ]
        let code = prefixes.first { text.hasPrefix($0.0) }?.1 ?? .unknown
        self.init(code: code, message: text, file: file, line: line)
    }
}

/// Runs a RocksDB call that reports failure through `char **errptr`.
///
/// The pointer starts nil (RocksDB would otherwise `free` garbage); a set error is
/// copied into a Swift string and released with `rocksdb_free`, as rust-rocksdb's
/// `ffi_try!` does.
@inline(__always)
func withRocksDBError<R>(
    file: String = #fileID,
    line: Int = #line,
    _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> R
) throws(StorageError) -> R {
    var errorPointer: UnsafeMutablePointer<CChar>? = nil
    let result = body(&errorPointer)
    if let errorPointer {
        let text = String(cString: errorPointer)
        rocksdb_free(errorPointer)
        throw StorageError(rocksDBMessage: text, file: file, line: line)
    }
    return result
}
