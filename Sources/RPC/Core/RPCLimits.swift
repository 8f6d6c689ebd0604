public import Nghttp2

/// Every HTTP/2 and gRPC limit of a connection, server or client, and the
/// protocol's bounds on them.
///
/// `Config` is the one place these numbers are set: the HTTP/2 ones become
/// the `HTTP2Settings` the nghttp2 session announces and enforces; the gRPC
/// ones are enforced by the call state machines. `omsd serve` has a flag
/// for each server-side limit (README, "Configuring omsd").
public enum RPCLimits {
    /// RFC 9113 §6.5.2: a flow-control window may not exceed 2^31 − 1.
    public static let maxWindowBytes = 2_147_483_647
    /// RFC 9113 §6.9.2: every connection starts with a 65,535-byte window,
    /// which WINDOW_UPDATE can only widen.
    public static let initialConnectionWindowBytes = 65_535
    /// RFC 9113 §6.5.2: SETTINGS_MAX_FRAME_SIZE lies in 2^14 ... 2^24 − 1.
    public static let frameBytesRange = 16_384...16_777_215

    /// The limits of one connection. Sizes are in bytes.
    public struct Config: Sendable, Hashable {
        /// SETTINGS_MAX_CONCURRENT_STREAMS: calls the peer may have open at
        /// once on one connection (a server refuses the ones above it).
        public var maxConcurrentStreams: Int
        /// SETTINGS_INITIAL_WINDOW_SIZE: request (server) or response
        /// (client) bytes a stream may send before we consume them.
        public var initialStreamWindowBytes: Int
        /// The connection's receive window, over all its streams (raised from
        /// the initial 65,535 with a WINDOW_UPDATE when the session starts).
        public var connectionWindowBytes: Int
        /// SETTINGS_MAX_FRAME_SIZE: the largest frame payload we accept.
        public var maxFrameBytes: Int
        /// SETTINGS_MAX_HEADER_LIST_SIZE: advertised; nghttp2 refuses larger
        /// header blocks from the peer.
        public var maxHeaderListBytes: Int
        /// The largest header block we send (a response's trailers with rich
        /// error details, say); a larger one fails the submit.
        public var maxSendHeaderBlockBytes: Int
        /// A larger received message fails the call with RESOURCE_EXHAUSTED
        /// (on the server; on a client, the call fails the same way).
        public var maxReceiveMessageBytes: Int
        /// Unary request bytes one server connection may hold while their
        /// messages are incomplete or wait for END_STREAM; a stream that would
        /// exceed it fails with RESOURCE_EXHAUSTED (flow control alone does not
        /// bound them: unary data is acknowledged on arrival). nil: twice
        /// `maxReceiveMessageBytes`, at least 64 MiB.
        public var maxBufferedRequestBytesPerConnection: Int?
        /// A server's streaming response writer waits while its stream has
        /// more than this queued, and continues once it fell to half.
        public var streamHighWatermarkBytes: Int
        /// A client's streaming request sender waits while its call has more
        /// than this queued and unsent.
        public var clientSendHighWatermarkBytes: Int

        public init(
            maxConcurrentStreams: Int = 1024,
            initialStreamWindowBytes: Int = 1 << 20,
            connectionWindowBytes: Int = 16 << 20,
            maxFrameBytes: Int = 16_384,
            maxHeaderListBytes: Int = 16_384,
            maxSendHeaderBlockBytes: Int = 64 * 1024,
            maxReceiveMessageBytes: Int = 4 * 1024 * 1024,
            maxBufferedRequestBytesPerConnection: Int? = nil,
            streamHighWatermarkBytes: Int = 256 * 1024,
            clientSendHighWatermarkBytes: Int = 1 << 20
        ) {
            self.maxConcurrentStreams = maxConcurrentStreams
            self.initialStreamWindowBytes = initialStreamWindowBytes
            self.connectionWindowBytes = connectionWindowBytes
            self.maxFrameBytes = maxFrameBytes
            self.maxHeaderListBytes = maxHeaderListBytes
            self.maxSendHeaderBlockBytes = maxSendHeaderBlockBytes
            self.maxReceiveMessageBytes = maxReceiveMessageBytes
            self.maxBufferedRequestBytesPerConnection = maxBufferedRequestBytesPerConnection
            self.streamHighWatermarkBytes = streamHighWatermarkBytes
            self.clientSendHighWatermarkBytes = clientSendHighWatermarkBytes
        }

        public static var defaults: Config { Config() }

