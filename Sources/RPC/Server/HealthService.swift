public import OMSProto
import Synchronization

/// `grpc.health.v1.Health`: per-service serving status, Check and Watch.
///
/// The empty service name stands for the whole server. Watchers get the
/// current status at once and every change after it.
public final class HealthService: Sendable {
    public typealias Status = Grpc_Health_V1_HealthCheckResponse.ServingStatus

    private struct State {
        var statuses: [String: Status] = [:]
        var watchers: [Int: (service: String, continuation: AsyncStream<Status>.Continuation)] = [:]
        var nextWatcher = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Sets a service's status ("" = the server as a whole) and notifies watchers.
    public func setStatus(_ status: Status, forService service: String = "") {
        state.withLock { state in
            guard state.statuses[service] != status else { return }
            state.statuses[service] = status
            for watcher in state.watchers.values where watcher.service == service {
                watcher.continuation.yield(status)
            }
        }
    }

    /// Sets every known service (and the server) to `status`, e.g. NOT_SERVING at shutdown.
    public func setAll(_ status: Status) {
        let services = state.withLock { Array($0.statuses.keys) }
        for service in services { setStatus(status, forService: service) }
    }

    public func status(forService service: String) -> Status? {
        state.withLock { $0.statuses[service] }
    }

    /// Registers Check (on the event loop, no hop) and Watch.
    public func register(in router: inout Router) {
        router.unary(Grpc_Health_V1_Health.Method.check) { [self] request, _, responder in
            guard let status = status(forService: request.service) else {
                responder.fail(RPCError(.notFound, "unknown service \(request.service)"))
                return
            }
            var response = Grpc_Health_V1_HealthCheckResponse()
            response.status = status
            responder.succeed(response)
        }
        router.serverStreaming(Grpc_Health_V1_Health.Method.watch) { [self] request, writer, context in
            let (updates, continuation) = AsyncStream<Status>.makeStream(bufferingPolicy: .bufferingNewest(1))
            let id = state.withLock { state in
                let id = state.nextWatcher
                state.nextWatcher += 1
                state.watchers[id] = (request.service, continuation)
                continuation.yield(state.statuses[request.service] ?? .serviceUnknown)
                return id
            }
            defer { _ = state.withLock { $0.watchers.removeValue(forKey: id) } }
            for await status in updates {
                if context.isCancelled { break }
                var response = Grpc_Health_V1_HealthCheckResponse()
                response.status = status
                try await writer.write(response)
            }
        }
    }

    /// Ends all Watch streams (at shutdown, after the final status was sent).
    public func finishWatchers() {
        let watchers = state.withLock { state in
            let all = state.watchers.values.map(\.continuation)
            state.watchers.removeAll()
            return all
        }
        for continuation in watchers { continuation.finish() }
    }
}
