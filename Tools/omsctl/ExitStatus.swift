/// The exit codes scripts can rely on (listed in `omsctl --help`).
enum ExitStatus {
    static let success: Int32 = 0
    static let otherError: Int32 = 1
    static let usage: Int32 = 2
    static let unavailable: Int32 = 3
    static let unauthenticated: Int32 = 4
    static let notFound: Int32 = 5
    static let rejected: Int32 = 6
    static let deadlineExceeded: Int32 = 7

    /// The text for the root command's `--help`.
    static let helpText = """
        EXIT CODES
          0  success (for `health`: the server is SERVING)
          1  any other error (for `health`: NOT_SERVING or UNKNOWN)
          2  usage error: a bad flag, argument, address or config value
          3  omsd cannot be reached (UNAVAILABLE)
          4  the token is missing or was rejected (UNAUTHENTICATED, PERMISSION_DENIED)
          5  not found (NOT_FOUND; for `health --service`: SERVICE_UNKNOWN)
          6  the request was refused: INVALID_ARGUMENT, FAILED_PRECONDITION,
             ALREADY_EXISTS or ABORTED (e.g. a version conflict)
          7  omsd did not answer within --timeout (DEADLINE_EXCEEDED)
        """
}
