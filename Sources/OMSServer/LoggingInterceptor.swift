import Logging
import RPC

/// Logs every finished call at debug level, and failures that are the
/// server's fault (INTERNAL, UNKNOWN, DATA_LOSS) at error level.
struct LoggingInterceptor: ServerInterceptor {
    let logger: Logger

    func callEnded(_ head: ServerCallHead, status: RPCError.Code, nanoseconds: UInt64) {
        let serverFault = status == .internalError || status == .unknown || status == .dataLoss
        let level: Logger.Level = serverFault ? .error : .debug
        guard logger.logLevel <= level else { return }
        logger.log(
            level: level, "call",
            metadata: [
                "method": "\(head.path)", "status": "\(status.name)", "micros": "\(nanoseconds / 1000)",
                "peer": "\(head.peer)", "principal": "\(head.principal ?? "-")",
            ])
    }
}
