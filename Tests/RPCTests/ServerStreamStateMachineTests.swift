import OMSProto
import Testing

@testable import RPC

/// A server stream's state machine with the per-connection values it
/// borrows (route lookup, request budget): no connection, no socket.
final class ServerStreamDriver {
    typealias Machine = ServerStreamStateMachine
    var machine: Machine
    var routes: RouteLookup
    var budget: RequestBytesBudget

    init(maxReceive: Int = 1024, highWatermark: Int = 1000, budget: Int = 1 << 20) {
        machine = Machine(maxReceiveMessageBytes: maxReceive, streamHighWatermark: highWatermark)
        routes = RouteLookup(router: makeRouter(Observations()))
        self.budget = RequestBytesBudget(limit: budget)
    }

    static func grpcHeaders(path: String = "/test.Echo/Unary") -> [(String, String)] {
        [
            (":method", "POST"), (":scheme", "http"), (":path", path), (":authority", "x"),
            ("content-type", "application/grpc"), ("te", "trailers"),
        ]
    }

    func receive(_ fields: [(String, String)]) {
        for (name, value) in fields {
            let name = Array(name.utf8)
            let value = Array(value.utf8)
            name.withUnsafeBytes { name in
                value.withUnsafeBytes { value in machine.receiveHeader(name: name, value: value, routes: &routes) }
            }
        }
    }

    /// Sends `fields` as the request head and ends it.
    func head(_ fields: [(String, String)]) -> Machine.OnHeadersEnded {
        receive(fields)
        return machine.headersEnded(peer: "127.0.0.1:1")
    }

    /// A valid head for `path`, accepted by the interceptors.
    func open(
        _ path: String = "/test.Echo/Unary", extra: [(String, String)] = []
    ) -> (route: Route, timeoutNanos: Int64?, startHandler: Bool)? {
        guard case .intercept = head(Self.grpcHeaders(path: path) + extra) else { return nil }
        guard case .accept(let route, let timeout, let start) = machine.headAccepted() else { return nil }
        return (route, timeout, start)
    }

    func data(_ bytes: [UInt8]) -> Machine.OnReceiveData {
        bytes.withUnsafeBytes { machine.receiveData($0, budget: &budget) }
    }

    func endOfInput() -> Machine.OnEndOfInput {
        machine.receiveEndOfInput(budget: &budget)
    }

    func finish(_ status: RPCError) -> Machine.Ending? {
        machine.finish(status, budget: &budget)
    }

    func closed() -> Machine.OnStreamClosed {
        machine.streamClosed(budget: &budget)
    }

    // The machine's events, forwarded so `#expect` and `#require` can take them.
    func headersEnded(peer: String) -> Machine.OnHeadersEnded { machine.headersEnded(peer: peer) }
    func headAccepted() -> Machine.OnHeadAccepted { machine.headAccepted() }
    func headRejected(_ error: RPCError) -> Machine.Ending? { machine.headRejected(error) }
    func takeUnaryRequest() -> [UInt8]? { machine.takeUnaryRequest(budget: &budget) }
    func completeUnary(_ framed: [UInt8]) -> Machine.Ending? { machine.completeUnary(framed, budget: &budget) }
    func nextMessage() -> Machine.OnNextMessage { machine.nextMessage() }
    func writeMessage() -> Machine.OnWriteMessage { machine.writeMessage() }
    func messageQueued(pendingBytes: Int) -> Machine.OnMessageQueued {
        machine.messageQueued(pendingBytes: pendingBytes)
    }
    func outboundDrained(pendingBytes: Int) -> Bool { machine.outboundDrained(pendingBytes: pendingBytes) }
    func deadlineFired() -> Machine.Ending? { machine.deadlineFired(budget: &budget) }

    /// A rejected head's status (nil when the head was accepted).
    func rejection(_ fields: [(String, String)]) -> Machine.Rejection? {
        guard case .reject(let rejection) = head(fields) else { return nil }
        return rejection
    }
}

private func framed(_ payload: [UInt8]) -> [UInt8] {
    GRPCFraming.frame(Ping.with { $0.payload = payload })
}

private let callIsOver = RPCError(.cancelled, "call is over")

@Suite("Server stream state machine")
struct ServerStreamStateMachineTests {
    // MARK: Head

