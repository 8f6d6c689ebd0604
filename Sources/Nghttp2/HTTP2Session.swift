internal import CNghttp2

/// One HTTP/2 connection's protocol state, run by libnghttp2.
///
/// The session does no I/O: the owner feeds it received bytes with
/// `receive(_:)`, and drains the bytes it wants to send with `send(_:)`. Parsed
/// frames are reported synchronously to the `delegate` during those calls.
/// Not thread-safe: one thread (the connection's event loop) owns it.
public final class HTTP2Session {
    public enum Role: Sendable { case server, client }

    public let role: Role
    /// The delegate must outlive the session: it owns it (every user in this
    /// package does), so the reference needs no reference counting.
    public unowned(unsafe) let delegate: any HTTP2SessionDelegate
    let handle: OpaquePointer
    /// Bodies of open streams we send data on. Keyed by stream ID; the data
    /// provider reaches its body directly through `source.ptr` (unretained:
    /// this table owns it until the stream closes).
    var outbound = StreamTable<OutboundBody>()

    public init(
        role: Role, settings: HTTP2Settings = .defaults, delegate: any HTTP2SessionDelegate
    ) throws(HTTP2Error) {
        self.role = role
        self.delegate = delegate

        var callbacks: OpaquePointer?
        guard nghttp2_session_callbacks_new(&callbacks) == 0, let callbacks else {
            throw HTTP2Error(code: .outOfMemory, message: "nghttp2_session_callbacks_new failed")
        }
        defer { nghttp2_session_callbacks_del(callbacks) }
        HTTP2Callbacks.install(into: callbacks)

        var option: OpaquePointer?
        guard nghttp2_option_new(&option) == 0, let option else {
            throw HTTP2Error(code: .outOfMemory, message: "nghttp2_option_new failed")
        }
        defer { nghttp2_option_del(option) }
        // Receive windows are re-opened only when the application has consumed
        // the data (`consume`), so a slow reader slows its sender down.
        nghttp2_option_set_no_auto_window_update(option, 1)
        nghttp2_option_set_max_send_header_block_length(option, settings.maxSendHeaderBlockLength)

        var session: OpaquePointer?
        let rv: Int32
        switch role {
        case .server: rv = nghttp2_session_server_new2(&session, callbacks, nil, option)
        case .client: rv = nghttp2_session_client_new2(&session, callbacks, nil, option)
        }
        guard rv == 0, let session else {
            throw HTTP2Error(code: .outOfMemory, message: "nghttp2 session creation failed", libraryCode: rv)
        }
        self.handle = session
        // The session stores this pointer as user data; it stays valid because
        // the nghttp2 session is destroyed in deinit, before `self` goes away.
        nghttp2_session_set_user_data(session, Unmanaged.passUnretained(self).toOpaque())

        var entries: [nghttp2_settings_entry] = [
            .init(
                settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue),
                value: settings.maxConcurrentStreams),
            .init(
                settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue),
                value: settings.initialStreamWindowSize),
            .init(settings_id: Int32(NGHTTP2_SETTINGS_MAX_FRAME_SIZE.rawValue), value: settings.maxFrameSize),
            .init(
                settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue), value: settings.maxHeaderListSize),
        ]
        if role == .client {
            entries.append(.init(settings_id: Int32(NGHTTP2_SETTINGS_ENABLE_PUSH.rawValue), value: 0))
        }
        try check(
            nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &entries, entries.count),
            "submit SETTINGS")
        if settings.connectionWindowSize > 65_535 {
            try check(
                nghttp2_session_set_local_window_size(
                    session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, Int32(clamping: settings.connectionWindowSize)),
                "set connection window")
        }
    }

    deinit {
        nghttp2_session_del(handle)
    }

    // MARK: I/O

    /// Parses received bytes, calling the delegate for every frame.
    ///
    /// Throws on a fatal connection error. nghttp2 has then usually queued a
    /// GOAWAY: call `send(_:)` once more to flush it, then close the connection.
    public func receive(_ bytes: UnsafeRawBufferPointer) throws(HTTP2Error) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        let rv = nghttp2_session_mem_recv(handle, base.assumingMemoryBound(to: UInt8.self), bytes.count)
        if rv < 0 {
            throw HTTP2Error.fromLibrary(Int32(truncatingIfNeeded: rv), context: "receive")
        }
    }

    /// Hands every byte nghttp2 wants to send to `sink`, in order.
    ///
    /// Each buffer is valid only during its `sink` call (it points into
    /// nghttp2's memory). Returns the number of bytes produced.
    @discardableResult
    public func send(_ sink: (UnsafeRawBufferPointer) -> Void) throws(HTTP2Error) -> Int {
        var total = 0
        while true {
            var data: UnsafePointer<UInt8>?
            let n = nghttp2_session_mem_send(handle, &data)
            if n < 0 { throw HTTP2Error.fromLibrary(Int32(truncatingIfNeeded: n), context: "send") }
            guard n > 0, let data else { return total }
            sink(UnsafeRawBufferPointer(start: data, count: n))
            total += n
        }
    }

    /// The session still expects input (false after GOAWAY in both directions).
    public var wantsRead: Bool { nghttp2_session_want_read(handle) != 0 }
    /// The session has frames to send.
    public var wantsWrite: Bool { nghttp2_session_want_write(handle) != 0 }

    // MARK: Streams

    /// Sends a header block that ends the stream (e.g. a gRPC trailers-only response).
    public func submitHeadersOnly(streamID: Int32, headers: HTTP2HeaderBlock) throws(HTTP2Error) {
        let rv = nghttp2_submit_response(handle, streamID, headers.fields.baseAddress, headers.count, nil)
        try check(rv, "submit response headers")
    }

    /// Sends response headers and opens the stream's body.
    ///
    /// `body` (may be empty) is queued immediately. When `finished` is true the
    /// stream ends after the body with `trailers` (or END_STREAM on the last
    /// DATA frame when `trailers` is nil); otherwise append with `sendData` and
    /// end with `finish`.
    public func submitResponse(
        streamID: Int32, headers: HTTP2HeaderBlock, body: UnsafeRawBufferPointer,
        finished: Bool, trailers: HTTP2HeaderBlock?
    ) throws(HTTP2Error) {
        let outboundBody = OutboundBody()
        outboundBody.append(body)
        if finished { outboundBody.finish(trailers: trailers) }
        try submitResponse(streamID: streamID, headers: headers, outboundBody)
    }

    /// Like `submitResponse(streamID:headers:body:finished:trailers:)` for a
    /// body that is complete and already in an array: the array becomes the
    /// stream's queue without a copy.
    public func submitResponse(
        streamID: Int32, headers: HTTP2HeaderBlock, body: [UInt8], trailers: HTTP2HeaderBlock?
    ) throws(HTTP2Error) {
        let outboundBody = OutboundBody(adopting: body)
        outboundBody.finish(trailers: trailers)
        try submitResponse(streamID: streamID, headers: headers, outboundBody)
    }

    /// Registers `body` as the stream's outbound queue and submits the headers
    /// with a data provider reading from it.
    private func submitResponse(streamID: Int32, headers: HTTP2HeaderBlock, _ body: OutboundBody) throws(HTTP2Error) {
        outbound[streamID] = body
        var provider = nghttp2_data_provider(
            source: nghttp2_data_source(ptr: Unmanaged.passUnretained(body).toOpaque()),
            read_callback: HTTP2Callbacks.readOutbound)
        let rv = nghttp2_submit_response(handle, streamID, headers.fields.baseAddress, headers.count, &provider)
        if rv != 0 {
            outbound[streamID] = nil
            try check(rv, "submit response")
        }
    }

    /// Opens a client stream (client role). With `endStream` the request has no
    /// body; otherwise append with `sendData` and end with `finish`.
    /// Returns the new stream's ID.
    public func submitRequest(headers: HTTP2HeaderBlock, endStream: Bool) throws(HTTP2Error) -> Int32 {
        if endStream {
            let id = nghttp2_submit_request(handle, nil, headers.fields.baseAddress, headers.count, nil, nil)
            if id < 0 { throw HTTP2Error.fromLibrary(id, context: "submit request") }
            return id
        }
        let outboundBody = OutboundBody()
        var provider = nghttp2_data_provider(
            source: nghttp2_data_source(ptr: Unmanaged.passUnretained(outboundBody).toOpaque()),
            read_callback: HTTP2Callbacks.readOutbound)
        let id = nghttp2_submit_request(handle, nil, headers.fields.baseAddress, headers.count, &provider, nil)
        if id < 0 { throw HTTP2Error.fromLibrary(id, context: "submit request") }
        outbound[id] = outboundBody
        return id
    }

    /// Appends body bytes to an open stream. Returns the stream's queued byte
    /// count afterwards, so the caller can apply backpressure.
    @discardableResult
    public func sendData(streamID: Int32, _ bytes: UnsafeRawBufferPointer) throws(HTTP2Error) -> Int {
        guard let body = outbound[streamID], !body.isFinished else {
            throw HTTP2Error(code: .invalidState, message: "stream \(streamID) is not open for sending")
        }
        body.append(bytes)
        resumeIfDeferred(streamID, body)
        return body.pendingBytes
    }

    /// Ends an open stream after its queued data, with optional trailers.
    public func finish(streamID: Int32, trailers: HTTP2HeaderBlock?) throws(HTTP2Error) {
        guard let body = outbound[streamID], !body.isFinished else {
            throw HTTP2Error(code: .invalidState, message: "stream \(streamID) is not open for sending")
        }
        body.finish(trailers: trailers)
        resumeIfDeferred(streamID, body)
    }

    /// Bytes queued on the stream and not yet taken by nghttp2 (0 if unknown stream).
    public func pendingOutboundBytes(streamID: Int32) -> Int {
        outbound[streamID]?.pendingBytes ?? 0
    }

    /// Sends RST_STREAM. Codes: 0 NO_ERROR, 2 INTERNAL_ERROR, 7 REFUSED_STREAM, 8 CANCEL.
    public func resetStream(_ streamID: Int32, errorCode: UInt32) {
        _ = nghttp2_submit_rst_stream(handle, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, errorCode)
    }

    /// Re-opens `bytes` of receive window on the stream and the connection,
    /// after the application processed that much of the stream's data.
    public func consume(streamID: Int32, bytes: Int) {
        guard bytes > 0 else { return }
        if nghttp2_session_consume(handle, streamID, bytes) != 0 {
            // The stream is gone: the bytes still count against the connection.
            _ = nghttp2_session_consume_connection(handle, bytes)
        }
    }

    /// Re-opens connection-level window for bytes of a stream that no longer exists.
    public func consumeConnection(bytes: Int) {
        guard bytes > 0 else { return }
        _ = nghttp2_session_consume_connection(handle, bytes)
    }

    // MARK: Connection

    /// The highest peer-initiated stream ID processed so far.
    public var lastProcessedStreamID: Int32 { nghttp2_session_get_last_proc_stream_id(handle) }

    /// Sends GOAWAY: streams above `lastStreamID` (default: the last processed
    /// one) are refused; streams at or below it run to completion.
    public func submitGoAway(
        lastStreamID: Int32? = nil, errorCode: UInt32 = 0, debugData: String = ""
    ) throws(HTTP2Error) {
        let last = lastStreamID ?? lastProcessedStreamID
        var debug = Array(debugData.utf8)
        let rv = debug.withUnsafeMutableBufferPointer { buffer in
            nghttp2_submit_goaway(
                handle, UInt8(NGHTTP2_FLAG_NONE.rawValue), last, errorCode, buffer.baseAddress, buffer.count)
        }
        try check(rv, "submit GOAWAY")
    }

    /// Number of streams currently open in the session.
    public var openStreamCount: Int { outbound.count }

    // MARK: Internals used by the callbacks

    func resumeIfDeferred(_ streamID: Int32, _ body: OutboundBody) {
        if body.isDeferred {
            body.isDeferred = false
            _ = nghttp2_session_resume_data(handle, streamID)
        }
    }

    func submitTrailers(streamID: Int32, _ trailers: HTTP2HeaderBlock) -> Int32 {
        nghttp2_submit_trailer(handle, streamID, trailers.fields.baseAddress, trailers.count)
    }

    func streamClosed(_ streamID: Int32, errorCode: UInt32) {
        outbound.removeValue(for: streamID)
        delegate.http2StreamClosed(streamID, errorCode: errorCode)
    }

    private func check(_ rv: Int32, _ what: String) throws(HTTP2Error) {
        if rv != 0 { throw HTTP2Error.fromLibrary(rv, context: what) }
    }
}

