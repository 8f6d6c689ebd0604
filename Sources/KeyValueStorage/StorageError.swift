/// An error from a storage engine.
///
/// Errors that the engine's library reports keep the library's own text (for
/// RocksDB the `Status::ToString()` copied out of `errptr`), so operators see
/// exactly what it said; the `code` classifies it so callers can react without
/// parsing strings.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. A struct with static members rather than an
    /// enum so new codes can be added without breaking `switch`es elsewhere.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case ioError, corruption, busy, locked, invalidArgument, notFound
            case notSupported, closed, aborted, timedOut, incomplete
            case shutdownInProgress, tryAgain, conflict, unknown
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The file system or device failed (includes "no space left").
        public static let ioError = Code(.ioError)
        /// Data on disk is damaged (bad checksum, unreadable CURRENT/MANIFEST, ...).
        public static let corruption = Code(.corruption)
        /// RocksDB reported "Resource busy" (a transient conflict).
        public static let busy = Code(.busy)
        /// The database directory is locked by another process or another open
        /// `Database` in this process.
        public static let locked = Code(.locked)
        /// A bad argument or option (also: a malformed encoded key).
        public static let invalidArgument = Code(.invalidArgument)
        /// Something that must exist does not (e.g. database missing and
        /// `createIfMissing` is false).
        public static let notFound = Code(.notFound)
        /// The operation or option is not supported by this RocksDB build.
        public static let notSupported = Code(.notSupported)
        /// The database or write coordinator has been closed / shut down.
        public static let closed = Code(.closed)
        /// The operation was aborted.
        public static let aborted = Code(.aborted)
        /// The operation timed out or its deadline expired.
        public static let timedOut = Code(.timedOut)
        /// The result is incomplete (e.g. a read that would need I/O was refused).
        public static let incomplete = Code(.incomplete)
        /// RocksDB is shutting down.
        public static let shutdownInProgress = Code(.shutdownInProgress)
        /// RocksDB asked the caller to try again.
        public static let tryAgain = Code(.tryAgain)
        /// The write group's transaction conflicted with another writer's
        /// (a serializable engine shared by several processes). Retryable: the
        /// single writer runs the whole group again on fresh state; it never
        /// reaches a command.
        public static let conflict = Code(.conflict)
        /// A failure that fits no other code.
        public static let unknown = Code(.unknown)

        /// Whether the single writer runs a group that failed with this code
        /// again (only conflicts: anything else is reported to the commands).
        public var isRetryable: Bool {
            self == .conflict
        }

        public var description: String {
            switch wrapped {
            case .ioError: "ioError"
            case .corruption: "corruption"
            case .busy: "busy"
            case .locked: "locked"
            case .invalidArgument: "invalidArgument"
            case .notFound: "notFound"
            case .notSupported: "notSupported"
            case .closed: "closed"
            case .aborted: "aborted"
            case .timedOut: "timedOut"
            case .incomplete: "incomplete"
            case .shutdownInProgress: "shutdownInProgress"
            case .tryAgain: "tryAgain"
            case .conflict: "conflict"
            case .unknown: "unknown"
            }
        }
    }

    public var code: Code
    public var message: String
    /// Where in our code the error was raised (not where RocksDB failed).
    public var file: String
    public var line: Int

    public init(code: Code, message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String {
        "\(code): \(message)"
    }

    package static func closed(_ what: String = "database", file: String = #fileID, line: Int = #line) -> StorageError {
        StorageError(code: .closed, message: "\(what) is closed", file: file, line: line)
    }
}
