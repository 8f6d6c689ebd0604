import Logging
import NIOCore
import Nghttp2
import OMSProto
import Synchronization

/// One gRPC call on a server connection: request head, messages, handler, response.
///
/// All mutable state is confined to the connection's event loop; the few
/// entry points used by handlers on other threads (`finishFromAnyThread`,
/// `writeMessage`, `nextMessage`) hop onto it first. That confinement is what
/// makes the `@unchecked Sendable` safe.
final class ServerStream: @unchecked Sendable {
    enum State {
        /// Reading request headers and (for unary) the request message.
        case receiving
        /// The handler runs; no response bytes sent yet.
        case started
        /// Response headers are out; messages may follow.
        case responding
        /// Status sent or call cancelled; nothing more will be sent.
        case finished
    }

    let id: Int32
    let eventLoop: any EventLoop
    /// Not counted: the connection outlives every stream that can still reach
    /// it. When the channel goes inactive it finishes all its streams before
    /// it can be freed, and a finished stream never touches its connection
    /// again (every entry point checks `state` first).
    unowned(unsafe) let connection: ServerConnectionHandler
    let cancellationFlag = CancellationFlag()
    private(set) var state = State.receiving

    // Request head, collected header by header.
    private var pathSeen = false
    private var resolvedRoute: Route?
    /// The path as text, kept only when it matched no route (for the error).
    private var unknownPath: String?
    private var method: HeaderMethod = .missing
    private var contentTypeValid = false
    private var contentTypeSeen = false
    private var teTrailers = false
    private var encoding: String?
    private var timeoutNanos: Int64?
    private var timeoutMalformed = false
    private var authorization: String?
    private var metadata = Metadata()

    private(set) var route: Route?
    private var head: ServerCallHead?
    private var contextStorage: ServerContext?
    /// Set once the call is routed and accepted (before any handler runs).
    var context: ServerContext { contextStorage! }
    private var startedAt: UInt64 = 0

    private var deframer: MessageDeframer
    private var unaryRequest: [UInt8]?
    /// This stream's share of the connection's `bufferedRequestBytes`.
    private var heldRequestBytes = 0
    private var messageCount = 0
    private(set) var inputEnded = false

    // Streaming state.
    private var pendingMessages: [[UInt8]] = []
    private var pendingHead = 0
    private var messageWaiter: CheckedContinuation<[UInt8]?, any Error>?
    private var unconsumedBytes = 0
    private var writerWaiter: CheckedContinuation<Void, any Error>?
    private var task: Task<Void, Never>?
    private var deadlineTask: Scheduled<Void>?

    private enum HeaderMethod { case missing, post, other }

    /// Kept for the live-stream count: lets tests prove that finished calls
    /// are freed (a retain cycle here once leaked every call).
    private let shared: ServerShared

    deinit {
        shared.liveStreams.subtract(1, ordering: .relaxed)
    }

    init(id: Int32, connection: ServerConnectionHandler, eventLoop: any EventLoop, maxMessageBytes: Int) {
        self.id = id
        self.connection = connection
        self.eventLoop = eventLoop
        self.deframer = MessageDeframer(maxMessageBytes: maxMessageBytes)
        self.shared = connection.shared
        shared.liveStreams.add(1, ordering: .relaxed)
    }

    // MARK: Request headers

    func header(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        guard state == .receiving, route == nil else { return }
        switch name.count {
        case 2 where HeaderName.equals(name, HeaderName.te):
            teTrailers = HeaderName.equals(value, HeaderName.trailers)
        case 5 where HeaderName.equals(name, HeaderName.path):
            pathSeen = true
            resolvedRoute = connection.resolvePath(value)
            if resolvedRoute == nil { unknownPath = String(decoding: value, as: UTF8.self) }
        case 7 where HeaderName.equals(name, HeaderName.method):
            method = HeaderName.equals(value, HeaderName.post) ? .post : .other
        case 12 where HeaderName.equals(name, HeaderName.contentType):
            contentTypeSeen = true
            contentTypeValid = HeaderName.isGRPCContentType(value)
        case 12 where HeaderName.equals(name, HeaderName.grpcTimeout):
            timeoutNanos = GRPCTimeout.parse(value)
            timeoutMalformed = timeoutNanos == nil
        case 13 where HeaderName.equals(name, HeaderName.grpcEncoding):
            encoding = String(decoding: value, as: UTF8.self)
        case 13 where HeaderName.equals(name, HeaderName.authorization):
            authorization = String(decoding: value, as: UTF8.self)
        default:
            if name.first == UInt8(ascii: ":") { return }
            let key = String(decoding: name, as: UTF8.self)
            if !Metadata.isReserved(key) {
                metadata.addWire(name: key, value: String(decoding: value, as: UTF8.self))
            }
        }
    }