    @Test("a valid head is handed to the interceptors with its route, metadata and authorization")
    func validHead() throws {
        let driver = ServerStreamDriver()
        let fields =
            ServerStreamDriver.grpcHeaders() + [
                ("authorization", "Bearer t"), ("x-text", "hello"), ("user-agent", "grpc-python"),
                ("grpc-accept-encoding", "gzip"),
            ]
        guard case .intercept(let head) = driver.head(fields) else {
            Issue.record("head was not handed to the interceptors")
            return
        }
        #expect(head.path == "/test.Echo/Unary")
        #expect(head.service == "test.Echo")
        #expect(head.method == "Unary")
        #expect(head.authorization == "Bearer t")
        #expect(head.metadata["x-text"] == "hello")
        #expect(head.metadata["grpc-accept-encoding"] == nil)  // reserved
        #expect(head.peer == "127.0.0.1:1")
        #expect(driver.machine.phase == .intercepting)
        #expect(driver.machine.route == nil)

        guard case .accept(let route, let timeout, let start) = driver.headAccepted() else {
            Issue.record("not accepted")
            return
        }
        #expect(route.path == "/test.Echo/Unary")
        #expect(timeout == nil)
        #expect(!start)  // unary waits for its message
        #expect(driver.machine.phase == .receivingRequest)
        #expect(driver.machine.path == "/test.Echo/Unary")
        // A second headers-ended (request trailers) and late header fields change nothing.
        guard case .none = driver.headersEnded(peer: "x") else {
            Issue.record("second headers-ended was not ignored")
            return
        }
        driver.receive([("x-late", "1")])
        #expect(driver.machine.phase == .receivingRequest)
    }

    @Test("grpc-timeout is parsed into the accepted call's deadline")
    func timeout() throws {
        let driver = ServerStreamDriver()
        let opened = try #require(driver.open(extra: [("grpc-timeout", "250m")]))
        #expect(opened.timeoutNanos == 250_000_000)
    }

    @Test("a head that is not POST is HTTP 405 UNIMPLEMENTED")
    func badMethod() throws {
        let driver = ServerStreamDriver()
        var fields = ServerStreamDriver.grpcHeaders()
        fields[0] = (":method", "GET")
        let rejection = try #require(driver.rejection(fields))
        #expect(rejection == .init(status: RPCError(.unimplemented, "gRPC requires POST"), httpStatus: 405))
        #expect(driver.machine.phase == .finished)
        let missing = ServerStreamDriver()
        #expect(missing.rejection(fields.filter { $0.0 != ":method" })?.httpStatus == 405)
    }

