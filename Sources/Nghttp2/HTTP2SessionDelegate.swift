/// Receives what the peer sent, as nghttp2 parses it.
///
/// Every method is called synchronously from inside `HTTP2Session.receive(_:)`
/// (or `send`), on the thread that owns the session. Buffers passed in are valid
/// only for the duration of the call: copy what you keep. A delegate may call
/// back into the session (submit a response, reset a stream) from these methods.
public protocol HTTP2SessionDelegate: AnyObject {
    /// A new stream started: the first header field of its request (server) or
    /// response (client) follows.
    func http2StreamBegan(_ streamID: Int32, kind: HTTP2HeaderBlockKind)
    /// One header field of a request, response or trailer block.
    func http2Header(
        _ streamID: Int32, kind: HTTP2HeaderBlockKind,
        name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)
    /// The header block is complete. `endStream` means the peer will send nothing more.
    func http2HeadersEnded(_ streamID: Int32, kind: HTTP2HeaderBlockKind, endStream: Bool)
    /// A chunk of the stream's body. The bytes count against flow control until
    /// `HTTP2Session.consume(streamID:bytes:)` is called for them.
    func http2Data(_ streamID: Int32, _ bytes: UnsafeRawBufferPointer)
    /// The peer ended its side of the stream (END_STREAM on a DATA frame).
    func http2InputEnded(_ streamID: Int32)
    /// The stream is closed. `errorCode` is 0 (NO_ERROR) for a normal close, else
    /// the RST_STREAM / GOAWAY code (8 = CANCEL from a cancelling client).
    func http2StreamClosed(_ streamID: Int32, errorCode: UInt32)
    /// Queued outbound data of the stream fell to `pendingBytes` after nghttp2
    /// took some of it: a writer waiting for room may continue.
    func http2OutboundDrained(_ streamID: Int32, pendingBytes: Int)
    /// The peer sent GOAWAY: no stream above `lastStreamID` will be processed.
    func http2GoAwayReceived(lastStreamID: Int32, errorCode: UInt32)
}

extension HTTP2SessionDelegate {
    public func http2OutboundDrained(_ streamID: Int32, pendingBytes: Int) {}
    public func http2GoAwayReceived(lastStreamID: Int32, errorCode: UInt32) {}
}
