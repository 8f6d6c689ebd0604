/// A failure of omsctl itself (bad config, unreadable token file), reported
/// as `error: <message>` with exit code 1, or 2 for usage mistakes.
struct CLIError: Error, CustomStringConvertible {
    var message: String
    var exitCode: Int32

    init(_ message: String, exitCode: Int32 = ExitStatus.otherError) {
        self.message = message
        self.exitCode = exitCode
    }

    var description: String { message }
}
