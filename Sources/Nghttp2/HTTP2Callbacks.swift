internal import CNghttp2

/// The C callbacks nghttp2 calls during `mem_recv` / `mem_send`.
///
/// Each is a capture-free function that turns `user_data` back into the
/// owning `HTTP2Session` (unretained: the session outlives its nghttp2 handle)
/// and forwards to the delegate. No Swift error crosses into C.
enum HTTP2Callbacks {
    static func install(into callbacks: OpaquePointer) {
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, onBeginHeaders)
        nghttp2_session_callbacks_set_on_header_callback(callbacks, onHeader)
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, onFrameRecv)
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, onDataChunkRecv)
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, onStreamClose)
    }

    @inline(__always)
    static func owner(_ userData: UnsafeMutableRawPointer?) -> HTTP2Session {
        Unmanaged<HTTP2Session>.fromOpaque(userData!).takeUnretainedValue()
    }

    static func kind(of frame: UnsafePointer<nghttp2_frame>) -> HTTP2HeaderBlockKind {
        switch frame.pointee.headers.cat {
        case NGHTTP2_HCAT_REQUEST: .request
        case NGHTTP2_HCAT_RESPONSE, NGHTTP2_HCAT_PUSH_RESPONSE: .response
        default: .trailers
        }
    }

    static let onBeginHeaders: nghttp2_on_begin_headers_callback = { _, frame, userData in
        guard let frame, frame.pointee.hd.type == UInt8(NGHTTP2_HEADERS.rawValue) else { return 0 }
        let kind = HTTP2Callbacks.kind(of: frame)
        if kind != .trailers {
            HTTP2Callbacks.owner(userData).delegate.http2StreamBegan(frame.pointee.hd.stream_id, kind: kind)
        }
        return 0
    }

    static let onHeader: nghttp2_on_header_callback = { _, frame, name, nameLength, value, valueLength, _, userData in
        guard let frame else { return 0 }
        HTTP2Callbacks.owner(userData).delegate.http2Header(
            frame.pointee.hd.stream_id, kind: HTTP2Callbacks.kind(of: frame),
            name: UnsafeRawBufferPointer(start: name, count: nameLength),
            value: UnsafeRawBufferPointer(start: value, count: valueLength))
        return 0
    }

    static let onFrameRecv: nghttp2_on_frame_recv_callback = { _, frame, userData in
        guard let frame else { return 0 }
        let header = frame.pointee.hd
        let endStream = header.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
        switch header.type {
        case UInt8(NGHTTP2_HEADERS.rawValue):
            HTTP2Callbacks.owner(userData).delegate.http2HeadersEnded(
                header.stream_id, kind: HTTP2Callbacks.kind(of: frame), endStream: endStream)
        case UInt8(NGHTTP2_DATA.rawValue):
            if endStream { HTTP2Callbacks.owner(userData).delegate.http2InputEnded(header.stream_id) }
        case UInt8(NGHTTP2_GOAWAY.rawValue):
            HTTP2Callbacks.owner(userData).delegate.http2GoAwayReceived(
                lastStreamID: frame.pointee.goaway.last_stream_id, errorCode: frame.pointee.goaway.error_code)
        default:
            break
        }
        return 0
    }

    static let onDataChunkRecv: nghttp2_on_data_chunk_recv_callback = { _, _, streamID, data, length, userData in
        HTTP2Callbacks.owner(userData).delegate.http2Data(streamID, UnsafeRawBufferPointer(start: data, count: length))
        return 0
    }

    static let onStreamClose: nghttp2_on_stream_close_callback = { _, streamID, errorCode, userData in
        HTTP2Callbacks.owner(userData).streamClosed(streamID, errorCode: errorCode)
        return 0
    }

    /// Data provider: copies queued bytes into nghttp2's frame buffer, defers
    /// when the queue is empty, and ends the stream (with trailers) once finished.
    static let readOutbound: nghttp2_data_source_read_callback = {
        _, streamID, buffer, length, flags, source, userData in
        guard let source, let pointer = source.pointee.ptr, let buffer, let flags else {
            return ssize_t(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue)
        }
        let body = Unmanaged<OutboundBody>.fromOpaque(pointer).takeUnretainedValue()
        let session = HTTP2Callbacks.owner(userData)
        let count = body.read(into: buffer, capacity: length)
        if body.pendingBytes == 0 {
            if body.isFinished {
                flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
                if let trailers = body.trailers {
                    flags.pointee |= NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue
                    if session.submitTrailers(streamID: streamID, trailers) != 0 {
                        // Could not queue trailers: end the stream without them
                        // rather than leaving it open forever.
                        flags.pointee &= ~NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue
                    }
                }
            } else if count == 0 {
                body.isDeferred = true
                return ssize_t(NGHTTP2_ERR_DEFERRED.rawValue)
            }
        }
        if count > 0 { session.delegate.http2OutboundDrained(streamID, pendingBytes: body.pendingBytes) }
        return count
    }
}
