/// Local HTTP/2 settings announced to the peer and limits enforced by the session.
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

    public init(
        maxConcurrentStreams: UInt32 = 1024,
        initialStreamWindowSize: UInt32 = 1 << 20,
        connectionWindowSize: UInt32 = 16 << 20,
        maxFrameSize: UInt32 = 16_384,
        maxHeaderListSize: UInt32 = 16_384
    ) {
        self.maxConcurrentStreams = maxConcurrentStreams
        self.initialStreamWindowSize = initialStreamWindowSize
        self.connectionWindowSize = connectionWindowSize
        self.maxFrameSize = maxFrameSize
        self.maxHeaderListSize = maxHeaderListSize
    }

    public static var defaults: HTTP2Settings { HTTP2Settings() }
}
