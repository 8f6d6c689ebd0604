import Logging
import Synchronization

/// The calls omsd reports as finished: its LoggingInterceptor logs one `call`
/// record (method, status) at debug level when a call ends, including when
/// the client reset the stream. That is how a test sees what the server saw.
final class CallLog: Sendable {
    struct Entry: Sendable, Equatable {
        var method: String
        var status: String
    }

    private let entries = Mutex<[Entry]>([])

    /// A debug-level logger that records `call` records here and drops everything else.
    func logger() -> Logger {
        var logger = Logger(label: "omsd-test", factory: { _ in Handler(log: self) })
        logger.logLevel = .debug
        return logger
    }

    func count(method: String, status: String) -> Int {
        entries.withLock { $0.filter { $0.method == method && $0.status == status }.count }
    }

    func statuses(method: String) -> [String] {
        entries.withLock { $0.filter { $0.method == method }.map(\.status) }
    }

    fileprivate func record(_ entry: Entry) {
        entries.withLock { $0.append(entry) }
    }

    private struct Handler: LogHandler {
        let log: CallLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            guard event.message.description == "call", let fields = event.metadata,
                case .string(let method)? = fields["method"], case .string(let status)? = fields["status"]
            else { return }
            log.record(Entry(method: method, status: status))
        }
    }
}
