extension OMSClient {
    /// Calls of `grpc.health.v1.Health`, the standard gRPC health protocol.
    /// They need no token.
    public struct Health: Sendable {
        let client: OMSClient

        /// The serving status of the server (`service` empty) or of one service
        /// such as `oms.v1.CatalogService`.
        ///
        /// A service the server does not know is reported as
        /// ``HealthStatus/serviceUnknown`` (the server answers `NOT_FOUND`).
        /// Retried after ``OMSError/Code/unavailable`` like every read.
        ///
        /// ```swift
        /// if try await client.health.check() == .serving { ... }
        /// ```
        public func check(
            service: String = "", options: CallOptions = CallOptions()
        ) async throws(OMSError)
            -> HealthStatus
        {
            var request = Grpc_Health_V1_HealthCheckRequest()
            request.service = service
            do {
                let response = try await client.call(
                    Grpc_Health_V1_Health.Method.check, request, options: options, idempotent: true)
                return HealthStatus(response.status)
            } catch  where error.code == .notFound {
                return .serviceUnknown
            }
        }

        /// Status changes of the server or a service, starting with the current one
        /// (`Health.Watch`). The stream ends when the server closes it and throws
        /// only ``OMSError``.
        public func watch(
            service: String = "", options: CallOptions = CallOptions()
        )
            -> AsyncThrowingStream<HealthStatus, any Error>
        {
            var request = Grpc_Health_V1_HealthCheckRequest()
            request.service = service
            let responses = client.serverStream(Grpc_Health_V1_Health.Method.watch, request, options: options)
            let (stream, continuation) = AsyncThrowingStream<HealthStatus, any Error>.makeStream()
            let task = Task {
                do {
                    for try await response in responses { continuation.yield(HealthStatus(response.status)) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
            return stream
        }
    }
}

extension HealthStatus {
    init(_ status: Grpc_Health_V1_HealthCheckResponse.ServingStatus) {
        switch status {
        case .serving: self = .serving
        case .notServing: self = .notServing
        case .serviceUnknown: self = .serviceUnknown
        default: self = .unknown
        }
    }
}
