/// Local HTTP/2 settings announced to the peer and limits enforced by the session.
///
/// The session's own parameters. Servers and clients of the RPC module build
/// them from `RPCLimits.Config`, which validates them against RFC 9113 and
/// holds the defaults users see (the same numbers as here).
public struct HTTP2Settings: Sendable, Hashable {
    /// SETTINGS_MAX_CONCURRENT_STREAMS we accept from the peer.
    public var maxConcurrentStreams: UInt32
    /// SETTINGS_INITIAL_WINDOW_SIZE: per-stream receive window.
    public var initialStreamWindowSize: UInt32
    /// Connection-level receive window (raised with WINDOW_UPDATE at start).
    public var connectionWindowSize: UInt32
    /// SETTINGS_MAX_FRAME_SIZE we accept.
    public var maxFrameSize: UInt32
    /// SETTINGS_MAX_HEADER_LIST_SIZE: larger header blocks are refused.
    public var maxHeaderListSize: UInt32
    /// The largest header block this side sends (nghttp2's
    /// `max_send_header_block_length`); a larger one fails its submit.
    public var maxSendHeaderBlockLength: Int

    public init(
        maxConcurrentStreams: UInt32 = 1024,
        initialStreamWindowSize: UInt32 = 1 << 20,
        connectionWindowSize: UInt32 = 16 << 20,
        maxFrameSize: UInt32 = 16_384,
        maxHeaderListSize: UInt32 = 16_384,
        maxSendHeaderBlockLength: Int = 64 * 1024
    ) {
        self.maxConcurrentStreams = maxConcurrentStreams
        self.initialStreamWindowSize = initialStreamWindowSize
        self.connectionWindowSize = connectionWindowSize
        self.maxFrameSize = maxFrameSize
        self.maxHeaderListSize = maxHeaderListSize
        self.maxSendHeaderBlockLength = maxSendHeaderBlockLength
    }

    public static var defaults: HTTP2Settings { HTTP2Settings() }
}
