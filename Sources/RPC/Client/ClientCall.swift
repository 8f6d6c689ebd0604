import NIOCore

/// One client call's I/O side: the caller's continuation (or stream) and the
/// deadline timer, driven by `ClientCallStateMachine`, which decides what
/// each response header, DATA chunk and close means.
///
/// Confined to the connection's event loop.
final class ClientCall {
    enum Sink {
        /// Unary and client-streaming: exactly one response message.
        case single(CheckedContinuation<[UInt8], any Error>)
        /// Server-streaming: every message, then the end.
        case stream(AsyncThrowingStream<[UInt8], any Error>.Continuation)
    }

    private(set) var machine: ClientCallStateMachine
    private let sink: Sink
    var deadlineTask: Scheduled<Void>?

    init(path: String, sink: Sink, maxMessageBytes: Int) {
        self.sink = sink
        let kind: ClientCallStateMachine.Kind
        switch sink {
        case .single: kind = .single
        case .stream: kind = .stream
        }
        self.machine = ClientCallStateMachine(path: path, kind: kind, maxReceiveMessageBytes: maxMessageBytes)
    }

    var path: String { machine.path }
    var isDone: Bool { machine.isSettled }
    /// The call's stream once it opened (-1 before).
    var streamID: Int32 { machine.streamID }

    func streamOpened(_ id: Int32, endStream: Bool) {
        machine.streamOpened(id, endStream: endStream)
    }

    func sendRequest(end: Bool) -> ClientCallStateMachine.OnSendRequest {
        machine.sendRequest(end: end)
    }

    func header(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        machine.receiveHeader(name: name, value: value)
    }

    /// Returns bytes to release from flow control.
    func data(_ bytes: UnsafeRawBufferPointer) -> Int {
        switch machine.receiveData(bytes) {
        case .release(let count):
            return count
        case .deliverMessages(let count):
            if case .stream(let continuation) = sink {
                while let message = machine.takeReceivedMessage() { continuation.yield(message) }
            }
            return count
        }
    }

    /// The stream closed: settle the call from what arrived.
    func closed(errorCode: UInt32) {
        deadlineTask?.cancel()
        switch machine.streamClosed(errorCode: errorCode) {
        case .none: break
        case .succeed(let message): settle(.success(message))
        case .finishStream: settle(.success([]))
        case .fail(let error): settle(.failure(error))
        }
    }

    /// Ends the call locally (deadline, cancellation, connection loss) without
    /// telling the server.
    func fail(_ error: RPCError) {
        deadlineTask?.cancel()
        if let error = machine.fail(error) { settle(.failure(error)) }
    }

    /// The caller cancelled or the deadline passed. Returns the stream to
    /// reset (RST_STREAM), if the call had one.
    func cancel(_ error: RPCError) -> Int32? {
        deadlineTask?.cancel()
        switch machine.cancel(error) {
        case .none:
            return nil
        case .fail(let error):
            settle(.failure(error))
            return nil
        case .resetStream(let id, let error):
            settle(.failure(error))
            return id
        }
    }

    /// Hands the caller its outcome (`.success` carries the unary message; a
    /// stream just finishes).
    private func settle(_ result: Result<[UInt8], RPCError>) {
        switch (sink, result) {
        case (.single(let continuation), .success(let message)): continuation.resume(returning: message)
        case (.single(let continuation), .failure(let error)): continuation.resume(throwing: error)
        case (.stream(let continuation), .success): continuation.finish()
        case (.stream(let continuation), .failure(let error)): continuation.finish(throwing: error)
        }
    }
}
