@_exported import OMSProto
internal import RPC

/// A client for omsd, the order-management daemon.
///
/// One `OMSClient` holds one multiplexed HTTP/2 connection that every call and
/// every task shares; it connects on first use and reconnects after the
/// connection drops. Make one per process (or per server) and ``close()`` it
/// when done.
///
/// ```swift
/// let client = try OMSClient(address: "127.0.0.1:50051", token: token)
/// defer { Task { await client.close() } }
///
/// var product = Oms_V1_Product()
/// product.sku = "MUG-350"
/// product.name = "Blue mug 350 ml"
/// product.unitPrice = .with { $0.currencyCode = "EUR"; $0.amountMinor = 899 }
/// let (saved, created) = try await client.catalog.upsertProduct(product)
/// ```
///
/// Calls are grouped by service: ``health``, ``catalog``, ``admin``. Any RPC
/// of the API, including ones without a convenience method yet, can be made
/// with ``call(_:_:options:idempotent:)``, ``serverStream(_:_:options:)`` and
/// ``clientStream(_:requests:options:)``.
///
/// Every method throws only ``OMSError``.
public final class OMSClient: Sendable {
    /// The server this client talks to.
    public let address: ServerAddress
    /// The options it was created with.
    public let options: Options

    let rpc: RPCClient

    /// Creates a client; no connection is made until the first call.
    ///
    /// - Parameters:
    ///   - address: `host:port` of omsd, e.g. `127.0.0.1:50051` or `[::1]:50051`.
    ///   - token: the API token, sent as `authorization: Bearer <token>`; `nil`
    ///     for calls that need none (health checks). Surrounding whitespace is
    ///     ignored, so the contents of `admin.token` can be passed as read.
    ///   - options: timeouts, retries and extra metadata.
    /// - Throws: ``OMSError`` with ``OMSError/Code/invalidArgument`` when the
    ///   address cannot be parsed, the token contains line breaks or the TLS
    ///   CA file cannot be read.
    public convenience init(
        address: String = "127.0.0.1:50051", token: String?, options: Options = Options()
    ) throws(OMSError) {
        try self.init(address: ServerAddress(parsing: address), token: token, options: options)
    }

    /// Creates a client for an already parsed address.
    ///
    /// - Throws: ``OMSError`` with ``OMSError/Code/invalidArgument`` when the token
    ///   contains line breaks or the TLS CA file cannot be read.
    public init(address: ServerAddress, token: String?, options: Options = Options()) throws(OMSError) {
        var metadata = Metadata()
        if let token = token?.trimmingWhitespace(), !token.isEmpty {
            guard !token.contains(where: { $0.isNewline || $0 == "\0" }) else {
                throw OMSError(code: .invalidArgument, message: "the token must be one line of text")
            }
            metadata.add("authorization", "Bearer \(token)")
        }
        for (name, value) in options.metadata { metadata.add(name, value) }
        var tls: ClientTLS?
        if let settings = options.tls {
            do {
                tls = try ClientTLS(trustRootsFile: settings.caFile, serverName: settings.serverName)
            } catch {
                throw OMSError(code: .invalidArgument, message: error.description)
            }
        }
        self.address = address
        self.options = options
        self.rpc = RPCClient(
            config: .init(
                host: address.host, port: address.port, defaultMetadata: metadata,
                limits: RPCLimits.Config(maxReceiveMessageBytes: options.maxReceiveMessageBytes),
                connectTimeout: options.connectTimeout,
                userAgent: options.userAgent, tls: tls))
    }

    /// Closes the connection (in-flight calls fail) and stops the client's
    /// threads. The client cannot be used afterwards.
    public func close() async {
        await rpc.close()
    }

    // MARK: Service groups

    /// `grpc.health.v1.Health`: is the server (or one of its services) serving?
    public var health: Health { Health(client: self) }
    /// `oms.v1.CatalogService`: products.
    public var catalog: Catalog { Catalog(client: self) }
    /// `oms.v1.AdminService`: reachability and server information.
    public var admin: Admin { Admin(client: self) }

    // MARK: Any RPC

