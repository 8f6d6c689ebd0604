import OMSProto

/// The gRPC protocol of one client call, as a value: the call's stream,
/// whether its request may still be sent, the response's headers, messages
/// and trailers, and how the call settles.
///
/// Each method takes one event (the stream opened, a header or data arrived,
/// the stream closed, the caller cancelled, the deadline fired, ...) and
/// returns what the I/O code (`ClientCall` and `ClientConnectionHandler`)
/// must do: deliver messages, settle the caller, reset the stream. It holds
/// no continuation and does no I/O, so every transition is testable without
/// sockets.
///
/// Phases only move forward: idle → open → settled (or idle → settled when
/// the call fails before its stream opens).
struct ClientCallStateMachine {
    /// How many response messages the call takes.
    enum Kind: Sendable, Hashable {
        /// Unary and client-streaming: exactly one.
        case single
        /// Server-streaming: any number, handed out as they arrive.
        case stream
    }

    enum Phase: Sendable, Hashable {
        /// Created; no stream yet.
        case idle
        /// The request went out on stream `streamID`.
        case open
        /// The caller has its answer (or error); nothing more happens.
        case settled
    }

    enum OnReceiveData: Sendable, Hashable {
        /// Re-open this many bytes of flow-control window.
        case release(Int)
        /// Re-open `release` bytes; complete messages wait in
        /// `takeReceivedMessage()` for a streaming caller.
        case deliverMessages(release: Int)
    }

    enum OnStreamClosed: Sendable, Hashable {
        /// Already settled: nothing to do.
        case none
        /// Unary: the caller gets this message.
        case succeed([UInt8])
        /// Server streaming: the stream of messages ends normally.
        case finishStream
        /// The caller gets this error.
        case fail(RPCError)
    }

    enum OnCancel: Sendable, Hashable {
        /// Already settled: nothing to do.
        case none
        /// No stream yet: the caller gets the error.
        case fail(RPCError)
        /// Send RST_STREAM(CANCEL) on the stream, then the caller gets the error.
        case resetStream(Int32, RPCError)
    }

    enum OnSendRequest: Sendable, Hashable {
        /// Settled or not started: drop the bytes (as a finished call would).
        case none
        /// Queue the bytes on the stream and, with `end`, half-close it.
        case send(streamID: Int32, end: Bool)
        /// The request already ended: cancel the call with this error.
        case cancel(RPCError)
    }

    let path: String
    let kind: Kind
    private(set) var phase = Phase.idle
    /// The call's stream once open (-1 before).
    private(set) var streamID: Int32 = -1
    /// END_STREAM went out: no more request bytes.
    private(set) var requestEnded = false

    // Response, as it arrives.
    private var deframer: MessageDeframer
    private var httpStatus: Int?
    private var grpcStatus: Int32?
    private var grpcMessage: String?
    private var detailsBin: [UInt8]?
    private var trailingMetadata = Metadata()
    private var message: [UInt8]?
    private var messageCount = 0
    /// A framing error (or a second unary message): the call fails with it at close.
    private var localError: RPCError?
    /// Streaming messages not yet handed to the caller.
    private var received: [[UInt8]] = []
    private var receivedHead = 0

    init(path: String, kind: Kind, maxReceiveMessageBytes: Int) {
        self.path = path
        self.kind = kind
        self.deframer = MessageDeframer(maxMessageBytes: maxReceiveMessageBytes)
    }

    var isSettled: Bool { phase == .settled }

    // MARK: Request

    /// The request's stream opened; with `endStream` its request is complete already.
    mutating func streamOpened(_ id: Int32, endStream: Bool) {
        guard phase == .idle else { return }
        phase = .open
        streamID = id
        requestEnded = endStream
    }

    /// More request bytes (client streaming), with `end` the last.
    mutating func sendRequest(end: Bool) -> OnSendRequest {
        guard phase == .open else { return .none }
        if requestEnded {
            return .cancel(RPCError(.internalError, "could not send request data: the request already ended"))
        }
        if end { requestEnded = true }
        return .send(streamID: streamID, end: end)
    }

    // MARK: Response

    /// One header field of the response headers or trailers.
    mutating func receiveHeader(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        guard phase != .settled else { return }
        let key = String(decoding: name, as: UTF8.self)
        switch key {
        case ":status":
            httpStatus = Int(String(decoding: value, as: UTF8.self))
        case "content-type":
            break
        case "grpc-status":
            grpcStatus = Int32(String(decoding: value, as: UTF8.self))
        case "grpc-message":
            grpcMessage = PercentEncoding.decode(String(decoding: value, as: UTF8.self))
        case "grpc-status-details-bin":
            detailsBin = ProtoBase64.decode(String(decoding: value, as: UTF8.self))
        default:
            if !Metadata.isReserved(key) {
                trailingMetadata.addWire(name: key, value: String(decoding: value, as: UTF8.self))
            }
        }
    }

