import NIOCore
import Nghttp2
import OMSProto

/// One client call's response side: headers, messages, trailers → a result.
///
/// Confined to the connection's event loop.
final class ClientCall {
    enum Sink {
        /// Unary and client-streaming: exactly one response message.
        case single(CheckedContinuation<[UInt8], any Error>)
        /// Server-streaming: every message, then the end.
        case stream(AsyncThrowingStream<[UInt8], any Error>.Continuation)
    }

    let path: String
    private var sink: Sink?
    private var deframer: MessageDeframer
    private var httpStatus: Int?
    private var contentTypeValid = false
    private var grpcStatus: Int32?
    private var grpcMessage: String?
    private var detailsBin: [UInt8]?
    private var trailingMetadata = Metadata()
    private var message: [UInt8]?
    private var messageCount = 0
    private var localError: RPCError?
    var streamID: Int32 = -1
    var deadlineTask: Scheduled<Void>?

    init(path: String, sink: Sink, maxMessageBytes: Int) {
        self.path = path
        self.sink = sink
        self.deframer = MessageDeframer(maxMessageBytes: maxMessageBytes)
    }

    var isDone: Bool { sink == nil }

    func header(kind: HTTP2HeaderBlockKind, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        let key = String(decoding: name, as: UTF8.self)
        switch key {
        case ":status":
            httpStatus = Int(String(decoding: value, as: UTF8.self))
        case "content-type":
            contentTypeValid = HeaderName.isGRPCContentType(value)
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

    /// Returns bytes to release from flow control.
    func data(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard sink != nil, localError == nil else { return bytes.count }
        do {
            try deframer.process(bytes) { (payload) throws(RPCError) in
                messageCount += 1
                switch sink {
                case .single:
                    if messageCount > 1 {
                        throw RPCError(.internalError, "server sent more than one response message for \(path)")
                    }
                    message = Array(payload)
                case .stream(let continuation):
                    continuation.yield(Array(payload))
                case nil:
                    break
                }
            }
        } catch {
            localError = error
        }
        return bytes.count
    }

    /// The stream closed: settle the call from what arrived.
    func closed(errorCode: UInt32) {
        deadlineTask?.cancel()
        guard let sink else { return }
        self.sink = nil
        let result = outcome(errorCode: errorCode)
        switch (sink, result) {
        case (.single(let continuation), .success):
            if let message {
                continuation.resume(returning: message)
            } else {
                continuation.resume(throwing: RPCError(.internalError, "server sent no response message for \(path)"))
            }
        case (.single(let continuation), .failure(let error)):
            continuation.resume(throwing: error)
        case (.stream(let continuation), .success):
            continuation.finish()
        case (.stream(let continuation), .failure(let error)):
            continuation.finish(throwing: error)
        }
    }

    /// Ends the call locally (deadline, cancellation, connection loss).
    func fail(_ error: RPCError) {
        deadlineTask?.cancel()
        guard let sink else { return }
        self.sink = nil
        switch sink {
        case .single(let continuation): continuation.resume(throwing: error)
        case .stream(let continuation): continuation.finish(throwing: error)
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
