import Logging
import Nghttp2
import Synchronization

/// What every connection of a server shares: routes, interceptors, limits, logger.
final class ServerShared: Sendable {
    let router: Router
    let interceptors: [any ServerInterceptor]
    let config: GRPCServer.Config
    let logger: Logger
    /// Calls and connections whose state is still allocated (for leak tests).
    let liveStreams = Atomic<Int>(0)
    let liveConnections = Atomic<Int>(0)

    init(router: Router, interceptors: [any ServerInterceptor], config: GRPCServer.Config, logger: Logger) {
        self.router = router
        self.interceptors = interceptors
        self.config = config
        self.logger = logger
    }

    /// The status a handler's error becomes. Errors that are not `RPCError`
    /// are bugs or infrastructure failures: logged, and sent as INTERNAL
    /// without their text (which may hold internals). An `RPCError` with a
    /// `cause` is sent as it is (the cause stays here) and its cause logged.
    func status(for error: any Error, path: String?) -> RPCError {
        if let error = error as? RPCError {
            if let cause = error.cause {
                logger.error(
                    "call failed",
                    metadata: [
                        "path": "\(path ?? "?")", "status": "\(error.code)", "cause": "\(String(reflecting: cause))",
                    ])
            }
            return error
        }
        if error is CancellationError { return RPCError(.cancelled, "call cancelled") }
        logger.error(
            "handler failed", metadata: ["path": "\(path ?? "?")", "error": "\(String(reflecting: error))"])
        return RPCError(.internalError, "internal error")
    }
}
