public import OMSProto

/// Answers a unary (or client-streaming) call exactly once, from any thread.
///
/// The response is encoded on the calling thread, then handed to the
/// connection's event loop. Later answers after the first are ignored.
public struct UnaryResponder<Response: ProtoMessage>: Sendable {
    let stream: ServerStream

    /// Ends the call with `response` and status OK.
    public func succeed(_ response: Response) {
        let framed = GRPCFraming.frame(response)
        if stream.eventLoop.inEventLoop {
            stream.completeUnary(framed)
        } else {
            stream.eventLoop.execute { stream.completeUnary(framed) }
        }
    }

    /// Ends the call with an already-encoded response: `framed` must be the
    /// 5-byte gRPC prefix followed by a valid encoding of `Response` (see
    /// `GRPCFraming.frameEmbedded`). Lets read paths send stored protobuf bytes
    /// without decoding and re-encoding them.
    public func succeed(framed: [UInt8]) {
        if stream.eventLoop.inEventLoop {
            stream.completeUnary(framed)
        } else {
            stream.eventLoop.execute { stream.completeUnary(framed) }
        }
    }

    /// Ends the call with the error's status (an `RPCError`, else INTERNAL).
    public func fail(_ error: any Error) {
        stream.finishFromAnyThread(error)
    }

    /// Completes with a `Result` (convenience for callback-style producers).
    public func complete(_ result: Result<Response, any Error>) {
        switch result {
        case .success(let response): succeed(response)
        case .failure(let error): fail(error)
        }
    }

    /// The call's context.
    public var context: ServerContext { stream.context }
}

/// Sends the responses of a streaming call.
///
/// `write` suspends while the stream's queued bytes are above the high-water
/// mark, so a slow reader slows the handler down instead of growing memory.
public struct ResponseWriter<Response: ProtoMessage>: Sendable {
    let stream: ServerStream

    /// Queues one response message. Throws `CANCELLED` once the call is over.
    public func write(_ response: Response) async throws {
        try await stream.writeMessage(GRPCFraming.frame(response))
    }

    /// Queues several messages with one hop to the event loop.
    public func write(contentsOf responses: some Sequence<Response>) async throws {
        var framed: [UInt8] = []
        for response in responses { GRPCFraming.append(response, to: &framed) }
        if !framed.isEmpty { try await stream.writeMessage(framed) }
    }
}

/// The request messages of a client- or bidirectional-streaming call.
///
/// Pull-based: each `next()` takes one message and only then re-opens that
/// much HTTP/2 flow-control window, so a fast client cannot outrun the handler
/// by more than one window.
public struct RequestStream<Message: ProtoMessage>: AsyncSequence, Sendable {
    public typealias Element = Message
    let stream: ServerStream

    public struct AsyncIterator: AsyncIteratorProtocol {
        let stream: ServerStream

        public mutating func next() async throws -> Message? {
            guard let bytes = try await stream.nextMessage() else { return nil }
            do {
                return try Message(serializedBytes: bytes)
            } catch {
                let failure = RPCError(
                    .invalidArgument, "request message is not a valid \(Message.protoMessageName): \(error)")
                stream.finishFromAnyThread(failure)
                throw failure
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: stream) }
}

/// gRPC length-prefixed message encoding.
public enum GRPCFraming {
    /// Encodes `message` with its 5-byte prefix, in one allocation.
    public static func frame<M: ProtoMessage>(_ message: M) -> [UInt8] {
        var out: [UInt8] = []
        append(message, to: &out)
        return out
    }

    /// A framed message whose only field is the length-delimited field
    /// `fieldNumber` holding `encoded` (an already-encoded sub-message), e.g. a
    /// `GetProductResponse{product}` built from the stored product bytes.
    public static func frameEmbedded(fieldNumber: Int, encoded: UnsafeRawBufferPointer) -> [UInt8] {
        var out: [UInt8] = [0, 0, 0, 0, 0]
        out.reserveCapacity(encoded.count + 16)
        var key = UInt64(fieldNumber) << 3 | 2
        var length = UInt64(encoded.count)
        while key >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: key) | 0x80)
            key >>= 7
        }
        out.append(UInt8(key))
        while length >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: length) | 0x80)
            length >>= 7
        }
        out.append(UInt8(length))
        out.append(contentsOf: encoded)
        let messageLength = out.count - 5
        out.withUnsafeMutableBytes { MessageFramer.writePrefix(length: messageLength, into: $0) }
        return out
    }

    /// A framed message whose encoding `encode` appends to the buffer it is
    /// given (after the 5-byte prefix, which is patched afterwards): for read
    /// paths that compose a response from stored bytes (GetStock).
    public static func frame(
        reservingCapacity capacity: Int = 256, encodingWith encode: (inout [UInt8]) throws -> Void
    ) rethrows -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(capacity)
        out.append(contentsOf: [0, 0, 0, 0, 0] as [UInt8])
        try encode(&out)
        let messageLength = out.count - 5
        out.withUnsafeMutableBytes { MessageFramer.writePrefix(length: messageLength, into: $0) }
        return out
    }

    /// Appends `message` with its 5-byte prefix to `buffer`.
    public static func append<M: ProtoMessage>(_ message: M, to buffer: inout [UInt8]) {
        // One encode pass: reserve the prefix, encode after it, then patch the length.
        let start = buffer.count
        buffer.append(contentsOf: [0, 0, 0, 0, 0] as [UInt8])
        message.serialize(appendingTo: &buffer)
        let length = buffer.count - start - 5
        buffer.withUnsafeMutableBytes { raw in
            MessageFramer.writePrefix(length: length, into: UnsafeMutableRawBufferPointer(rebasing: raw[start...]))
        }
    }
}