    @Test("a missing or non-gRPC content-type is HTTP 415 INVALID_ARGUMENT; application/grpc+proto and parameters pass")
    func badContentType() throws {
        for value in ["text/plain", "application/grpc+json", "application/grpcx"] {
            let driver = ServerStreamDriver()
            var fields = ServerStreamDriver.grpcHeaders()
            fields[4] = ("content-type", value)
            let rejection = try #require(driver.rejection(fields), "\(value)")
            #expect(rejection.httpStatus == 415)
            #expect(rejection.status.code == .invalidArgument)
        }
        let missing = ServerStreamDriver()
        #expect(
            missing.rejection(ServerStreamDriver.grpcHeaders().filter { $0.0 != "content-type" })?.httpStatus == 415)
        for value in ["application/grpc+proto", "application/grpc;charset=utf-8"] {
            let driver = ServerStreamDriver()
            var fields = ServerStreamDriver.grpcHeaders()
            fields[4] = ("content-type", value)
            #expect(driver.rejection(fields) == nil, "\(value)")
        }
    }

    @Test("a missing te: trailers is INVALID_ARGUMENT with HTTP 200")
    func missingTE() throws {
        let driver = ServerStreamDriver()
        let rejection = try #require(driver.rejection(ServerStreamDriver.grpcHeaders().filter { $0.0 != "te" }))
        #expect(
            rejection == .init(status: RPCError(.invalidArgument, "missing header 'te: trailers'"), httpStatus: 200))
        let wrong = ServerStreamDriver()
        #expect(wrong.rejection(ServerStreamDriver.grpcHeaders().dropLast() + [("te", "gzip")]) != nil)
    }

    @Test("a grpc-encoding other than identity is UNIMPLEMENTED and advertises identity")
    func badEncoding() throws {
        let driver = ServerStreamDriver()
        let rejection = try #require(driver.rejection(ServerStreamDriver.grpcHeaders() + [("grpc-encoding", "gzip")]))
        #expect(rejection.status.code == .unimplemented)
        #expect(rejection.acceptEncoding == "identity")
        #expect(rejection.httpStatus == 200)
        let identity = ServerStreamDriver()
        #expect(identity.rejection(ServerStreamDriver.grpcHeaders() + [("grpc-encoding", "identity")]) == nil)
    }

    @Test("a malformed grpc-timeout is INVALID_ARGUMENT")
    func malformedTimeout() throws {
        for value in ["soon", "1", "123456789S", "5x"] {
            let driver = ServerStreamDriver()
            let rejection = try #require(driver.rejection(ServerStreamDriver.grpcHeaders() + [("grpc-timeout", value)]))
            #expect(rejection.status == RPCError(.invalidArgument, "malformed grpc-timeout header"))
        }
    }

    @Test("unknown methods, unknown services and a missing :path are UNIMPLEMENTED, each with its own message")
    func unknownPath() throws {
        let method = ServerStreamDriver()
        let missingMethod = try #require(method.rejection(ServerStreamDriver.grpcHeaders(path: "/test.Echo/Nope")))
        #expect(missingMethod.status == RPCError(.unimplemented, "method not found: /test.Echo/Nope"))

        let service = ServerStreamDriver()
        let missingService = try #require(service.rejection(ServerStreamDriver.grpcHeaders(path: "/test.Nope/Unary")))
        #expect(
            missingService.status == RPCError(.unimplemented, "unknown service test.Nope (path /test.Nope/Unary)"))

        let none = ServerStreamDriver()
        let noPath = try #require(none.rejection(ServerStreamDriver.grpcHeaders().filter { $0.0 != ":path" }))
        #expect(noPath.status.code == .unimplemented)
        #expect(noPath.status.message.contains("(no :path)"))
    }

    @Test("the head is checked in gRPC's order: method, content-type, te, encoding, timeout, path")
    func checkOrder() throws {
        let driver = ServerStreamDriver()
        let everythingWrong: [(String, String)] = [
            (":method", "GET"), (":path", "/x/y"), ("content-type", "text/plain"), ("grpc-timeout", "bad"),
        ]
        #expect(driver.rejection(everythingWrong)?.httpStatus == 405)
        let second = ServerStreamDriver()
        #expect(second.rejection(Array(everythingWrong.dropFirst()) + [(":method", "POST")])?.httpStatus == 415)
    }

    @Test("an interceptor's rejection ends the call trailers-only and is reported to the interceptors")
    func interceptorRejection() throws {
        let driver = ServerStreamDriver()
        guard case .intercept = driver.head(ServerStreamDriver.grpcHeaders()) else {
            Issue.record("not intercepted")
            return
        }
        let error = RPCError(.unauthenticated, "missing token")
        let ending = try #require(driver.headRejected(error))
        #expect(
            ending
                == .init(
                    response: .trailersOnly(error),
                    reportedStatus: .unauthenticated))
        #expect(driver.machine.phase == .finished)
        guard case .none = driver.headAccepted() else {
            Issue.record("accepted after rejection")
            return
        }
        #expect(driver.headRejected(error) == nil)
        #expect(driver.data(framed([1])) == .release(framed([1]).count))
    }

    // MARK: Unary

    @Test("unary: message, END_STREAM, handler started, request taken, answer sent with OK trailers")
    func unaryLifecycle() throws {
        let driver = ServerStreamDriver()
        let opened = try #require(driver.open())
        #expect(!opened.startHandler)
        let message = framed([1, 2, 3])
        // Unary bytes are released at once but count against the connection's budget.
        #expect(driver.data(Array(message.prefix(4))) == .release(4))
        #expect(driver.budget.held == 0)  // the prefix is not complete yet: nothing buffered in the body
        #expect(driver.data(Array(message.dropFirst(4))) == .release(message.count - 4))
        #expect(driver.budget.held == message.count - 5)
        guard case .startHandler(let route) = driver.endOfInput() else {
            Issue.record("handler not started")
            return
        }
        #expect(route.path == "/test.Echo/Unary")
        #expect(driver.machine.phase == .handling)
        #expect(driver.machine.inputEnded)

        let request = try #require(driver.takeUnaryRequest())
        #expect(try Ping(serializedBytes: request).payload == [1, 2, 3])
        #expect(driver.budget.held == 0)
        #expect(driver.takeUnaryRequest() == nil)

        let answer = framed([9])
        let ending = try #require(driver.completeUnary(answer))
        #expect(ending == .init(response: .unary(answer), reportedStatus: .ok))
        #expect(driver.machine.phase == .finished)
        #expect(driver.completeUnary(answer) == nil)
        #expect(driver.closed() == .closed(releaseConnectionBytes: 0, cancelled: nil))
    }

    @Test("a message in the HEADERS' END_STREAM-less DATA, then END_STREAM on the headers path, all at once")
    func unaryEndOfInputTwice() throws {
        let driver = ServerStreamDriver()
        _ = try #require(driver.open())
        _ = driver.data(framed([]))
        guard case .startHandler = driver.endOfInput() else {
            Issue.record("not started")
            return
        }
        guard case .none = driver.endOfInput() else {
            Issue.record("second end of input not ignored")
            return
        }
    }

    @Test("a second message on a unary call is INTERNAL")
    func secondUnaryMessage() throws {
        let driver = ServerStreamDriver()
        _ = try #require(driver.open())
        let two = framed([1]) + framed([2])
        let expected = RPCError(.internalError, "more than one request message for /test.Echo/Unary")
        #expect(
            driver.data(two)
                == .end(
                    .init(
                        response: .trailersOnly(expected),
                        reportedStatus: .internalError), release: two.count))
        #expect(driver.machine.phase == .finished)
        #expect(driver.budget.held == 0)
        // Also when the second message comes in its own DATA frame.
        let later = ServerStreamDriver()
        _ = try #require(later.open())
        #expect(later.data(framed([1])) == .release(framed([1]).count))
        guard case .end(let ending, _) = later.data(framed([2])) else {
            Issue.record("second message accepted")
            return
        }
        #expect(ending.response == .trailersOnly(expected))
        #expect(later.budget.held == 0)
    }

    @Test("a request that ends inside a message, or without one, is INTERNAL")
    func requestEndedInsideMessage() throws {
        let cut = ServerStreamDriver()
        _ = try #require(cut.open())
        #expect(cut.data([0, 0, 0, 0, 9, 1]) == .release(6))
        #expect(cut.budget.held == 1)
        guard case .end(let ending) = cut.endOfInput() else {
            Issue.record("cut request accepted")
            return
        }
        let inside = RPCError(.internalError, "request ended inside a message")
        #expect(
            ending
                == .init(
                    response: .trailersOnly(inside),
                    reportedStatus: .internalError))
        #expect(cut.budget.held == 0)

        let header = ServerStreamDriver()
        _ = try #require(header.open())
        _ = header.data([0, 0])  // inside the 5-byte prefix
        guard case .end = header.endOfInput() else {
            Issue.record("cut prefix accepted")
            return
        }

        let none = ServerStreamDriver()
        _ = try #require(none.open())
        guard case .end(let empty) = none.endOfInput() else {
            Issue.record("empty request accepted")
            return
        }
        #expect(empty.reportedStatus == .internalError)
        guard case .trailersOnly(let status) = empty.response else {
            Issue.record("not trailers-only")
            return
        }
        #expect(status.message == "request ended without a message for /test.Echo/Unary")
    }

    @Test("a message over the limit is RESOURCE_EXHAUSTED from its length prefix alone")
    func overLimitMessage() throws {
        let driver = ServerStreamDriver(maxReceive: 1000)
        _ = try #require(driver.open())
        guard case .end(let ending, let release) = driver.data([0, 0, 0, 0x03, 0xE9]) else {
            Issue.record("over-limit prefix accepted")
            return
        }
        #expect(release == 5)
        let expected = RPCError(.resourceExhausted, "received message larger than max (1001 vs. 1000)")
        #expect(ending.response == .trailersOnly(expected))
        #expect(ending.reportedStatus == .resourceExhausted)
        // Exactly at the limit is fine.
        let atLimit = ServerStreamDriver(maxReceive: 1000)
        _ = try #require(atLimit.open())
        #expect(atLimit.data([0, 0, 0, 0x03, 0xE8]) == .release(5))
    }

    @Test("a compressed or unknown message flag is INTERNAL")
    func badFlag() throws {
        let driver = ServerStreamDriver()
        _ = try #require(driver.open())
        guard case .end(let ending, _) = driver.data([1, 0, 0, 0, 0]) else {
            Issue.record("compressed flag accepted")
            return
        }
        #expect(ending.reportedStatus == .internalError)
    }

    @Test("streams of one connection share the request-bytes budget; a finished or taken request gives its share back")
    func bufferedBytesBudget() throws {
        var routes = RouteLookup(router: makeRouter(Observations()))
        var budget = RequestBytesBudget(limit: 1000)
        func opened() -> ServerStreamStateMachine {
            var machine = ServerStreamStateMachine(maxReceiveMessageBytes: 1024, streamHighWatermark: 1000)
            for (name, value) in ServerStreamDriver.grpcHeaders() {
                Array(name.utf8).withUnsafeBytes { name in
                    Array(value.utf8).withUnsafeBytes { machine.receiveHeader(name: name, value: $0, routes: &routes) }
                }
            }
            _ = machine.headersEnded(peer: "p")
            _ = machine.headAccepted()
            return machine
        }
        let message = framed([UInt8](repeating: 7, count: 880))
        let firstPart = Array(message.prefix(600))
        var first = opened()
        var second = opened()
        let accepted = firstPart.withUnsafeBytes { first.receiveData($0, budget: &budget) }
        #expect(accepted == .release(600))
        #expect(budget.held == 595)
        let refused = firstPart.withUnsafeBytes { second.receiveData($0, budget: &budget) }
        guard case .end(let ending, let release) = refused else {
            Issue.record("budget not enforced")
            return
        }
        #expect(release == 600)
        guard case .trailersOnly(let status) = ending.response else {
            Issue.record("not trailers-only")
            return
        }
        #expect(status.code == .resourceExhausted)
        #expect(status.message.contains("over 1000 bytes"))
        #expect(budget.held == 595)  // the failed stream gave its share back

        let rest = Array(message.dropFirst(600))
        let completed = rest.withUnsafeBytes { first.receiveData($0, budget: &budget) }
        #expect(completed == .release(rest.count))
        #expect(budget.held == message.count - 5)
        _ = first.receiveEndOfInput(budget: &budget)
        _ = first.takeUnaryRequest(budget: &budget)
        #expect(budget.held == 0)

        // A stream closed by the client gives back what it held.
        var third = opened()
        _ = firstPart.withUnsafeBytes { third.receiveData($0, budget: &budget) }
        #expect(budget.held == 595)
        _ = third.streamClosed(budget: &budget)
        #expect(budget.held == 0)
    }

    @Test("a handler's error before any message is trailers-only; OK without messages sends headers and OK trailers")
    func finishShapes() throws {
        let failing = ServerStreamDriver()
        _ = try #require(failing.open())
        _ = failing.data(framed([]))
        _ = failing.endOfInput()
        let error = RPCError(.notFound, "no such order")
        #expect(
            failing.finish(error)
                == .init(
                    response: .trailersOnly(error), reportedStatus: .notFound)
        )
        #expect(failing.finish(error) == nil)  // finish after finish

        let streaming = ServerStreamDriver()
        _ = try #require(streaming.open("/test.Echo/Chat"))
        #expect(streaming.finish(RPCError(.ok, "")) == .init(response: .headersAndOKTrailers, reportedStatus: .ok))
    }

    @Test("the deadline cancels the handler and ends the call DEADLINE_EXCEEDED, once")
    func deadline() throws {
        let driver = ServerStreamDriver()
        _ = try #require(driver.open("/test.Echo/Chat", extra: [("grpc-timeout", "1S")]))
        #expect(driver.nextMessage() == .park)
        let ending = try #require(driver.deadlineFired())
        let expired = RPCError(.deadlineExceeded, "deadline exceeded")
        #expect(
            ending
                == .init(
                    response: .trailersOnly(expired), cancelHandler: true,
                    failWaiters: .callIsOver, reportedStatus: .deadlineExceeded))
        #expect(!driver.machine.readerParked)
        #expect(driver.deadlineFired() == nil)
        #expect(driver.finish(RPCError(.ok, "")) == nil)
        #expect(driver.nextMessage() == .fail(callIsOver))
        #expect(driver.writeMessage() == .fail(callIsOver))

        // After responding, the deadline goes out as trailers.
        let responding = ServerStreamDriver()
        _ = try #require(responding.open("/test.Echo/Chat", extra: [("grpc-timeout", "1S")]))
        _ = responding.writeMessage()
        #expect(responding.deadlineFired()?.response == .trailers(expired))
    }

    @Test("the client's RST_STREAM cancels a running call: handler cancelled, waiters failed, CANCELLED reported")
    func clientCancel() throws {
        let driver = ServerStreamDriver()
        _ = try #require(driver.open("/test.Echo/Chat"))
        let partial = Array(framed([1, 2]).prefix(3))
        #expect(driver.data(partial) == .release(0))
        #expect(driver.nextMessage() == .park)
        #expect(
            driver.closed()
                == .closed(
                    releaseConnectionBytes: 3,
                    cancelled: .init(
                        response: .none, cancelHandler: true,
                        failWaiters: .cancelledByClient, reportedStatus: .cancelled)))
        #expect(driver.machine.phase == .finished)
        #expect(driver.closed() == .closed(releaseConnectionBytes: 0, cancelled: nil))
        #expect(driver.finish(RPCError(.internalError, "late")) == nil)
        #expect(driver.data([0]) == .release(1))

        // Cancelled while waiting for its unary message: no waiter to fail.
        let unary = ServerStreamDriver()
        _ = try #require(unary.open())
        guard case .closed(_, let cancelled?) = unary.closed() else {
            Issue.record("not cancelled")
            return
        }
        #expect(cancelled.failWaiters == nil)
        #expect(cancelled.reportedStatus == .cancelled)

        // Reset before its head was complete: the interceptors never saw it.
        let early = ServerStreamDriver()
        early.receive(Array(ServerStreamDriver.grpcHeaders().prefix(2)))
        guard case .closed(_, let unseen?) = early.closed() else {
            Issue.record("not cancelled")
            return
        }
        #expect(unseen.reportedStatus == nil)
    }

    // MARK: Streaming

    @Test("client and bidirectional streaming start the handler with the head; messages are pulled one by one")
    func streamingRequests() throws {
        let driver = ServerStreamDriver()
        let opened = try #require(driver.open("/test.Echo/Chat"))
        #expect(opened.startHandler)
        #expect(driver.machine.phase == .handling)

        // A parked reader takes the first message of the next DATA; the rest wait.
        #expect(driver.nextMessage() == .park)
        let one = framed([1])
        let two = framed([2, 2])
        #expect(driver.data(one + two) == .resumeReader(Array(one.dropFirst(5)), release: one.count))
        #expect(driver.machine.unconsumedBytes == two.count)
        #expect(driver.nextMessage() == .message(Array(two.dropFirst(5)), release: two.count))
        #expect(driver.machine.unconsumedBytes == 0)
        #expect(driver.nextMessage() == .park)

        // Without a reader, messages queue and hold their window.
        #expect(driver.data(one) == .resumeReader(Array(one.dropFirst(5)), release: one.count))
        #expect(driver.data(two) == .release(0))
        #expect(driver.machine.unconsumedBytes == two.count)
        #expect(driver.budget.held == 0)  // streaming bytes are bounded by flow control, not the budget

        // END_STREAM: queued messages first, then the end.
        guard case .none = driver.endOfInput() else {
            Issue.record("end of input with no parked reader")
            return
        }
        #expect(driver.nextMessage() == .message(Array(two.dropFirst(5)), release: two.count))
        #expect(driver.nextMessage() == .endOfMessages)
    }

    @Test("END_STREAM wakes a parked reader with the end of the messages")
    func endWakesReader() throws {
        let driver = ServerStreamDriver()
        _ = try #require(driver.open("/test.Echo/Collect"))
        #expect(driver.nextMessage() == .park)
        guard case .resumeReaderWithEnd = driver.endOfInput() else {
            Issue.record("reader not woken")
            return
        }
        #expect(!driver.machine.readerParked)
        #expect(driver.nextMessage() == .endOfMessages)
        // A client-streaming call answers like a unary one.
        let answer = framed([5])
        #expect(
            driver.completeUnary(answer)
                == .init(response: .unary(answer), reportedStatus: .ok))
    }

    @Test("a streaming request ending inside a message fails the call and the parked reader")
    func streamingCut() throws {
        let driver = ServerStreamDriver()
        _ = try #require(driver.open("/test.Echo/Chat"))
        _ = driver.data([0, 0, 0, 0, 4, 1])
        #expect(driver.nextMessage() == .park)
        guard case .end(let ending) = driver.endOfInput() else {
            Issue.record("cut stream accepted")
            return
        }
        #expect(ending.failWaiters == .callIsOver)
        #expect(ending.reportedStatus == .internalError)
    }

    @Test("a streaming message over the limit fails the call")
    func streamingOverLimit() throws {
        let driver = ServerStreamDriver(maxReceive: 10)
        _ = try #require(driver.open("/test.Echo/Chat"))
        guard case .end(let ending, let release) = driver.data(framed([UInt8](repeating: 1, count: 20))) else {
            Issue.record("over-limit message accepted")
            return
        }
        #expect(release == 27)
        #expect(ending.reportedStatus == .resourceExhausted)
    }

    @Test("writes: the first submits the response head, later ones append; a write after the end fails")
    func writes() throws {
        let driver = ServerStreamDriver()
        _ = try #require(driver.open("/test.Echo/Expand"))
        // Server streaming: no writing before the handler runs.
        #expect(driver.writeMessage() == .fail(callIsOver))
        _ = driver.data(framed([]))
        _ = driver.endOfInput()
        #expect(driver.writeMessage() == .submitResponseHead)
        #expect(driver.machine.phase == .responding)
        #expect(driver.writeMessage() == .sendData)
        #expect(driver.finish(RPCError(.ok, "")) == .init(response: .okTrailers, reportedStatus: .ok))
        #expect(driver.writeMessage() == .fail(callIsOver))  // write after finish
        #expect(driver.finish(RPCError(.ok, "")) == nil)  // finish after finish
        // A failing streaming handler after messages sends its status as trailers.
        let failing = ServerStreamDriver()
        _ = try #require(failing.open("/test.Echo/Chat"))
        _ = failing.writeMessage()
        let error = RPCError(.aborted, "version mismatch")
        #expect(failing.finish(error)?.response == .trailers(error))
    }

    @Test("backpressure: a writer parks above the high-water mark and resumes once half of it drained")
    func backpressure() throws {
        let driver = ServerStreamDriver(highWatermark: 1000)
        _ = try #require(driver.open("/test.Echo/Chat"))
        _ = driver.writeMessage()
        #expect(driver.messageQueued(pendingBytes: 1000) == .resumeWriter)
        #expect(!driver.outboundDrained(pendingBytes: 0))  // nobody waits
        _ = driver.writeMessage()
        #expect(driver.messageQueued(pendingBytes: 1001) == .parkWriter)
        #expect(driver.machine.writerParked)
        #expect(!driver.outboundDrained(pendingBytes: 800))
        #expect(!driver.outboundDrained(pendingBytes: 501))
        #expect(driver.outboundDrained(pendingBytes: 500))
        #expect(!driver.machine.writerParked)
        #expect(!driver.outboundDrained(pendingBytes: 0))

        // A parked writer is failed when the call ends.
        _ = driver.messageQueued(pendingBytes: 5000)
        #expect(driver.finish(RPCError(.ok, ""))?.failWaiters == .callIsOver)
        #expect(!driver.machine.writerParked)
    }

    @Test("data before the call is accepted, or after it ended, is released at once")
    func dataOutsideTheCall() throws {
        let driver = ServerStreamDriver()
        driver.receive(ServerStreamDriver.grpcHeaders())
        #expect(driver.data([1, 2, 3]) == .release(3))
        _ = driver.headersEnded(peer: "p")
        #expect(driver.data([1, 2, 3]) == .release(3))  // intercepting
        #expect(driver.budget.held == 0)
    }

    // MARK: Connection-wide values

    @Test("the route lookup remembers the last path and finds others")
    func routeLookup() {
        var routes = RouteLookup(router: makeRouter(Observations()))
        func find(_ path: String) -> Route? {
            Array(path.utf8).withUnsafeBytes { routes.route(forPath: $0) }
        }
        #expect(find("/test.Echo/Unary")?.method == "Unary")
        #expect(find("/test.Echo/Unary")?.method == "Unary")
        #expect(find("/test.Echo/Slow")?.method == "Slow")
        #expect(find("/test.Echo/Uxary") == nil)
        #expect(find("/test.Echo/Slow")?.method == "Slow")
        #expect(routes.knowsService(ofPath: "/test.Echo/Nope"))
        #expect(!routes.knowsService(ofPath: "/test.Nope/Unary"))
    }
}
