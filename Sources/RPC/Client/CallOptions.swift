/// Per-call settings for a client call.
public struct CallOptions: Sendable {
    /// The call fails with DEADLINE_EXCEEDED after this long (sent as `grpc-timeout`).
    public var timeout: Duration?
    /// Custom metadata sent with the request, after the client's default metadata.
    public var metadata: Metadata

    public init(timeout: Duration? = nil, metadata: Metadata = Metadata()) {
        self.timeout = timeout
        self.metadata = metadata
    }
}

extension Duration {
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? 0 : Int64.max }
        return max(0, scaled &+ attoseconds / 1_000_000_000)
    }
}