    /// Makes any unary RPC of the API.
    ///
    /// ```swift
    /// let reply = try await client.call(Oms_V1_AdminService.Method.ping, Oms_V1_PingRequest())
    /// ```
    ///
    /// - Parameters:
    ///   - method: the generated method descriptor, e.g. `Oms_V1_CatalogService.Method.getProduct`.
    ///   - request: the request message.
    ///   - options: timeout, metadata and retry policy for this call.
    ///   - idempotent: whether the call may be repeated after ``OMSError/Code/unavailable``:
    ///     `true` for reads and for writes that carry a `request_id`. Defaults to `false` (one attempt).
    /// - Returns: the response message.
    public func call<Request: Sendable, Response: Sendable>(
        _ method: ProtoMethod<Request, Response>, _ request: Request, options: CallOptions = CallOptions(),
        idempotent: Bool = false
    ) async throws(OMSError) -> Response {
        try await withRetries(options: options, idempotent: idempotent) { rpcOptions in
            try await self.rpc.unary(method, request, options: rpcOptions)
        }
    }

    /// Makes any server-streaming RPC; the responses arrive as an `AsyncSequence`.
    ///
    /// The stream throws only ``OMSError``. Stopping the iteration (or
    /// cancelling the task) cancels the call. Streams are not retried: the
    /// caller knows where to resume. Streams are long-lived, so only
    /// ``CallOptions/timeout`` bounds them, never ``Options/defaultTimeout``.
    public func serverStream<Request: Sendable, Response: Sendable>(
        _ method: ProtoMethod<Request, Response>, _ request: Request, options: CallOptions = CallOptions()
    ) -> AsyncThrowingStream<Response, any Error> {
        let rpcOptions = rpcCallOptions(options, timeout: options.timeout)
        let responses = rpc.serverStreaming(method, request, options: rpcOptions)
        let (stream, continuation) = AsyncThrowingStream<Response, any Error>.makeStream()
        let task = Task {
            do {
                for try await response in responses {
                    continuation.yield(response)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: OMSError(error))
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Makes any client-streaming RPC: sends every element of `requests`, then
    /// returns the single response. Not retried.
    public func clientStream<Request: Sendable, Response: Sendable, Requests: AsyncSequence & Sendable>(
        _ method: ProtoMethod<Request, Response>, requests: Requests, options: CallOptions = CallOptions()
    ) async throws(OMSError) -> Response where Requests.Element == Request {
        try await withRetries(options: options, idempotent: false) { rpcOptions in
            try await self.rpc.clientStreaming(method, requests: requests, options: rpcOptions)
        }
    }

    // MARK: Deadlines and retries

    /// Runs `attempt` until it succeeds, fails with a code that is not retried,
    /// runs out of attempts or passes the call's deadline.
    func withRetries<Response>(
        options: CallOptions, idempotent: Bool,
        _ attempt: (RPC.CallOptions) async throws -> Response
    ) async throws(OMSError) -> Response {
        let policy = options.retry ?? self.options.retry
        let timeout = options.timeout ?? self.options.defaultTimeout
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now.advanced(by: $0) }
        let maxAttempts = idempotent ? max(1, policy.maxAttempts) : 1
        var generator = SystemRandomNumberGenerator()
        var attemptNumber = 1
        while true {
            var remaining: Duration?
            if let deadline, let timeout {
                remaining = clock.now.duration(to: deadline)
                if remaining! <= .zero {
                    throw OMSError(code: .deadlineExceeded, message: "the call did not finish within \(timeout)")
                }
            }
            do {
                return try await attempt(rpcCallOptions(options, timeout: remaining))
            } catch {
                var failure = OMSError(error)
                if failure.code == .deadlineExceeded, let timeout {
                    // The transport reports the per-attempt remainder; users set the whole budget.
                    failure.message = "the call did not finish within \(timeout)"
                }
                guard failure.code == .unavailable, attemptNumber < maxAttempts else { throw failure }
                let wait = policy.backoff(beforeRetry: attemptNumber, using: &generator)
                if let deadline, clock.now.advanced(by: wait) >= deadline { throw failure }
                do {
                    try await Task.sleep(for: wait)
                } catch {
                    throw OMSError(code: .cancelled, message: "the call was cancelled while waiting to retry")
                }
                attemptNumber += 1
            }
        }
    }

    private func rpcCallOptions(_ options: CallOptions, timeout: Duration?) -> RPC.CallOptions {
        var metadata = Metadata()
        for (name, value) in options.metadata { metadata.add(name, value) }
        return RPC.CallOptions(timeout: timeout, metadata: metadata)
    }
}
