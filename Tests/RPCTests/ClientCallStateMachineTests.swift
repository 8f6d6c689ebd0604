import OMSProto
import Testing

@testable import RPC

/// A client call's state machine, held by reference so `#expect` can drive it.
final class ClientCallDriver {
    var machine: ClientCallStateMachine

    init(_ machine: ClientCallStateMachine) {
        self.machine = machine
    }

    /// Feeds header fields as nghttp2 reports them.
    func receive(_ fields: [(String, String)]) {
        for (name, value) in fields {
            let name = Array(name.utf8)
            let value = Array(value.utf8)
            name.withUnsafeBytes { name in value.withUnsafeBytes { machine.receiveHeader(name: name, value: $0) } }
        }
    }

    func data(_ bytes: [UInt8]) -> ClientCallStateMachine.OnReceiveData {
        bytes.withUnsafeBytes { machine.receiveData($0) }
    }

    // The machine's events, forwarded so `#expect` can take them.
    func streamOpened(_ id: Int32, endStream: Bool) { machine.streamOpened(id, endStream: endStream) }
    func streamClosed(errorCode: UInt32) -> ClientCallStateMachine.OnStreamClosed {
        machine.streamClosed(errorCode: errorCode)
    }
    func cancel(_ error: RPCError) -> ClientCallStateMachine.OnCancel { machine.cancel(error) }
    func fail(_ error: RPCError) -> RPCError? { machine.fail(error) }
    func sendRequest(end: Bool) -> ClientCallStateMachine.OnSendRequest { machine.sendRequest(end: end) }
    func takeReceivedMessage() -> [UInt8]? { machine.takeReceivedMessage() }

    /// Every message waiting for a streaming caller.
    func takeAll() -> [[UInt8]] {
        var messages: [[UInt8]] = []
        while let message = machine.takeReceivedMessage() { messages.append(message) }
        return messages
    }
}

private let path = "/test.Echo/Unary"
private let responseHead = [(":status", "200"), ("content-type", "application/grpc")]
private let okTrailers = [("grpc-status", "0")]

private func machine(_ kind: ClientCallStateMachine.Kind = .single, maxReceive: Int = 1024) -> ClientCallDriver {
    var machine = ClientCallStateMachine(path: path, kind: kind, maxReceiveMessageBytes: maxReceive)
    machine.streamOpened(1, endStream: kind == .stream)
    return ClientCallDriver(machine)
}

private func framed(_ payload: [UInt8]) -> [UInt8] {
    GRPCFraming.frame(Pong.with { $0.payload = payload })
}

@Suite("Client call state machine")
struct ClientCallStateMachineTests {
    @Test("unary: the stream opens, headers, one message, OK trailers: the caller gets the message")
    func unarySuccess() throws {
        let call = ClientCallDriver(ClientCallStateMachine(path: path, kind: .single, maxReceiveMessageBytes: 1024))
        #expect(call.machine.phase == .idle)
        #expect(call.machine.streamID == -1)
        call.streamOpened(3, endStream: true)
        #expect(call.machine.phase == .open)
        #expect(call.machine.streamID == 3)
        #expect(call.machine.requestEnded)
        call.streamOpened(5, endStream: false)  // only once
        #expect(call.machine.streamID == 3)

        call.receive(responseHead)
        let message = framed([4, 2])
        #expect(call.data(Array(message.prefix(3))) == .release(3))
        #expect(call.data(Array(message.dropFirst(3))) == .release(message.count - 3))
        #expect(call.takeReceivedMessage() == nil)  // unary messages wait for the close
        call.receive(okTrailers)
        #expect(call.streamClosed(errorCode: 0) == .succeed(Array(message.dropFirst(5))))
        #expect(call.machine.isSettled)
        #expect(call.streamClosed(errorCode: 0) == ClientCallStateMachine.OnStreamClosed.none)
    }

    @Test("server streaming: messages are handed out as they arrive; OK trailers end the stream")
    func streaming() {
        let call = machine(.stream)
        call.receive(responseHead)
        let one = framed([1])
        let two = framed([2])
        #expect(call.data(one + two + Array(one.prefix(2))) == .deliverMessages(release: one.count + two.count + 2))
        #expect(call.takeAll() == [Array(one.dropFirst(5)), Array(two.dropFirst(5))])
        #expect(call.data(Array(one.dropFirst(2))) == .deliverMessages(release: one.count - 2))
        #expect(call.takeAll() == [Array(one.dropFirst(5))])
        #expect(call.data([]) == .release(0))
        call.receive(okTrailers)
        #expect(call.streamClosed(errorCode: 0) == .finishStream)
    }

    @Test("an error status carries its decoded message, details and trailing metadata")
    func errorStatus() throws {
        let call = machine()
        let details = ProtoBase64.encode(
            StatusDetailsCodec.encode(RPCError.invalidArgument(field: "order.lines", "is empty")), padded: false)
        call.receive([
            (":status", "200"), ("content-type", "application/grpc"), ("grpc-status", "3"),
            ("grpc-message", "order.lines%3A%20is%20empty"), ("grpc-status-details-bin", details),
            ("x-request-id", "r-1"),
        ])
        guard case .fail(let error) = call.streamClosed(errorCode: 0) else {
            Issue.record("error status accepted")
            return
        }
        #expect(error.code == .invalidArgument)
        #expect(error.message == "order.lines: is empty")
        #expect(error.fieldViolations.map(\.field) == ["order.lines"])
        #expect(error.metadata["x-request-id"] == "r-1")
    }

