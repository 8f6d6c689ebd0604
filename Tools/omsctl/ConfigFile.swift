import Foundation

/// `~/.config/omsctl/config`: defaults for the connection options, one
/// `key = value` per line; `#` starts a comment. Keys: `address`, `token`,
/// `token_file`, `tls` (`true` to connect with TLS) and `ca_file` (relative
/// paths are relative to the config file's folder, `~/` is the home folder).
///
/// ```
/// address = 127.0.0.1:50051
/// token_file = ~/oms/var/data/admin.token
/// ```
struct ConfigFile {
    static let knownKeys = ["address", "token", "token_file", "tls", "ca_file"]

    var path: String
    var values: [String: String] = [:]
    var warnings: [String] = []

    /// `$OMSCTL_CONFIG`, else `$XDG_CONFIG_HOME/omsctl/config`, else `~/.config/omsctl/config`.
    static func defaultPath(environment: [String: String]) -> String {
        if let explicit = environment["OMSCTL_CONFIG"], !explicit.isEmpty { return explicit }
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/omsctl/config" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.config/omsctl/config"
    }

    /// The file at `path`, or `nil` when there is none.
    static func load(path: String) throws -> ConfigFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CLIError("cannot read the config file \(path): \(error.localizedDescription)")
        }
        var config = ConfigFile(path: path)
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { continue }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw CLIError(
                    "\(path) line \(index + 1): expected 'key = value', found '\(trimmed)'", exitCode: ExitStatus.usage)
            }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
                .replacingOccurrences(of: "-", with: "_")
            var value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            guard knownKeys.contains(key) else {
                let known = knownKeys.joined(separator: ", ")
                config.warnings.append("\(path) line \(index + 1): unknown key '\(key)' ignored (known: \(known))")
                continue
            }
            config.values[key] = value
        }
        return config
    }

    /// A path from the file with `~` expanded and relative paths anchored at the file's folder.
    func resolvePath(_ value: String) -> String {
        if value.hasPrefix("~/") { return NSHomeDirectory() + value.dropFirst() }
        if value.hasPrefix("/") { return value }
        let folder = (path as NSString).deletingLastPathComponent
        return folder.isEmpty ? value : folder + "/" + value
    }
}