extension HTTP2Error {
    static func fromLibrary(_ code: Int32, context: String) -> HTTP2Error {
        let text = String(cString: nghttp2_strerror(code))
        let kind: Code
        switch code {
        case NGHTTP2_ERR_BAD_CLIENT_MAGIC.rawValue: kind = .badClientMagic
        case NGHTTP2_ERR_FLOODED.rawValue: kind = .flooded
        case NGHTTP2_ERR_NOMEM.rawValue: kind = .outOfMemory
        case NGHTTP2_ERR_PROTO.rawValue, NGHTTP2_ERR_CALLBACK_FAILURE.rawValue: kind = .protocolError
        case NGHTTP2_ERR_INVALID_STATE.rawValue, NGHTTP2_ERR_STREAM_CLOSED.rawValue,
            NGHTTP2_ERR_STREAM_ID_NOT_AVAILABLE.rawValue, NGHTTP2_ERR_INVALID_ARGUMENT.rawValue,
            NGHTTP2_ERR_STREAM_CLOSING.rawValue, NGHTTP2_ERR_STREAM_SHUT_WR.rawValue,
            NGHTTP2_ERR_DATA_EXIST.rawValue:
            kind = .invalidState
        default: kind = .internalError
        }
        return HTTP2Error(code: kind, message: "\(context): \(text)", libraryCode: code)
    }
}
