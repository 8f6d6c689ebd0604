/// The gRPC protocol of one server stream, as a value: request head checks,
/// deframing, the connection's request-bytes budget, flow-control
/// accounting, backpressure, the response's shape and cancellation.
///
/// Each method takes one event (a header arrived, data arrived, the handler
/// answered, the deadline fired, the stream closed, ...) and returns what the
/// I/O code (`ServerStream`) must do: submit a response, release flow-control
/// bytes, start the handler, resume or fail a parked reader or writer, report
/// the call's end to interceptors. It does no I/O, holds no continuation and
/// reaches no connection, so every transition is testable without sockets.
///
/// Phases only move forward: receivingHead → intercepting → (receivingRequest)
/// → handling → responding → finished; any phase may jump to finished.
/// The request side is tracked apart (`inputEnded`): streaming requests keep
/// arriving while the handler runs.
///
/// Hot-path rules: no allocation beyond what the old class did (request
/// bytes are read in place, the only copies are the kept messages), no
/// existential or escaping closure per event.
struct ServerStreamStateMachine {
    enum Phase: Hashable, Sendable {
        /// Collecting request headers.
        case receivingHead
        /// The head is valid and routed; interceptors decide (`headAccepted` / `headRejected`).
        case intercepting
        /// A unary or server-streaming call reads its one request message.
        case receivingRequest
        /// The handler runs; no response bytes sent yet.
        case handling
        /// Response headers are out; messages may follow.
        case responding
        /// Status sent or call cancelled; nothing more will be sent.
        case finished
    }

    /// A call refused from its headers alone: a trailers-only response, and
    /// no interceptor hears of it (they never saw its head).
    struct Rejection: Hashable, Sendable {
        var status: RPCError
        var httpStatus: Int
        /// Sent as `grpc-accept-encoding` (for an unsupported `grpc-encoding`).
        var acceptEncoding: String?
    }

    /// How a call ends. The I/O code carries it out in this order: cancel the
    /// deadline timer; with `cancelHandler`, mark the call cancelled and cancel
    /// its task; submit `response`; fail the parked reader and writer with
    /// `failWaiters`; report `reportedStatus` to the interceptors; flush.
    ///
    /// Kept to a few words: it is returned by value on every call's hot path
    /// (a 133-byte version was copied with memcpy at each hand-over). So the
    /// error statuses are `indirect` (boxed only when a call fails, a path
    /// that allocates its message anyway) and the waiters' error is a tag.
    struct Ending: Sendable, Hashable {
        enum Response: Sendable, Hashable {
            /// Nothing to send (the stream is already closed).
            case none
            /// One HEADERS frame with END_STREAM: HTTP 200, content-type, gRPC status.
            indirect case trailersOnly(RPCError)
            /// A streaming call that sent no message ends OK: headers, then OK trailers.
            case headersAndOKTrailers
            /// After response messages: the plain `grpc-status: 0` trailers.
            case okTrailers
            /// After response messages: the trailers with this status.
            indirect case trailers(RPCError)
            /// A unary answer: headers, the framed message, OK trailers.
            case unary([UInt8])
        }

        /// The error a parked reader or writer gets.
        enum WaiterFailure: Sendable, Hashable {
            /// The call ended (status sent, deadline).
            case callIsOver
            /// The client reset the stream or the connection went away.
            case cancelledByClient

            var error: RPCError {
                switch self {
                case .callIsOver: RPCError(.cancelled, "call is over")
                case .cancelledByClient: RPCError(.cancelled, "call cancelled by the client")
                }
            }
        }

        var response: Response
        var cancelHandler = false
        /// Fail the parked reader and writer (if any) so; nil when none is parked.
        var failWaiters: WaiterFailure?
        /// The final status code for `ServerInterceptor.callEnded`; nil when
        /// the interceptors never saw the call.
        var reportedStatus: RPCError.Code?
    }

    enum OnHeadersEnded: Sendable {
        /// Not collecting headers any more: ignore.
        case none
        /// Refuse the call: submit the trailers-only response.
        case reject(Rejection)
        /// Run the interceptors on this head, then call `headAccepted()` or `headRejected(_:)`.
        case intercept(ServerCallHead)
    }

