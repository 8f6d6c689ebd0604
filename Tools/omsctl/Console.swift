import Foundation

/// Standard output for results, standard error for everything else, so
/// `omsctl ... -o json | jq` never sees a warning.
enum Console {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    static func warn(_ text: String) {
        error("warning: \(text)")
    }

    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The width tables are laid out for.
    static var width: Int { TerminalWidth.available(environment: environment) }
}