    /// Validates the head, routes and intercepts the call. For streaming
    /// requests the handler starts now; unary ones wait for their message.
    func headersEnded(endStream: Bool) {
        guard state == .receiving, route == nil else { return }
        startedAt = DispatchTimeNanos.now()
        guard method == .post else {
            return finishEarly(
                RPCError(.unimplemented, "gRPC requires POST"), httpStatus: 405)
        }
        guard contentTypeSeen, contentTypeValid else {
            return finishEarly(
                RPCError(.invalidArgument, "content-type must be application/grpc or application/grpc+proto"),
                httpStatus: 415)
        }
        guard teTrailers else {
            return finishEarly(RPCError(.invalidArgument, "missing header 'te: trailers'"))
        }
        if let encoding, encoding != "identity" {
            return finishEarly(
                RPCError(.unimplemented, "grpc-encoding '\(encoding)' is not supported; use identity"),
                extra: [HTTP2HeaderField("grpc-accept-encoding", "identity")])
        }
        if timeoutMalformed {
            return finishEarly(RPCError(.invalidArgument, "malformed grpc-timeout header"))
        }
        guard let route = resolvedRoute else {
            let text = pathSeen ? (unknownPath ?? "") : "(no :path)"
            let service = text.dropFirst().prefix { $0 != "/" }
            let known = connection.shared.router.services.contains(String(service))
            return finishEarly(
                RPCError(
                    .unimplemented,
                    known ? "method not found: \(text)" : "unknown service \(service) (path \(text))"))
        }
        var head = ServerCallHead(
            path: route.path, service: route.service, method: route.method, metadata: metadata,
            authorization: authorization, peer: connection.peer, principal: nil)
        do {
            for interceptor in connection.shared.interceptors { try interceptor.intercept(&head) }
        } catch {
            self.head = head
            return finishEarly(error)
        }
        self.head = head
        self.route = route
        var deadline: NIODeadline?
        if let timeoutNanos {
            let amount = TimeAmount.nanoseconds(timeoutNanos)
            deadline = .now() + amount
            deadlineTask = eventLoop.scheduleTask(in: amount) { [self] in
                self.expire()
            }
        }
        contextStorage = ServerContext(
            path: route.path, metadata: metadata, deadline: deadline, principal: head.principal,
            peer: connection.peer, eventLoop: eventLoop, cancellation: cancellationFlag)
        if !route.kind.waitsForRequest {
            state = .started
            route.start(self)
        }
        if endStream { self.endOfInput() }
    }

    // MARK: Request data

    /// Returns how many bytes to release from flow control right away.
    func data(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard state != .finished, let route else { return bytes.count }
        do {
            if route.kind.waitsForRequest {
                try deframer.process(bytes) { (message) throws(RPCError) in
                    messageCount += 1
                    if messageCount > 1 {
                        throw RPCError(.internalError, "more than one request message for \(route.path)")
                    }
                    unaryRequest = Array(message)
                }
                try holdRequestBytes(deframer.bufferedBytes + (unaryRequest?.count ?? 0))
                return bytes.count
            }
            unconsumedBytes += bytes.count
            try deframer.process(bytes) { (message) throws(RPCError) in
                deliver(Array(message))
            }
            return 0
        } catch {
            finish(error)
            return bytes.count
        }
    }

