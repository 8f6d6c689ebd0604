// Whole-file reads and writes over libc, so the generator needs no Foundation
// and builds in seconds with a bare `swiftc`.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

struct FileSystemError: Error, CustomStringConvertible {
    var description: String
}

enum FileSystem {
    static func read(_ path: String) throws(FileSystemError) -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            throw FileSystemError(description: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            bytes += chunk[0..<count]
            if count < chunk.count { break }
        }
        guard ferror(file) == 0 else { throw FileSystemError(description: "cannot read \(path)") }
        return bytes
    }

    static func write(_ text: String, to path: String) throws(FileSystemError) {
        try createDirectories(parentOf: path)
        guard let file = fopen(path, "wb") else {
            throw FileSystemError(description: "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard fclose(file) == 0, written == bytes.count else {
            throw FileSystemError(description: "cannot write \(path)")
        }
    }

    /// `mkdir -p` of the directory containing `path`.
    private static func createDirectories(parentOf path: String) throws(FileSystemError) {
        let components = path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
        var current = path.hasPrefix("/") ? "" : "."
        for component in components where !component.isEmpty {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw FileSystemError(description: "cannot create \(current): \(String(cString: strerror(errno)))")
            }
        }
    }
}
