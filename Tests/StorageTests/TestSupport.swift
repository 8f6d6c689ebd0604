import Foundation
import Storage
import Testing

/// Runs `body` with a fresh directory under the system temp dir and removes it
/// afterwards, whatever happens.
func withTemporaryDirectory<R>(
    _ name: String = #function,
    _ body: (String) async throws -> R
) async rethrows -> R {
    let safeName = name.filter { $0.isLetter || $0.isNumber }
    let base =
        NSTemporaryDirectory().hasSuffix("/") ? String(NSTemporaryDirectory().dropLast()) : NSTemporaryDirectory()
    var template = Array("\(base)/storage-\(safeName)-XXXXXX".utf8CString)
    let path = template.withUnsafeMutableBufferPointer { buffer -> String in
        guard let created = mkdtemp(buffer.baseAddress!) else { fatalError("mkdtemp failed: \(errno)") }
        return String(cString: created)
    }
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// The column families most tests use.
let testFamilies = ["orders", "events", "order_index"]

func bytes(_ string: String) -> [UInt8] {
    Array(string.utf8)
}

func string(_ bytes: [UInt8]?) -> String? {
    bytes.map { String(decoding: $0, as: UTF8.self) }
}

/// The `StorageError` thrown by `body`, or nil if it did not throw. Any other
/// error is recorded as a test failure.
func storageError<R>(_ body: () throws -> R, sourceLocation: SourceLocation = #_sourceLocation) -> StorageError? {
    do {
        _ = try body()
        return nil
    } catch let error as StorageError {
        return error
    } catch {
        Issue.record("expected a StorageError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