    /// Accounts for the request bytes this stream keeps in memory; fails the
    /// call when the connection as a whole holds too much.
    private func holdRequestBytes(_ count: Int) throws(RPCError) {
        connection.bufferedRequestBytes += count - heldRequestBytes
        heldRequestBytes = count
        let limit = connection.shared.config.limits.bufferedRequestBytesPerConnection
        if connection.bufferedRequestBytes > limit {
            throw RPCError(
                .resourceExhausted,
                "too much incomplete request data on this connection (over \(limit) bytes); send large requests one after another"
            )
        }
    }

    private func releaseRequestBytes() {
        guard heldRequestBytes > 0 else { return }
        connection.bufferedRequestBytes -= heldRequestBytes
        heldRequestBytes = 0
    }

    func endOfInput() {
        guard !inputEnded else { return }
        inputEnded = true
        guard state != .finished, let route else { return }
        if deframer.hasPartialMessage {
            return finish(RPCError(.internalError, "request ended inside a message"))
        }
        if route.kind.waitsForRequest {
            guard unaryRequest != nil else {
                return finish(RPCError(.internalError, "request ended without a message for \(route.path)"))
            }
            state = .started
            route.start(self)
        } else if let waiter = messageWaiter {
            messageWaiter = nil
            waiter.resume(returning: nil)
        }
    }

    func decodeUnaryRequest<Request: ProtoMessage>() -> Request? {
        guard let bytes = unaryRequest else { return nil }
        unaryRequest = nil
        releaseRequestBytes()
        do {
            return try bytes.withUnsafeBytes { try Request(serializedBytes: $0) }
        } catch {
            finish(RPCError(.invalidArgument, "request is not a valid \(Request.protoMessageName): \(error)"))
            return nil
        }
    }

    // MARK: Streaming requests (pull)

    private func deliver(_ message: [UInt8]) {
        if let waiter = messageWaiter {
            messageWaiter = nil
            release(message.count + 5)
            waiter.resume(returning: message)
        } else {
            pendingMessages.append(message)
        }
    }

    private func release(_ count: Int) {
        let amount = min(count, unconsumedBytes)
        unconsumedBytes -= amount
        connection.consume(streamID: id, bytes: amount)
    }

    func nextMessage() async throws -> [UInt8]? {
        try await withCheckedThrowingContinuation { continuation in
            eventLoop.execute { self.pull(continuation) }
        }
    }

    private func pull(_ continuation: CheckedContinuation<[UInt8]?, any Error>) {
        // Checked first: once finished, the connection may be gone.
        if state == .finished {
            continuation.resume(throwing: RPCError(.cancelled, "call is over"))
        } else if pendingHead < pendingMessages.count {
            let message = pendingMessages[pendingHead]
            pendingHead += 1
            if pendingHead == pendingMessages.count {
                pendingMessages.removeAll(keepingCapacity: true)
                pendingHead = 0
            }
            release(message.count + 5)
            continuation.resume(returning: message)
        } else if inputEnded {
            continuation.resume(returning: nil)
        } else {
            messageWaiter = continuation
        }
    }

    // MARK: Handler execution

    func startTask(_ body: @escaping @Sendable () async -> Void) {
        task = Task { await body() }
    }

    // MARK: Responses

    func completeUnary(_ framed: [UInt8]) {
        guard state == .started else { return }
        state = .finished
        deadlineTask?.cancel()
        do {
            try connection.session.submitResponse(
                streamID: id, headers: ResponseHeaders.ok, body: framed, trailers: ResponseHeaders.okTrailers)
        } catch {
            connection.shared.logger.debug("could not submit response: \(error)")
        }
        ended(.ok)
        connection.outputPending()
    }