    enum OnHeadAccepted {
        case none
        /// Build the handler's context (a deadline `timeoutNanos` from now,
        /// if set), arm the deadline timer and, with `startHandler`, start
        /// the route's handler (client and bidirectional streaming start now;
        /// the others once their request message is complete).
        case accept(Route, timeoutNanos: Int64?, startHandler: Bool)
    }

    enum OnReceiveData: Sendable, Hashable {
        /// Re-open this many bytes of flow-control window now (streaming
        /// calls return 0: their bytes are released as the handler reads).
        case release(Int)
        /// The parked reader takes this message; re-open `release` bytes.
        case resumeReader([UInt8], release: Int)
        /// The call fails; re-open `release` bytes.
        case end(Ending, release: Int)
    }

    enum OnEndOfInput {
        case none
        /// The unary request is complete: start the route's handler.
        case startHandler(Route)
        /// The parked reader learns that no more messages come.
        case resumeReaderWithEnd
        case end(Ending)
    }

    enum OnNextMessage: Sendable, Hashable {
        /// Hand the reader this message; re-open `release` bytes.
        case message([UInt8], release: Int)
        /// No more messages: the reader gets nil.
        case endOfMessages
        /// The call is over: the reader gets this error.
        case fail(RPCError)
        /// Nothing yet: park the reader until data, end of input or the end of the call.
        case park
    }

    enum OnWriteMessage: Sendable, Hashable {
        /// The first message: submit the response headers with it as the start of the body.
        case submitResponseHead
        /// Append it to the open body.
        case sendData
        /// The call is over: the writer gets this error.
        case fail(RPCError)
    }

    enum OnMessageQueued: Sendable, Hashable {
        /// Below the high-water mark: the writer continues.
        case resumeWriter
        /// Above it: park the writer until `outboundDrained` says otherwise.
        case parkWriter
    }

    enum OnStreamClosed: Sendable, Hashable {
        /// Re-open this many bytes of the connection's window (data the
        /// handler never read); with `cancelled`, the call was still running:
        /// the client cancelled it (RST_STREAM) or the connection went away.
        case closed(releaseConnectionBytes: Int, cancelled: Ending?)
    }

    let maxReceiveMessageBytes: Int
    let streamHighWatermark: Int
    private(set) var phase = Phase.receivingHead
    /// The client sent END_STREAM.
    private(set) var inputEnded = false

    // Request head, collected header by header.
    private var head = CollectedHead()
    private var resolvedRoute: Route?
    /// The accepted call's route (nil before acceptance).
    private(set) var route: Route?
    /// The interceptors saw the head: they hear of the call's end.
    private var intercepted = false

    // Request body.
    private var deframer: MessageDeframer
    private var unaryRequest: [UInt8]?
    private var messageCount = 0
    /// This stream's share of the connection's `RequestBytesBudget`.
    private(set) var heldRequestBytes = 0

    // Streaming requests: messages not yet read, and DATA bytes not yet
    // released to flow control (released as the handler reads).
    private var pendingMessages: [[UInt8]] = []
    private var pendingHead = 0
    private(set) var unconsumedBytes = 0
    private(set) var readerParked = false
    private(set) var writerParked = false

    // Inlined, so a stream's machine is built in place rather than copied into it.
    @inline(__always)
    init(limits: RPCLimits.Config) {
        self.init(
            maxReceiveMessageBytes: limits.maxReceiveMessageBytes, streamHighWatermark: limits.streamHighWatermarkBytes)
    }

    @inline(__always)
    init(maxReceiveMessageBytes: Int, streamHighWatermark: Int) {
        self.maxReceiveMessageBytes = maxReceiveMessageBytes
        self.streamHighWatermark = streamHighWatermark
        self.deframer = MessageDeframer(maxMessageBytes: maxReceiveMessageBytes)
    }

    var isFinished: Bool { phase == .finished }

    /// The accepted call's path, for logs (nil before acceptance).
    var path: String? { route?.path }

    // MARK: Request head

    private enum HeaderMethod { case missing, post, other }

    private struct CollectedHead {
        var pathSeen = false
        /// The path as text, kept only when it matched no route (for the error).
        var unknownPath: String?
        var unknownPathServiceKnown = false
        var method = HeaderMethod.missing
        var contentTypeSeen = false
        var contentTypeValid = false
        var teTrailers = false
        var encoding: String?
        var timeoutNanos: Int64?
        var timeoutMalformed = false
        var authorization: String?
        var metadata = Metadata()
    }

