extension OMSClient {
    /// Calls of `oms.v1.AdminService`. They need an admin token.
    public struct Admin: Sendable {
        let client: OMSClient

        /// What ``ping(delay:payload:options:)`` measured.
        public struct PingResult: Sendable, Hashable {
            /// The time from sending the request to receiving the response, as seen by this client.
            public var roundTrip: Duration
            /// The server's clock when it answered, in Unix epoch milliseconds.
            public var serverTimeMillis: Int64
            /// The payload the server echoed back.
            public var payload: [UInt8]

            /// A result with these values.
            public init(roundTrip: Duration, serverTimeMillis: Int64, payload: [UInt8]) {
                self.roundTrip = roundTrip
                self.serverTimeMillis = serverTimeMillis
                self.payload = payload
            }
        }

        /// Round-trips `payload` through the server, which waits `delay` first.
        /// Checks reachability, the token and deadline handling in one call.
        ///
        /// - Parameters:
        ///   - delay: how long the server waits before answering, 0...10 s.
        ///   - payload: bytes the server sends back unchanged.
        ///   - options: timeout, metadata and retry policy for this call.
        public func ping(
            delay: Duration = .zero, payload: [UInt8] = [], options: CallOptions = CallOptions()
        ) async throws(OMSError) -> PingResult {
            let (seconds, attoseconds) = delay.components
            let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
            guard (0...10_000).contains(millis) else {
                throw OMSError(
                    code: .invalidArgument, message: "the ping delay must be from 0 to 10 s",
                    fieldViolations: [.init(field: "delay_millis", description: "must be from 0 to 10000")])
            }
            var request = Oms_V1_PingRequest()
            request.delayMillis = Int32(millis)
            request.payload = payload
            let clock = ContinuousClock()
            let start = clock.now
            let response = try await client.call(
                Oms_V1_AdminService.Method.ping, request, options: options, idempotent: true)
            return PingResult(
                roundTrip: start.duration(to: clock.now), serverTimeMillis: response.serverTimeMillis,
                payload: Array(response.payload))
        }

        /// What the server is: version, uptime, data directory, listen address
        /// and write statistics.
        public func serverInfo(options: CallOptions = CallOptions()) async throws(OMSError) -> Oms_V1_ServerInfo {
            try await client.call(
                Oms_V1_AdminService.Method.getServerInfo, Oms_V1_GetServerInfoRequest(), options: options,
                idempotent: true)
        }
    }
}