    func writeMessage(_ framed: [UInt8]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            eventLoop.execute { self.enqueue(framed, continuation) }
        }
    }

    private func enqueue(_ framed: [UInt8], _ continuation: CheckedContinuation<Void, any Error>) {
        let pending: Int
        do {
            switch state {
            case .receiving, .finished:
                throw RPCError(.cancelled, "call is over")
            case .started:
                state = .responding
                try framed.withUnsafeBytes { body in
                    try connection.session.submitResponse(
                        streamID: id, headers: ResponseHeaders.ok, body: body, finished: false, trailers: nil)
                }
                pending = framed.count
            case .responding:
                pending = try framed.withUnsafeBytes { body in
                    try connection.session.sendData(streamID: id, body)
                }
            }
        } catch {
            continuation.resume(throwing: error is RPCError ? error : RPCError(.cancelled, "call is over"))
            return
        }
        connection.outputPending()
        if pending <= connection.shared.config.limits.streamHighWatermarkBytes {
            continuation.resume()
        } else {
            writerWaiter = continuation
        }
    }

    /// nghttp2 took queued bytes: let a waiting writer continue.
    func outboundDrained(pendingBytes: Int) {
        if let waiter = writerWaiter, pendingBytes <= connection.shared.config.limits.streamHighWatermarkBytes / 2 {
            writerWaiter = nil
            waiter.resume()
        }
    }

    func finishFromAnyThread(_ error: any Error) {
        if eventLoop.inEventLoop {
            finish(error)
        } else {
            eventLoop.execute { self.finish(error) }
        }
    }

    /// Ends the call with a status. OK after streaming responses sends the trailers.
    func finish(_ error: any Error) {
        guard state != .finished else { return }
        let status = connection.shared.status(for: error, path: route?.path)
        let previous = state
        state = .finished
        releaseRequestBytes()
        deadlineTask?.cancel()
        do {
            if previous == .responding {
                try connection.session.finish(streamID: id, trailers: ResponseHeaders.trailers(status))
            } else if status.code == .ok {
                // A streaming call that sent no message: headers, then OK trailers.
                try connection.session.submitResponse(
                    streamID: id, headers: ResponseHeaders.ok, body: UnsafeRawBufferPointer(start: nil, count: 0),
                    finished: true, trailers: ResponseHeaders.okTrailers)
            } else {
                try connection.session.submitHeadersOnly(
                    streamID: id, headers: ResponseHeaders.trailersOnly(status))
            }
        } catch {
            connection.shared.logger.debug("could not submit status on stream \(id): \(error)")
        }
        failWaiters(RPCError(.cancelled, "call is over"))
        ended(status.code)
        connection.outputPending()
    }

    private func finishEarly(_ error: RPCError, httpStatus: Int = 200, extra: [HTTP2HeaderField] = []) {
        state = .finished
        do {
            try connection.session.submitHeadersOnly(
                streamID: id, headers: ResponseHeaders.trailersOnly(error, httpStatus: httpStatus, extra: extra))
        } catch {
            connection.shared.logger.debug("could not submit early status on stream \(id): \(error)")
        }
        ended(error.code)
        connection.outputPending()
    }

    private func expire() {
        guard state != .finished else { return }
        cancellationFlag.cancel()
        task?.cancel()
        finish(RPCError(.deadlineExceeded, "deadline exceeded"))
    }

    /// The stream closed. A call that had not finished was cancelled by the peer.
    func closed(errorCode: UInt32) {
        deadlineTask?.cancel()
        releaseRequestBytes()
        if unconsumedBytes > 0 {
            connection.session.consumeConnection(bytes: unconsumedBytes)
            unconsumedBytes = 0
        }
        cancellationFlag.cancel()
        pendingMessages.removeAll()
        pendingHead = 0
        guard state != .finished else { return }
        state = .finished
        task?.cancel()
        failWaiters(RPCError(.cancelled, "call cancelled by the client"))
        ended(.cancelled)
    }

    private func failWaiters(_ error: RPCError) {
        if let waiter = messageWaiter {
            messageWaiter = nil
            waiter.resume(throwing: error)
        }
        if let waiter = writerWaiter {
            writerWaiter = nil
            waiter.resume(throwing: error)
        }
    }

    private func ended(_ code: RPCError.Code) {
        guard let head else { return }
        let elapsed = DispatchTimeNanos.now() &- startedAt
        for interceptor in connection.shared.interceptors {
            interceptor.callEnded(head, status: code, nanoseconds: elapsed)
        }
    }
}

/// Monotonic nanoseconds for call durations.
enum DispatchTimeNanos {
    static func now() -> UInt64 { UInt64(NIODeadline.now().uptimeNanoseconds) }
}