    /// One request header field. The bytes are read in place; only values
    /// the call keeps become Strings.
    mutating func receiveHeader(
        name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, routes: inout RouteLookup
    ) {
        guard phase == .receivingHead else { return }
        switch name.count {
        case 2 where HeaderName.equals(name, HeaderName.te):
            head.teTrailers = HeaderName.equals(value, HeaderName.trailers)
        case 5 where HeaderName.equals(name, HeaderName.path):
            head.pathSeen = true
            resolvedRoute = routes.route(forPath: value)
            if resolvedRoute == nil {
                let text = String(decoding: value, as: UTF8.self)
                head.unknownPath = text
                head.unknownPathServiceKnown = routes.knowsService(ofPath: text)
            } else {
                head.unknownPath = nil
            }
        case 7 where HeaderName.equals(name, HeaderName.method):
            head.method = HeaderName.equals(value, HeaderName.post) ? .post : .other
        case 12 where HeaderName.equals(name, HeaderName.contentType):
            head.contentTypeSeen = true
            head.contentTypeValid = HeaderName.isGRPCContentType(value)
        case 12 where HeaderName.equals(name, HeaderName.grpcTimeout):
            head.timeoutNanos = GRPCTimeout.parse(value)
            head.timeoutMalformed = head.timeoutNanos == nil
        case 13 where HeaderName.equals(name, HeaderName.grpcEncoding):
            head.encoding = String(decoding: value, as: UTF8.self)
        case 13 where HeaderName.equals(name, HeaderName.authorization):
            head.authorization = String(decoding: value, as: UTF8.self)
        default:
            if name.first == UInt8(ascii: ":") { return }
            let key = String(decoding: name, as: UTF8.self)
            if !Metadata.isReserved(key) {
                head.metadata.addWire(name: key, value: String(decoding: value, as: UTF8.self))
            }
        }
    }

    /// The request headers are complete: checks them in gRPC's order and
    /// either refuses the call or hands its head to the interceptors.
    mutating func headersEnded(peer: String) -> OnHeadersEnded {
        guard phase == .receivingHead else { return .none }
        if let rejection = checkHead() {
            phase = .finished
            return .reject(rejection)
        }
        phase = .intercepting
        let route = resolvedRoute!
        return .intercept(
            ServerCallHead(
                path: route.path, service: route.service, method: route.method, metadata: head.metadata,
                authorization: head.authorization, peer: peer, principal: nil))
    }

    // Inlined: called out of line on a mutating self, it copied the whole machine first.
    @inline(__always)
    private func checkHead() -> Rejection? {
        guard head.method == .post else {
            return Rejection(status: RPCError(.unimplemented, "gRPC requires POST"), httpStatus: 405)
        }
        guard head.contentTypeSeen, head.contentTypeValid else {
            return Rejection(
                status: RPCError(
                    .invalidArgument, "content-type must be application/grpc or application/grpc+proto"),
                httpStatus: 415)
        }
        guard head.teTrailers else {
            return Rejection(status: RPCError(.invalidArgument, "missing header 'te: trailers'"), httpStatus: 200)
        }
        if let encoding = head.encoding, encoding != "identity" {
            return Rejection(
                status: RPCError(.unimplemented, "grpc-encoding '\(encoding)' is not supported; use identity"),
                httpStatus: 200, acceptEncoding: "identity")
        }
        if head.timeoutMalformed {
            return Rejection(status: RPCError(.invalidArgument, "malformed grpc-timeout header"), httpStatus: 200)
        }
        guard resolvedRoute != nil else {
            let text = head.pathSeen ? (head.unknownPath ?? "") : "(no :path)"
            let service = text.dropFirst().prefix { $0 != "/" }
            let message =
                head.pathSeen && head.unknownPathServiceKnown
                ? "method not found: \(text)" : "unknown service \(service) (path \(text))"
            return Rejection(status: RPCError(.unimplemented, message), httpStatus: 200)
        }
        return nil
    }

    /// The interceptors let the call through.
    mutating func headAccepted() -> OnHeadAccepted {
        guard phase == .intercepting, let route = resolvedRoute else { return .none }
        intercepted = true
        self.route = route
        let startsNow = !route.kind.waitsForRequest
        phase = startsNow ? .handling : .receivingRequest
        return .accept(route, timeoutNanos: head.timeoutNanos, startHandler: startsNow)
    }

