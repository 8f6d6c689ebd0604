import Logging
import OMSCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The data directory's files besides the database: the admin token.
enum DataDirectory {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Creates the directory (and parents) with mode 0700 if missing.
    static func prepare(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o700) != 0 && errno != EEXIST {
                throw Failure(
                    description: "cannot create data directory \(current): \(String(cString: strerror(errno)))")
            }
        }
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw Failure(description: "data directory \(path) is not a directory")
        }
    }

    /// Returns the admin token file's path. On first start (or if the file
    /// was removed) mints a new admin key ("admin", or "admin-2", ... when
    /// that name is taken) and writes its token there with mode 0600.
    static func ensureAdminToken(in directory: String, keys: ApiKeys, logger: Logger) async throws -> String {
        let path = directory + "/admin.token"
        if access(path, F_OK) == 0 { return path }
        // A lost token file is replaced by a new key; the old one stays
        // valid (and listed) until an admin revokes it.
        let taken = Set(try keys.list().map(\.name))
        var name = "admin"
        var suffix = 1
        while taken.contains(name) {
            suffix += 1
            name = "admin-\(suffix)"
        }
        let token = try await keys.create(name: name, role: .admin, createdBy: "omsd").token
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let line = Array((token + "\n").utf8)
        guard write(fd, line, line.count) == line.count, fsync(fd) == 0 else {
            throw Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        logger.notice("created admin API token", metadata: ["path": "\(path)"])
        return path
    }
}