    @Test("a second unary response message fails the call INTERNAL, even with OK trailers")
    func secondMessage() {
        let call = machine()
        call.receive(responseHead)
        #expect(call.data(framed([1]) + framed([2])) == .release(framed([1]).count * 2))
        #expect(call.data(framed([3])) == .release(framed([3]).count))  // dropped after the error
        call.receive(okTrailers)
        #expect(
            call.streamClosed(errorCode: 0)
                == .fail(RPCError(.internalError, "server sent more than one response message for \(path)")))
    }

    @Test("a response message over the limit fails the call RESOURCE_EXHAUSTED")
    func overLimit() {
        let call = machine(maxReceive: 10)
        call.receive(responseHead)
        #expect(call.data(framed([UInt8](repeating: 1, count: 20))) == .release(27))
        call.receive(okTrailers)
        guard case .fail(let error) = call.streamClosed(errorCode: 0) else {
            Issue.record("over-limit message accepted")
            return
        }
        #expect(error.code == .resourceExhausted)
    }

    @Test("OK without a message, or no status at all, is INTERNAL")
    func missingParts() {
        let noMessage = machine()
        noMessage.receive(responseHead + okTrailers)
        #expect(
            noMessage.streamClosed(errorCode: 0)
                == .fail(RPCError(.internalError, "server sent no response message for \(path)")))
        let noStatus = machine()
        noStatus.receive(responseHead)
        #expect(
            noStatus.streamClosed(errorCode: 0)
                == .fail(RPCError(.internalError, "server closed the stream without a gRPC status")))
    }

    @Test("an HTTP status without grpc-status maps to its gRPC code")
    func httpStatus() {
        for (status, code) in [
            (400, RPCError.Code.internalError), (401, .unauthenticated), (403, .permissionDenied),
            (404, .unimplemented),
            (429, .unavailable), (502, .unavailable), (503, .unavailable), (504, .unavailable), (500, .unknown),
        ] {
            let call = machine()
            call.receive([(":status", String(status))])
            #expect(call.streamClosed(errorCode: 0) == .fail(RPCError(code, "HTTP status \(status) from server")))
        }
    }

    @Test("a stream reset by the server: REFUSED_STREAM is UNAVAILABLE, CANCEL is CANCELLED, others INTERNAL")
    func resetByServer() {
        for (errorCode, code) in [(UInt32(7), RPCError.Code.unavailable), (8, .cancelled), (2, .internalError)] {
            let call = machine()
            #expect(
                call.streamClosed(errorCode: errorCode)
                    == .fail(RPCError(code, "stream reset by server (HTTP/2 error \(errorCode))")))
        }
    }

    @Test("cancelling: before the stream opened the caller fails; after, the stream is reset; once settled, nothing")
    func cancel() {
        let cancelled = RPCError(.cancelled, "cancelled by caller")
        let idle = ClientCallDriver(ClientCallStateMachine(path: path, kind: .single, maxReceiveMessageBytes: 1024))
        #expect(idle.cancel(cancelled) == .fail(cancelled))
        #expect(idle.machine.isSettled)
        #expect(idle.cancel(cancelled) == ClientCallStateMachine.OnCancel.none)

        let open = machine()
        #expect(open.cancel(cancelled) == .resetStream(1, cancelled))
        #expect(open.cancel(cancelled) == ClientCallStateMachine.OnCancel.none)
        // The server's close after our RST_STREAM settles nothing again.
        #expect(open.streamClosed(errorCode: 8) == ClientCallStateMachine.OnStreamClosed.none)
        #expect(open.data([0, 0, 0, 0, 0]) == .release(5))

        // The deadline is a cancellation with DEADLINE_EXCEEDED.
        let late = machine(.stream)
        let expired = RPCError(.deadlineExceeded, "deadline exceeded after 1.0 seconds")
        #expect(late.cancel(expired) == .resetStream(1, expired))
    }

    @Test("a local failure (connection lost, GOAWAY) settles the call once, without telling the server")
    func localFailure() {
        let call = machine()
        let lost = RPCError(.unavailable, "connection to server closed")
        #expect(call.fail(lost) == lost)
        #expect(call.fail(lost) == nil)
        #expect(call.cancel(lost) == ClientCallStateMachine.OnCancel.none)
        #expect(call.streamClosed(errorCode: 0) == ClientCallStateMachine.OnStreamClosed.none)
    }

    @Test("client streaming: request bytes go out until the end; a send after the end cancels the call")
    func sendRequest() {
        let idle = ClientCallDriver(ClientCallStateMachine(path: path, kind: .single, maxReceiveMessageBytes: 1024))
        #expect(idle.sendRequest(end: false) == ClientCallStateMachine.OnSendRequest.none)

        let call = ClientCallDriver(ClientCallStateMachine(path: path, kind: .single, maxReceiveMessageBytes: 1024))
        call.streamOpened(7, endStream: false)
        #expect(!call.machine.requestEnded)
        #expect(call.sendRequest(end: false) == .send(streamID: 7, end: false))
        #expect(call.sendRequest(end: true) == .send(streamID: 7, end: true))
        #expect(call.machine.requestEnded)
        #expect(
            call.sendRequest(end: false)
                == .cancel(RPCError(.internalError, "could not send request data: the request already ended")))
        _ = call.cancel(RPCError(.cancelled, "x"))
        #expect(call.sendRequest(end: true) == ClientCallStateMachine.OnSendRequest.none)
    }
}