    /// An interceptor refused the call (authentication, say): trailers-only,
    /// and the interceptors hear of its end.
    mutating func headRejected(_ error: RPCError) -> Ending? {
        guard phase == .intercepting else { return nil }
        intercepted = true
        phase = .finished
        return Ending(response: .trailersOnly(error), reportedStatus: error.code)
    }

    // MARK: Request data

    mutating func receiveData(_ bytes: UnsafeRawBufferPointer, budget: inout RequestBytesBudget) -> OnReceiveData {
        guard phase != .finished, let route else { return .release(bytes.count) }
        do {
            if route.kind.waitsForRequest {
                try receiveUnaryData(bytes, route: route, budget: &budget)
                return .release(bytes.count)
            }
            return try receiveStreamingData(bytes)
        } catch {
            return .end(fail(error, budget: &budget), release: bytes.count)
        }
    }

    private mutating func receiveUnaryData(
        _ bytes: UnsafeRawBufferPointer, route: Route, budget: inout RequestBytesBudget
    ) throws(RPCError) {
        // The closure captures locals only, so the deframer (part of self)
        // can be mutated while it runs.
        var count = messageCount
        var message: [UInt8]?
        try deframer.process(bytes) { (payload) throws(RPCError) in
            count += 1
            if count > 1 { throw RPCError(.internalError, "more than one request message for \(route.path)") }
            message = Array(payload)
        }
        messageCount = count
        if let message { unaryRequest = message }
        try budget.hold(deframer.bufferedBytes + (unaryRequest?.count ?? 0), share: &heldRequestBytes)
    }

    private mutating func receiveStreamingData(_ bytes: UnsafeRawBufferPointer) throws(RPCError) -> OnReceiveData {
        unconsumedBytes += bytes.count
        // Swapped out so the closure captures a local (no overlapping access
        // to self) that is the array's only reference (no copy on append).
        var pending: [[UInt8]] = []
        swap(&pending, &pendingMessages)
        let processed = Result { () throws(RPCError) in
            try deframer.process(bytes) { (payload) throws(RPCError) in pending.append(Array(payload)) }
        }
        swap(&pending, &pendingMessages)
        try processed.get()
        if readerParked, let message = popPendingMessage() {
            readerParked = false
            return .resumeReader(message, release: releaseRead(message.count + 5))
        }
        return .release(0)
    }

    /// The client sent END_STREAM.
    mutating func receiveEndOfInput(budget: inout RequestBytesBudget) -> OnEndOfInput {
        guard !inputEnded else { return .none }
        inputEnded = true
        guard phase != .finished, let route else { return .none }
        if deframer.hasPartialMessage {
            return .end(fail(RPCError(.internalError, "request ended inside a message"), budget: &budget))
        }
        if route.kind.waitsForRequest {
            guard unaryRequest != nil else {
                return .end(
                    fail(RPCError(.internalError, "request ended without a message for \(route.path)"), budget: &budget)
                )
            }
            phase = .handling
            return .startHandler(route)
        }
        if readerParked {
            readerParked = false
            return .resumeReaderWithEnd
        }
        return .none
    }

    /// The handler takes the unary request's bytes (once); the stream gives
    /// back its share of the connection's budget.
    mutating func takeUnaryRequest(budget: inout RequestBytesBudget) -> [UInt8]? {
        guard let bytes = unaryRequest else { return nil }
        unaryRequest = nil
        budget.release(share: &heldRequestBytes)
        return bytes
    }

    // MARK: Streaming requests (pull)

    /// The handler asks for the next request message.
    mutating func nextMessage() -> OnNextMessage {
        if phase == .finished { return .fail(RPCError(.cancelled, "call is over")) }
        if let message = popPendingMessage() {
            return .message(message, release: releaseRead(message.count + 5))
        }
        if inputEnded { return .endOfMessages }
        readerParked = true
        return .park
    }

    private mutating func popPendingMessage() -> [UInt8]? {
        guard pendingHead < pendingMessages.count else { return nil }
        let message = pendingMessages[pendingHead]
        pendingHead += 1
        if pendingHead == pendingMessages.count {
            pendingMessages.removeAll(keepingCapacity: true)
            pendingHead = 0
        }
        return message
    }