    /// Response DATA. Every byte is released at once: the caller's memory is
    /// bounded by the message limit (unary) or by its own reading (the stream's
    /// buffer); a framing error is kept and fails the call when the stream closes.
    mutating func receiveData(_ bytes: UnsafeRawBufferPointer) -> OnReceiveData {
        guard phase != .settled, localError == nil else { return .release(bytes.count) }
        // Locals only in the closure, so the deframer (part of self) can be mutated.
        let kind = self.kind
        let path = self.path
        var count = messageCount
        var single: [UInt8]?
        var stream: [[UInt8]] = []
        swap(&stream, &received)
        let processed = Result { () throws(RPCError) in
            try deframer.process(bytes) { (payload) throws(RPCError) in
                count += 1
                switch kind {
                case .single:
                    if count > 1 {
                        throw RPCError(.internalError, "server sent more than one response message for \(path)")
                    }
                    single = Array(payload)
                case .stream:
                    stream.append(Array(payload))
                }
            }
        }
        swap(&stream, &received)
        messageCount = count
        if let single { message = single }
        if case .failure(let error) = processed { localError = error }
        return receivedHead < received.count ? .deliverMessages(release: bytes.count) : .release(bytes.count)
    }

    /// The next streaming message that arrived and was not handed out yet.
    mutating func takeReceivedMessage() -> [UInt8]? {
        guard receivedHead < received.count else { return nil }
        let next = received[receivedHead]
        receivedHead += 1
        if receivedHead == received.count {
            received.removeAll(keepingCapacity: true)
            receivedHead = 0
        }
        return next
    }

    /// The stream closed (`errorCode` from RST_STREAM or GOAWAY, 0 for a
    /// normal close): settle the call from what arrived.
    mutating func streamClosed(errorCode: UInt32) -> OnStreamClosed {
        guard phase != .settled else { return .none }
        phase = .settled
        switch (kind, outcome(errorCode: errorCode)) {
        case (.single, .success):
            guard let message else {
                return .fail(RPCError(.internalError, "server sent no response message for \(path)"))
            }
            return .succeed(message)
        case (.stream, .success):
            return .finishStream
        case (_, .failure(let error)):
            return .fail(error)
        }
    }

    /// The call ends here without telling the server (the connection is
    /// gone, GOAWAY refused it, it could not start): the error to hand the
    /// caller, nil if it was settled already.
    mutating func fail(_ error: RPCError) -> RPCError? {
        guard phase != .settled else { return nil }
        phase = .settled
        return error
    }

    /// The caller cancelled, or the deadline passed.
    mutating func cancel(_ error: RPCError) -> OnCancel {
        switch phase {
        case .settled:
            return .none
        case .idle:
            phase = .settled
            return .fail(error)
        case .open:
            phase = .settled
            return .resetStream(streamID, error)
        }
    }

    private func outcome(errorCode: UInt32) -> Result<Void, RPCError> {
        if let localError { return .failure(localError) }
        if let grpcStatus {
            if grpcStatus == 0 { return .success(()) }
            var error = RPCError(RPCError.Code(rawValue: grpcStatus), grpcMessage ?? "", metadata: trailingMetadata)
            if let detailsBin, let decoded = StatusDetailsCodec.decode(detailsBin) {
                error.details = decoded.details
            }
            return .failure(error)
        }
        if let httpStatus, httpStatus != 200 {
            return .failure(RPCError(Self.code(forHTTPStatus: httpStatus), "HTTP status \(httpStatus) from server"))
        }
        if errorCode != 0 {
            let code: RPCError.Code = errorCode == 7 ? .unavailable : (errorCode == 8 ? .cancelled : .internalError)
            return .failure(RPCError(code, "stream reset by server (HTTP/2 error \(errorCode))"))
        }
        return .failure(RPCError(.internalError, "server closed the stream without a gRPC status"))
    }

    /// The gRPC mapping of HTTP statuses for responses without grpc-status.
    static func code(forHTTPStatus status: Int) -> RPCError.Code {
        switch status {
        case 400: .internalError
        case 401: .unauthenticated
        case 403: .permissionDenied
        case 404: .unimplemented
        case 429, 502, 503, 504: .unavailable
        default: .unknown
        }
    }
}