        /// `maxBufferedRequestBytesPerConnection`, or its default.
        public var bufferedRequestBytesPerConnection: Int {
            maxBufferedRequestBytesPerConnection ?? max(64 * 1024 * 1024, 2 * maxReceiveMessageBytes)
        }

        /// The settings the nghttp2 session announces and enforces.
        /// Call `validate()` first: out-of-range values are clamped here.
        public var http2: HTTP2Settings {
            HTTP2Settings(
                maxConcurrentStreams: UInt32(clamping: maxConcurrentStreams),
                initialStreamWindowSize: UInt32(clamping: initialStreamWindowBytes),
                connectionWindowSize: UInt32(clamping: connectionWindowBytes),
                maxFrameSize: UInt32(clamping: maxFrameBytes),
                maxHeaderListSize: UInt32(clamping: maxHeaderListBytes),
                maxSendHeaderBlockLength: maxSendHeaderBlockBytes)
        }

        /// Throws for the first limit outside its allowed range.
        public func validate() throws(InvalidLimit) {
            for limit in Limit.allCases {
                guard let value = self[limit] else { continue }
                if !limit.allowed.contains(value) { throw InvalidLimit(limit: limit, value: value) }
            }
        }

        /// The value of one limit (nil: `maxBufferedRequestBytesPerConnection` left to its default).
        public subscript(limit: Limit) -> Int? {
            switch limit {
            case .maxConcurrentStreams: maxConcurrentStreams
            case .initialStreamWindowBytes: initialStreamWindowBytes
            case .connectionWindowBytes: connectionWindowBytes
            case .maxFrameBytes: maxFrameBytes
            case .maxHeaderListBytes: maxHeaderListBytes
            case .maxSendHeaderBlockBytes: maxSendHeaderBlockBytes
            case .maxReceiveMessageBytes: maxReceiveMessageBytes
            case .maxBufferedRequestBytesPerConnection: maxBufferedRequestBytesPerConnection
            case .streamHighWatermarkBytes: streamHighWatermarkBytes
            case .clientSendHighWatermarkBytes: clientSendHighWatermarkBytes
            }
        }
    }

    /// Names one limit of `Config`, with its allowed values.
    public enum Limit: String, Sendable, CaseIterable {
        case maxConcurrentStreams
        case initialStreamWindowBytes
        case connectionWindowBytes
        case maxFrameBytes
        case maxHeaderListBytes
        case maxSendHeaderBlockBytes
        case maxReceiveMessageBytes
        case maxBufferedRequestBytesPerConnection
        case streamHighWatermarkBytes
        case clientSendHighWatermarkBytes

        /// The values a `Config` may hold for this limit.
        public var allowed: ClosedRange<Int> {
            switch self {
            case .maxConcurrentStreams: 1...Int(Int32.max)
            case .initialStreamWindowBytes: 1...RPCLimits.maxWindowBytes
            case .connectionWindowBytes: RPCLimits.initialConnectionWindowBytes...RPCLimits.maxWindowBytes
            case .maxFrameBytes: RPCLimits.frameBytesRange
            // Below 1 KiB a stock client's request head (path, authority,
            // user-agent, a bearer token) no longer fits.
            case .maxHeaderListBytes: 1024...Int(UInt32.max)
            case .maxSendHeaderBlockBytes: 1024...Int(Int32.max)
            case .maxReceiveMessageBytes, .maxBufferedRequestBytesPerConnection, .streamHighWatermarkBytes,
                .clientSendHighWatermarkBytes:
                1...Int.max
            }
        }

        /// Why the range is what it is, for error messages.
        var rule: String {
            switch self {
            case .initialStreamWindowBytes, .connectionWindowBytes: " (RFC 9113 §6.5.2, §6.9)"
            case .maxFrameBytes: " (RFC 9113 §6.5.2)"
            default: ""
            }
        }
    }

    /// A `Config` holds a value outside what its limit allows.
    public struct InvalidLimit: Error, Sendable, Hashable, CustomStringConvertible {
        public let limit: Limit
        public let value: Int

        public var description: String { description(naming: limit.rawValue) }

        /// The message with the limit called `name` (a command-line flag, say).
        public func description(naming name: String) -> String {
            let range = limit.allowed
            let bounds =
                range.upperBound == Int.max
                ? "must be at least \(range.lowerBound)"
                : "must be from \(range.lowerBound) to \(range.upperBound)"
            return "\(name) \(bounds)\(limit.rule), got \(value)"
        }
    }
}
