extension OMSClient {
    /// Settings for the whole client; every call uses them unless its
    /// ``CallOptions`` say otherwise.
    public struct Options: Sendable {
        /// The deadline of a call that sets no ``CallOptions/timeout``; `nil` waits forever.
        ///
        /// The deadline covers the whole call including retries: each attempt
        /// gets what is left of it.
        public var defaultTimeout: Duration?
        /// How long to wait for the TCP connection to open.
        public var connectTimeout: Duration
        /// When and how often calls are retried after ``OMSError/Code/unavailable``.
        public var retry: RetryPolicy
        /// Metadata (HTTP/2 headers) sent on every call, after `authorization`.
        public var metadata: [(name: String, value: String)]
        /// The `user-agent` sent to the server.
        public var userAgent: String
        /// Responses larger than this fail with ``OMSError/Code/resourceExhausted``.
        public var maxReceiveMessageBytes: Int
        /// TLS for the connection (an omsd started with `--tls-cert-file`);
        /// `nil` speaks cleartext HTTP/2.
        public var tls: TLS?

        /// Options with the defaults: 30 s per call, 5 s to connect, ``RetryPolicy/default``.
        public init(
            defaultTimeout: Duration? = .seconds(30),
            connectTimeout: Duration = .seconds(5),
            retry: RetryPolicy = .default,
            metadata: [(name: String, value: String)] = [],
            userAgent: String = "omsclient-swift/1.0",
            maxReceiveMessageBytes: Int = 4 * 1024 * 1024,
            tls: TLS? = nil
        ) {
            self.defaultTimeout = defaultTimeout
            self.connectTimeout = connectTimeout
            self.retry = retry
            self.metadata = metadata
            self.userAgent = userAgent
            self.maxReceiveMessageBytes = maxReceiveMessageBytes
            self.tls = tls
        }
    }

    /// How the client checks the server's TLS certificate.
    ///
    /// ```swift
    /// let client = try OMSClient(
    ///     address: "oms.internal:50051", token: token,
    ///     options: .init(tls: .init(caFile: "/etc/oms/ca.pem")))
    /// ```
    public struct TLS: Sendable, Hashable {
        /// A PEM file of the certificate authorities to trust; `nil` trusts the system's.
        public var caFile: String?
        /// The name the server's certificate must carry, when it differs from
        /// the address's host (e.g. connecting by IP to a certificate for a name).
        public var serverName: String?

        /// TLS that trusts `caFile` (or the system's roots) and checks `serverName` (or the host).
        public init(caFile: String? = nil, serverName: String? = nil) {
            self.caFile = caFile
            self.serverName = serverName
        }
    }

    /// Settings for one call.
    ///
    /// ```swift
    /// let product = try await client.catalog.product(
    ///     sku: "MUG-350", options: .init(timeout: .seconds(2)))
    /// ```
    public struct CallOptions: Sendable {
        /// The call's deadline (sent as `grpc-timeout`); `nil` uses ``Options/defaultTimeout``.
        public var timeout: Duration?
        /// Extra metadata for this call, sent after the client's.
        public var metadata: [(name: String, value: String)]
        /// Overrides the client's ``Options/retry`` for this call; `nil` keeps it.
        public var retry: RetryPolicy?

        /// Options for one call; the defaults change nothing.
        public init(
            timeout: Duration? = nil, metadata: [(name: String, value: String)] = [], retry: RetryPolicy? = nil
        ) {
            self.timeout = timeout
            self.metadata = metadata
            self.retry = retry
        }
    }

    /// When a failed call is tried again.
    ///
    /// Only ``OMSError/Code/unavailable`` is retried: the connection was refused,
    /// lost or the server is shutting down (GOAWAY). Reads are always safe to
    /// repeat; writes are sent with one `request_id` that every attempt reuses,
    /// so omsd applies them at most once. No other code is ever retried.
    ///
    /// The wait before retry *n* (1-based) is
    /// `min(maxBackoff, initialBackoff × multiplierⁿ⁻¹)`, of which a random
    /// part (up to ``jitter``) is taken off so that many clients do not retry
    /// in lockstep.
    public struct RetryPolicy: Hashable, Sendable {
        /// Attempts in total, the first included; 1 means no retries.
        public var maxAttempts: Int
        /// The wait before the first retry.
        public var initialBackoff: Duration
        /// The longest wait between two attempts.
        public var maxBackoff: Duration
        /// How much longer each wait is than the previous one.
        public var multiplier: Double
        /// The fraction (0...1) of each wait that is randomised.
        public var jitter: Double

        /// A policy; values are clamped to sane ranges when used.
        public init(
            maxAttempts: Int = 3, initialBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(2),
            multiplier: Double = 2, jitter: Double = 0.5
        ) {
            self.maxAttempts = maxAttempts
            self.initialBackoff = initialBackoff
            self.maxBackoff = maxBackoff
            self.multiplier = multiplier
            self.jitter = jitter
        }

        /// Three attempts, waiting about 100 ms and then 200 ms.
        public static let `default` = RetryPolicy()
        /// One attempt, no retries.
        public static let disabled = RetryPolicy(maxAttempts: 1)

        /// The wait before retry number `retry` (1 = the first retry).
        func backoff<G: RandomNumberGenerator>(beforeRetry retry: Int, using generator: inout G) -> Duration {
            let exponent = Double(max(0, retry - 1))
            let initial = Self.seconds(initialBackoff)
            let cap = Self.seconds(maxBackoff)
            let full = min(cap, initial * pow(max(1, multiplier), exponent))
            let jitterFraction = min(1, max(0, jitter))
            let wait = full * (1 - jitterFraction * Double.random(in: 0...1, using: &generator))
            return .nanoseconds(Int64(max(0, wait) * 1e9))
        }

        private static func seconds(_ duration: Duration) -> Double {
            let (seconds, attoseconds) = duration.components
            return Double(seconds) + Double(attoseconds) / 1e18
        }

        private func pow(_ base: Double, _ exponent: Double) -> Double {
            var result = 1.0
            var remaining = Int(exponent)
            while remaining > 0 && result < 1e12 {
                result *= base
                remaining -= 1
            }
            return result
        }
    }
}
