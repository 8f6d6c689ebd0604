import Logging
import NIOCore
import Nghttp2

/// Sent through a connection's pipeline to start its graceful shutdown.
struct GracefulShutdownEvent: Sendable {}

/// Runs one HTTP/2 connection: bytes in → nghttp2 → gRPC calls → bytes out.
///
/// Lives on the channel's event loop; every nghttp2 callback and every call
/// state change happens there, so nothing here needs a lock. Output produced
/// while reading is flushed once per read batch (`channelReadComplete`);
/// output produced by completions from other threads is coalesced into one
/// flush per event-loop tick.
final class ServerConnectionHandler: ChannelInboundHandler, HTTP2SessionDelegate {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let shared: ServerShared
    private(set) var session: HTTP2Session!
    private var context: ChannelHandlerContext!
    private var streams = StreamTable<ServerStream>()
    /// The stream of the previous callback: nghttp2 reports a frame's headers
    /// and data one after another, so this saves most dictionary lookups.
    private var lastStream: ServerStream?
    private(set) var peer = "unknown"
    private var reading = false
    private var flushScheduled = false
    private var goingAway = false
    /// Route lookup for this connection's streams (remembers the last path).
    var routes: RouteLookup
    /// Unary request bytes held by this connection's streams (partial or
    /// waiting for END_STREAM).
    var requestBudget: RequestBytesBudget

    init(shared: ServerShared) {
        self.shared = shared
        self.routes = RouteLookup(router: shared.router)
        self.requestBudget = RequestBytesBudget(limit: shared.config.limits.bufferedRequestBytesPerConnection)
        shared.liveConnections.add(1, ordering: .relaxed)
    }

    deinit {
        shared.liveConnections.subtract(1, ordering: .relaxed)
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if let address = context.channel.remoteAddress { peer = "\(address)" }
        do {
            session = try HTTP2Session(role: .server, settings: shared.config.limits.http2, delegate: self)
        } catch {
            shared.logger.error("could not create HTTP/2 session: \(error)")
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // The context references this handler: drop it (and the nghttp2
        // session) or every closed connection would leak both.
        self.context = nil
        self.session = nil
        lastStream = nil
        routes.reset()
    }

    func channelActive(context: ChannelHandlerContext) {
        flushOutput()  // our SETTINGS
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard let session else { return }
        reading = true
        do {
            try buffer.withUnsafeReadableBytes { bytes in try session.receive(bytes) }
        } catch {
            shared.logger.debug(
                "closing connection after HTTP/2 error",
                metadata: ["peer": "\(peer)", "error": "\(error)"])
            reading = false
            flushOutput()
            context.close(promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        reading = false
        flushOutput()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        // While the socket is backed up, stop reading new requests so queued
        // responses cannot grow without bound; resume when it drains.
        let writable = context.channel.isWritable
        context.channel.setOption(ChannelOptions.autoRead, value: writable).whenFailure { _ in }
        if writable { flushOutput() }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        let open = streams
        streams.removeAll()
        lastStream = nil
        for stream in open.values { stream.closed(errorCode: 8) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        shared.logger.debug("connection error", metadata: ["peer": "\(peer)", "error": "\(error)"])
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is GracefulShutdownEvent {
            beginGracefulShutdown()
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    // MARK: Output

    /// Something was queued on the session: flush now or at the end of this read batch.
    func outputPending() {
        if reading || flushScheduled { return }
        flushScheduled = true
        // Runs on this loop; assumeIsolated lets the closure keep the
        // non-Sendable handler without a Sendable wrapper.
        guard let context else { return }
        context.eventLoop.assumeIsolated().execute { [self] in
            flushScheduled = false
            flushOutput()
        }
    }

    private func flushOutput() {
        guard let session, let context, context.channel.isActive else { return }
        if context.channel.isWritable {
            var out = context.channel.allocator.buffer(capacity: 16 * 1024)
            do {
                try session.send { out.writeBytes($0) }
            } catch {
                shared.logger.debug("HTTP/2 send failed: \(error)")
                context.close(promise: nil)
                return
            }
            if out.readableBytes > 0 {
                context.writeAndFlush(wrapOutboundOut(out), promise: nil)
            }
        }
        if !session.wantsRead && !session.wantsWrite {
            context.close(promise: nil)
        } else if goingAway && streams.isEmpty && !session.wantsWrite {
            context.close(promise: nil)
        }
    }

    private func beginGracefulShutdown() {
        guard !goingAway, let session else { return }
        goingAway = true
        do {
            try session.submitGoAway(debugData: "server shutting down")
        } catch {
            shared.logger.debug("could not send GOAWAY: \(error)")
        }
        flushOutput()
    }

    // MARK: Used by streams

    func consume(streamID: Int32, bytes: Int) {
        session?.consume(streamID: streamID, bytes: bytes)
        outputPending()
    }

    @inline(__always)
    private func stream(_ id: Int32) -> ServerStream? {
        if let lastStream, lastStream.id == id { return lastStream }
        let found = streams[id]
        lastStream = found
        return found
    }

    // MARK: HTTP2SessionDelegate

    func http2StreamBegan(_ streamID: Int32, kind: HTTP2HeaderBlockKind) {
        guard kind == .request else { return }
        let stream = ServerStream(id: streamID, connection: self, eventLoop: context.eventLoop)
        streams[streamID] = stream
        lastStream = stream
    }

    func http2Header(
        _ streamID: Int32, kind: HTTP2HeaderBlockKind, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer
    ) {
        guard kind == .request else { return }  // request trailers carry nothing for gRPC
        stream(streamID)?.header(name: name, value: value)
    }

    func http2HeadersEnded(_ streamID: Int32, kind: HTTP2HeaderBlockKind, endStream: Bool) {
        guard let stream = stream(streamID) else { return }
        if kind == .request {
            stream.headersEnded(endStream: endStream)
        } else if endStream {
            stream.endOfInput()
        }
    }

    func http2Data(_ streamID: Int32, _ bytes: UnsafeRawBufferPointer) {
        guard let stream = stream(streamID) else {
            session.consumeConnection(bytes: bytes.count)
            return
        }
        let release = stream.data(bytes)
        if release > 0 { session.consume(streamID: streamID, bytes: release) }
    }

    func http2InputEnded(_ streamID: Int32) {
        stream(streamID)?.endOfInput()
    }

    func http2StreamClosed(_ streamID: Int32, errorCode: UInt32) {
        guard let stream = streams.removeValue(for: streamID) else { return }
        if lastStream === stream { lastStream = nil }
        stream.closed(errorCode: errorCode)
        if goingAway && streams.isEmpty { outputPending() }
    }

    func http2OutboundDrained(_ streamID: Int32, pendingBytes: Int) {
        stream(streamID)?.outboundDrained(pendingBytes: pendingBytes)
    }
}