    /// A message (and its 5-byte prefix) was read: that much window re-opens.
    private mutating func releaseRead(_ count: Int) -> Int {
        let amount = min(count, unconsumedBytes)
        unconsumedBytes -= amount
        return amount
    }

    // MARK: Responses

    /// The unary (or client-streaming) handler answered with a framed message.
    mutating func completeUnary(_ framed: [UInt8], budget: inout RequestBytesBudget) -> Ending? {
        guard phase == .handling else { return nil }
        return end(with: .unary(framed), status: .ok, budget: &budget)
    }

    /// A streaming handler writes a framed message (or several).
    mutating func writeMessage() -> OnWriteMessage {
        switch phase {
        case .receivingHead, .intercepting, .receivingRequest, .finished:
            return .fail(RPCError(.cancelled, "call is over"))
        case .handling:
            phase = .responding
            return .submitResponseHead
        case .responding:
            return .sendData
        }
    }

    /// The written message is queued; `pendingBytes` are now waiting on the stream.
    mutating func messageQueued(pendingBytes: Int) -> OnMessageQueued {
        if pendingBytes <= streamHighWatermark { return .resumeWriter }
        writerParked = true
        return .parkWriter
    }

    /// nghttp2 took queued bytes; `pendingBytes` are left. True: resume the
    /// parked writer (hysteresis: it waits until half the mark has drained).
    mutating func outboundDrained(pendingBytes: Int) -> Bool {
        guard writerParked, pendingBytes <= streamHighWatermark / 2 else { return false }
        writerParked = false
        return true
    }

    /// The handler ended the call with `status` (already mapped from its
    /// error by `ServerShared.status(for:path:)`). OK after streamed
    /// messages sends the trailers; nil when the call was already over.
    mutating func finish(_ status: RPCError, budget: inout RequestBytesBudget) -> Ending? {
        guard phase != .finished else { return nil }
        return fail(status, budget: &budget)
    }

    /// The `grpc-timeout` deadline passed: cancel the handler, DEADLINE_EXCEEDED.
    mutating func deadlineFired(budget: inout RequestBytesBudget) -> Ending? {
        guard phase != .finished else { return nil }
        var ending = fail(RPCError(.deadlineExceeded, "deadline exceeded"), budget: &budget)
        ending.cancelHandler = true
        return ending
    }

    /// The stream closed (after our status, or by the client's RST_STREAM or
    /// the connection going away).
    mutating func streamClosed(budget: inout RequestBytesBudget) -> OnStreamClosed {
        budget.release(share: &heldRequestBytes)
        let unread = unconsumedBytes
        unconsumedBytes = 0
        pendingMessages.removeAll()
        pendingHead = 0
        unaryRequest = nil
        guard phase != .finished else { return .closed(releaseConnectionBytes: unread, cancelled: nil) }
        let ending = Ending(
            response: .none, cancelHandler: true,
            failWaiters: takeWaiters(.cancelledByClient),
            reportedStatus: intercepted ? .cancelled : nil)
        phase = .finished
        return .closed(releaseConnectionBytes: unread, cancelled: ending)
    }

    /// Ends a running call with `status`, in the response shape its phase allows.
    private mutating func fail(_ status: RPCError, budget: inout RequestBytesBudget) -> Ending {
        let response: Ending.Response
        if phase == .responding {
            let plainOK =
                status.code == .ok && status.message.isEmpty && status.details.isEmpty && status.metadata.isEmpty
            response = plainOK ? .okTrailers : .trailers(status)
        } else if status.code == .ok {
            response = .headersAndOKTrailers
        } else {
            response = .trailersOnly(status)
        }
        return end(with: response, status: status.code, budget: &budget)
    }

    private mutating func end(
        with response: Ending.Response, status: RPCError.Code, budget: inout RequestBytesBudget
    ) -> Ending {
        phase = .finished
        budget.release(share: &heldRequestBytes)
        return Ending(
            response: response, failWaiters: takeWaiters(.callIsOver),
            reportedStatus: intercepted ? status : nil)
    }

    /// `failure` if a reader or writer is parked (both are then unparked), else nil.
    private mutating func takeWaiters(_ failure: Ending.WaiterFailure) -> Ending.WaiterFailure? {
        guard readerParked || writerParked else { return nil }
        readerParked = false
        writerParked = false
        return failure
    }
}
