import NIOCore
import Nghttp2

/// The client side of one HTTP/2 connection: starts calls as streams and
/// routes response frames to them. Confined to the channel's event loop.
final class ClientConnectionHandler: ChannelInboundHandler, HTTP2SessionDelegate {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let settings: HTTP2Settings
    private(set) var session: HTTP2Session!
    private var context: ChannelHandlerContext?
    private var calls: [Int32: ClientCall] = [:]
    private var reading = false
    private var flushScheduled = false
    /// Set once the server sent GOAWAY or the connection dropped: no new calls.
    private(set) var isUsable = true
    /// Whether the server sent anything at all (a closed connection without
    /// a byte usually means it expected TLS).
    private var heardFromServer = false
    /// Why the connection became unusable, for calls that start afterwards.
    private var failure: RPCError?

    init(settings: HTTP2Settings) {
        self.settings = settings
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        do {
            session = try HTTP2Session(role: .client, settings: settings, delegate: self)
        } catch {
            isUsable = false
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Break the handler ↔ context cycle so closed connections are freed.
        self.context = nil
        self.session = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        flush()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if !heardFromServer {
            heardFromServer = true
            // A TLS record (alert 0x15 or handshake 0x16, version 3.x) where
            // HTTP/2 SETTINGS should be: the server wants TLS.
            if let type = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
                type == 0x15 || type == 0x16, buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self) == 0x03
            {
                isUsable = false
                failAll(RPCError(.unavailable, "the server answered in TLS; connect with TLS"))
                context.close(promise: nil)
                return
            }
        }
        reading = true
        do {
            try buffer.withUnsafeReadableBytes { bytes in try session.receive(bytes) }
        } catch {
            reading = false
            failAll(RPCError(.unavailable, "HTTP/2 protocol error from server: \(error)"))
            context.close(promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        reading = false
        flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        isUsable = false
        failAll(RPCError(.unavailable, heardFromServer ? "connection to server closed" : Self.silentClose(nil)))
        self.context = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        isUsable = false
        let text =
            TLSFailure.describe(error) ?? (heardFromServer ? "connection error: \(error)" : Self.silentClose(error))
        failAll(RPCError(.unavailable, text))
        context.close(promise: nil)
    }

    /// The connection ended before the server sent a byte: an omsd always
    /// starts with SETTINGS, unless it expects a TLS handshake first.
    private static func silentClose(_ error: (any Error)?) -> String {
        "the server closed the connection before sending anything (is it serving TLS? then connect with TLS)"
            + (error.map { ": \($0)" } ?? "")
    }

    private func failAll(_ error: RPCError) {
        if failure == nil { failure = error }
        let open = calls
        calls.removeAll()
        for call in open.values { call.fail(error) }
    }

    // MARK: Calls

    /// Opens a stream for `call`, sends the request body (if given) and, when
    /// `endStream`, half-closes. Fails the call if the connection is unusable.
    func start(
        _ call: ClientCall, headers: HTTP2HeaderBlock, body: [UInt8]?, endStream: Bool,
        timeout: Duration?, eventLoop: any EventLoop
    ) {
        guard isUsable, let session else {
            call.fail(failure ?? RPCError(.unavailable, "connection to server is closed"))
            return
        }
        do {
            let id = try session.submitRequest(headers: headers, endStream: false)
            call.streamOpened(id, endStream: endStream)
            calls[id] = call
            if let body {
                try body.withUnsafeBytes { bytes in _ = try session.sendData(streamID: id, bytes) }
            }
            if endStream { try session.finish(streamID: id, trailers: nil) }
        } catch let error as HTTP2Error {
            call.fail(RPCError(.unavailable, "could not start call: \(error.message)"))
            return
        } catch {
            call.fail(RPCError(.unavailable, "could not start call: \(error)"))
            return
        }
        if let timeout {
            call.deadlineTask = eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(timeout.nanosecondsClamped)) {
                [self] in
                self.cancel(call, with: RPCError(.deadlineExceeded, "deadline exceeded after \(timeout)"))
            }
        }
        scheduleFlush()
    }

    /// Sends more request bytes on an open call (client streaming).
    func send(_ call: ClientCall, body: [UInt8], end: Bool) {
        guard let session else { return }
        switch call.sendRequest(end: end) {
        case .none:
            return
        case .cancel(let error):
            cancel(call, with: error)
        case .send(let id, let end):
            do {
                if !body.isEmpty {
                    try body.withUnsafeBytes { bytes in _ = try session.sendData(streamID: id, bytes) }
                }
                if end { try session.finish(streamID: id, trailers: nil) }
            } catch {
                cancel(call, with: RPCError(.internalError, "could not send request data: \(error)"))
            }
        }
        scheduleFlush()
    }

    /// Bytes of request data queued on the call and not yet sent.
    func pendingBytes(_ call: ClientCall) -> Int {
        guard call.streamID > 0 else { return 0 }
        return session?.pendingOutboundBytes(streamID: call.streamID) ?? 0
    }

    /// Cancels a call: RST_STREAM(CANCEL) to the server, error to the caller.
    func cancel(_ call: ClientCall, with error: RPCError) {
        guard let id = call.cancel(error) else { return }
        calls.removeValue(forKey: id)
        session?.resetStream(id, errorCode: 8)
        scheduleFlush()
    }

    func close() {
        isUsable = false
        try? session?.submitGoAway()
        flush()
        context?.close(promise: nil)
    }

    // MARK: Output

    private func scheduleFlush() {
        if reading || flushScheduled { return }
        flushScheduled = true
        context?.eventLoop.assumeIsolated().execute { [self] in
            flushScheduled = false
            flush()
        }
    }

    private func flush() {
        guard let context, let session, context.channel.isActive else { return }
        var out = context.channel.allocator.buffer(capacity: 4096)
        do {
            try session.send { out.writeBytes($0) }
        } catch {
            context.close(promise: nil)
            return
        }
        if out.readableBytes > 0 { context.writeAndFlush(wrapOutboundOut(out), promise: nil) }
        if !session.wantsRead && !session.wantsWrite { context.close(promise: nil) }
    }

    // MARK: HTTP2SessionDelegate

    func http2StreamBegan(_ streamID: Int32, kind: HTTP2HeaderBlockKind) {}

    func http2Header(
        _ streamID: Int32, kind: HTTP2HeaderBlockKind, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer
    ) {
        calls[streamID]?.header(name: name, value: value)
    }

    func http2HeadersEnded(_ streamID: Int32, kind: HTTP2HeaderBlockKind, endStream: Bool) {}

    func http2Data(_ streamID: Int32, _ bytes: UnsafeRawBufferPointer) {
        let release = calls[streamID]?.data(bytes) ?? bytes.count
        session.consume(streamID: streamID, bytes: release)
    }

    func http2InputEnded(_ streamID: Int32) {}

    func http2StreamClosed(_ streamID: Int32, errorCode: UInt32) {
        calls.removeValue(forKey: streamID)?.closed(errorCode: errorCode)
    }

    func http2GoAwayReceived(lastStreamID: Int32, errorCode: UInt32) {
        isUsable = false
        // Calls above lastStreamID were not processed: safe to retry elsewhere.
        for (id, call) in calls where id > lastStreamID {
            calls.removeValue(forKey: id)
            call.fail(RPCError(.unavailable, "server is shutting down (GOAWAY); call was not processed"))
        }
    }
}
