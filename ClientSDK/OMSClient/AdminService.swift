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

        /// Creates an API key and returns it with its bearer token. The token
        /// is shown only here: the server keeps a hash of it.
        ///
        /// - Parameters:
        ///   - name: 1-64 characters of `[A-Za-z0-9._-]`, unique among all keys
        ///     (revoked ones included). Audit rows and events name the key.
        ///   - role: ``Oms_V1_ApiKeyRole/service`` (every business service, the
        ///     default) or ``Oms_V1_ApiKeyRole/admin`` (AdminService too).
        ///   - options: timeout, metadata and retry policy for this call.
        /// - Throws: `ALREADY_EXISTS` when the name is taken, `INVALID_ARGUMENT` for a bad name.
        public func createApiKey(
            name: String, role: Oms_V1_ApiKeyRole = .service, options: CallOptions = CallOptions()
        ) async throws(OMSError) -> (key: Oms_V1_ApiKey, token: String) {
            var request = Oms_V1_CreateApiKeyRequest()
            request.name = name
            request.role = role
            // Not retried: a retry after a lost response would find the name
            // taken, and the token of the first attempt would be lost anyway.
            let response = try await client.call(
                Oms_V1_AdminService.Method.createApiKey, request, options: options, idempotent: false)
            return (response.key ?? Oms_V1_ApiKey(), response.token)
        }

        /// Every API key, revoked ones included, sorted by name.
        public func apiKeys(options: CallOptions = CallOptions()) async throws(OMSError) -> [Oms_V1_ApiKey] {
            try await client.call(
                Oms_V1_AdminService.Method.listApiKeys, Oms_V1_ListApiKeysRequest(), options: options,
                idempotent: true
            ).keys
        }

        /// Revokes the key named `name`: its token is refused from the next call
        /// on, also on connections that already used it.
        ///
        /// - Throws: `NOT_FOUND` for an unknown name, `FAILED_PRECONDITION` when
        ///   the key is already revoked or is the last active admin key.
        public func revokeApiKey(
            name: String, options: CallOptions = CallOptions()
        ) async throws(OMSError)
            -> Oms_V1_ApiKey
        {
            var request = Oms_V1_RevokeApiKeyRequest()
            request.name = name
            let response = try await client.call(
                Oms_V1_AdminService.Method.revokeApiKey, request, options: options, idempotent: false)
            return response.key ?? Oms_V1_ApiKey()
        }
    }
}
