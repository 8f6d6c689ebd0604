import Logging
import NIOCore
import Nghttp2
import OMSProto

/// One gRPC call on a server connection: the I/O side of
/// `ServerStreamStateMachine`. It feeds the machine the stream's events and
/// carries out the actions it returns: submitting responses on the session,
/// releasing flow control, starting the handler, resuming or failing the
/// handler's parked reader and writer, arming the deadline, telling the
/// interceptors how the call ended.
///
/// All mutable state is confined to the connection's event loop; the few
/// entry points used by handlers on other threads (`finishFromAnyThread`,
/// `writeMessage`, `nextMessage`) hop onto it first. That confinement is what
/// makes the `@unchecked Sendable` safe.
final class ServerStream: @unchecked Sendable {
    let id: Int32
    let eventLoop: any EventLoop
    /// Strong, which makes a cycle that ends with the stream: the connection
    /// drops a stream when it closes, and all of them when the channel goes
    /// inactive. Held so, `&connection.routes` and `&connection.requestBudget`
    /// are borrowed for the machine without a retain per event (through an
    /// `unowned(unsafe)` reference each inout access retained the connection).
    /// A finished stream still never touches its connection, whose session is
    /// gone once the channel is: entry points that can run after the end
    /// (handler answers, writes, reads, the deadline) check
    /// `machine.isFinished` first.
    let connection: ServerConnectionHandler
    let cancellationFlag = CancellationFlag()
    private var machine: ServerStreamStateMachine

    /// The head the interceptors saw (and may have given a principal), for `callEnded`.
    private var head: ServerCallHead?
    private var contextStorage: ServerContext?
    /// Set once the call is routed and accepted (before any handler runs).
    var context: ServerContext { contextStorage! }
    private var startedAt: UInt64 = 0

    private var messageWaiter: CheckedContinuation<[UInt8]?, any Error>?
    private var writerWaiter: CheckedContinuation<Void, any Error>?
    private var task: Task<Void, Never>?
    private var deadlineTask: Scheduled<Void>?

    /// Kept for the live-stream count: lets tests prove that finished calls
    /// are freed (a retain cycle here once leaked every call).
    private let shared: ServerShared

    deinit {
        shared.liveStreams.subtract(1, ordering: .relaxed)
    }

    init(id: Int32, connection: ServerConnectionHandler, eventLoop: any EventLoop) {
        self.id = id
        self.connection = connection
        self.eventLoop = eventLoop
        self.shared = connection.shared
        self.machine = ServerStreamStateMachine(limits: connection.shared.config.limits)
        shared.liveStreams.add(1, ordering: .relaxed)
    }

    /// The accepted call's route (nil before acceptance).
    var route: Route? { machine.route }

    // MARK: Request headers

    func header(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        machine.receiveHeader(name: name, value: value, routes: &connection.routes)
    }

    /// Validates the head, routes and intercepts the call. For streaming
    /// requests the handler starts now; unary ones wait for their message.
    func headersEnded(endStream: Bool) {
        let now = DispatchTimeNanos.now()
        // Switched on directly, so the head is moved out of the action, not copied.
        switch machine.headersEnded(peer: connection.peer) {
        case .none:
            return
        case .reject(let rejection):
            startedAt = now
            submitTrailersOnly(
                rejection.status, httpStatus: rejection.httpStatus, acceptEncoding: rejection.acceptEncoding)
            connection.outputPending()
        case .intercept(var head):
            startedAt = now
            do {
                for interceptor in shared.interceptors { try interceptor.intercept(&head) }
            } catch {
                self.head = head
                if let ending = machine.headRejected(error) { perform(ending) }
                break
            }
            self.head = head
            if case .accept(let route, let timeoutNanos, let startHandler) = machine.headAccepted() {
                accept(route, head: head, timeoutNanos: timeoutNanos, startHandler: startHandler)
            }
        }
        if endStream { endOfInput() }
    }

    private func accept(_ route: Route, head: ServerCallHead, timeoutNanos: Int64?, startHandler: Bool) {
        var deadline: NIODeadline?
        if let timeoutNanos {
            let amount = TimeAmount.nanoseconds(timeoutNanos)
            deadline = .now() + amount
            deadlineTask = eventLoop.scheduleTask(in: amount) { [self] in
                guard !machine.isFinished else { return }
                if let ending = machine.deadlineFired(budget: &connection.requestBudget) { perform(ending) }
            }
        }
        contextStorage = ServerContext(
            path: route.path, metadata: head.metadata, deadline: deadline, principal: head.principal,
            peer: connection.peer, eventLoop: eventLoop, cancellation: cancellationFlag)
        if startHandler { route.start(self) }
    }

    // MARK: Request data

    /// Returns how many bytes to release from flow control right away.
    func data(_ bytes: UnsafeRawBufferPointer) -> Int {
        switch machine.receiveData(bytes, budget: &connection.requestBudget) {
        case .release(let count):
            return count
        case .resumeReader(let message, let release):
            resumeReader(with: message, release: release)
            return 0
        case .end(let ending, let release):
            perform(ending)
            return release
        }
    }

    func endOfInput() {
        switch machine.receiveEndOfInput(budget: &connection.requestBudget) {
        case .none:
            break
        case .startHandler(let route):
            route.start(self)
        case .resumeReaderWithEnd:
            if let waiter = messageWaiter {
                messageWaiter = nil
                waiter.resume(returning: nil)
            }
        case .end(let ending):
            perform(ending)
        }
    }

    func decodeUnaryRequest<Request: ProtoMessage>() -> Request? {
        guard let bytes = machine.takeUnaryRequest(budget: &connection.requestBudget) else { return nil }
        do {
            return try bytes.withUnsafeBytes { try Request(serializedBytes: $0) }
        } catch {
            finish(RPCError(.invalidArgument, "request is not a valid \(Request.protoMessageName): \(error)"))
            return nil
        }
    }

    // MARK: Streaming requests (pull)

    func nextMessage() async throws -> [UInt8]? {
        try await withCheckedThrowingContinuation { continuation in
            eventLoop.execute { self.pull(continuation) }
        }
    }

    private func pull(_ continuation: CheckedContinuation<[UInt8]?, any Error>) {
        // The machine is asked first: once finished, the connection may be gone.
        switch machine.nextMessage() {
        case .fail(let error):
            continuation.resume(throwing: error)
        case .message(let message, let release):
            connection.consume(streamID: id, bytes: release)
            continuation.resume(returning: message)
        case .endOfMessages:
            continuation.resume(returning: nil)
        case .park:
            messageWaiter = continuation
        }
    }

    private func resumeReader(with message: [UInt8], release: Int) {
        connection.consume(streamID: id, bytes: release)
        if let waiter = messageWaiter {
            messageWaiter = nil
            waiter.resume(returning: message)
        }
    }

    // MARK: Handler execution

    func startTask(_ body: @escaping @Sendable () async -> Void) {
        task = Task { await body() }
    }

    // MARK: Responses

    func completeUnary(_ framed: [UInt8]) {
        // Checked before the budget is borrowed: once finished, the connection may be gone.
        guard !machine.isFinished else { return }
        if let ending = machine.completeUnary(framed, budget: &connection.requestBudget) { perform(ending) }
    }

    func writeMessage(_ framed: [UInt8]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            eventLoop.execute { self.enqueue(framed, continuation) }
        }
    }

    private func enqueue(_ framed: [UInt8], _ continuation: CheckedContinuation<Void, any Error>) {
        let pending: Int
        do {
            switch machine.writeMessage() {
            case .fail(let error):
                throw error
            case .submitResponseHead:
                try framed.withUnsafeBytes { body in
                    try connection.session.submitResponse(
                        streamID: id, headers: ResponseHeaders.ok, body: body, finished: false, trailers: nil)
                }
                pending = framed.count
            case .sendData:
                pending = try framed.withUnsafeBytes { body in
                    try connection.session.sendData(streamID: id, body)
                }
            }
        } catch {
            continuation.resume(throwing: error is RPCError ? error : RPCError(.cancelled, "call is over"))
            return
        }
        connection.outputPending()
        switch machine.messageQueued(pendingBytes: pending) {
        case .resumeWriter: continuation.resume()
        case .parkWriter: writerWaiter = continuation
        }
    }

    /// nghttp2 took queued bytes: let a waiting writer continue.
    func outboundDrained(pendingBytes: Int) {
        if machine.outboundDrained(pendingBytes: pendingBytes), let waiter = writerWaiter {
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
        // Checked before mapping the error: a late answer is not logged.
        guard !machine.isFinished else { return }
        let status = shared.status(for: error, path: machine.path)
        if let ending = machine.finish(status, budget: &connection.requestBudget) { perform(ending) }
    }

    /// The stream closed. A call that had not finished was cancelled by the peer.
    func closed(errorCode: UInt32) {
        deadlineTask?.cancel()
        cancellationFlag.cancel()
        switch machine.streamClosed(budget: &connection.requestBudget) {
        case .closed(let unread, let cancelled):
            if unread > 0 { connection.session.consumeConnection(bytes: unread) }
            if let cancelled { perform(cancelled) }
        }
    }

    // MARK: Carrying out an ending

    private func perform(_ ending: ServerStreamStateMachine.Ending) {
        deadlineTask?.cancel()
        if ending.cancelHandler {
            cancellationFlag.cancel()
            task?.cancel()
        }
        switch ending.response {
        case .none:
            break
        case .unary(let framed):
            do {
                try connection.session.submitResponse(
                    streamID: id, headers: ResponseHeaders.ok, body: framed, trailers: ResponseHeaders.okTrailers)
            } catch {
                shared.logger.debug("could not submit response: \(error)")
            }
        case .okTrailers:
            do {
                try connection.session.finish(streamID: id, trailers: ResponseHeaders.okTrailers)
            } catch {
                shared.logger.debug("could not submit status on stream \(id): \(error)")
            }
        case .trailers(let status):
            do {
                try connection.session.finish(streamID: id, trailers: ResponseHeaders.trailers(status))
            } catch {
                shared.logger.debug("could not submit status on stream \(id): \(error)")
            }
        case .headersAndOKTrailers:
            do {
                try connection.session.submitResponse(
                    streamID: id, headers: ResponseHeaders.ok, body: UnsafeRawBufferPointer(start: nil, count: 0),
                    finished: true, trailers: ResponseHeaders.okTrailers)
            } catch {
                shared.logger.debug("could not submit status on stream \(id): \(error)")
            }
        case .trailersOnly(let status):
            submitTrailersOnly(status, httpStatus: 200, acceptEncoding: nil)
        }
        if let failure = ending.failWaiters {
            let error = failure.error
            if let waiter = messageWaiter {
                messageWaiter = nil
                waiter.resume(throwing: error)
            }
            if let waiter = writerWaiter {
                writerWaiter = nil
                waiter.resume(throwing: error)
            }
        }
        if let code = ending.reportedStatus, let head {
            let elapsed = DispatchTimeNanos.now() &- startedAt
            for interceptor in shared.interceptors {
                interceptor.callEnded(head, status: code, nanoseconds: elapsed)
            }
        }
        if case .none = ending.response { return }
        connection.outputPending()
    }

    private func submitTrailersOnly(_ status: RPCError, httpStatus: Int, acceptEncoding: String?) {
        let extra = acceptEncoding.map { [HTTP2HeaderField("grpc-accept-encoding", $0)] } ?? []
        do {
            try connection.session.submitHeadersOnly(
                streamID: id, headers: ResponseHeaders.trailersOnly(status, httpStatus: httpStatus, extra: extra))
        } catch {
            shared.logger.debug("could not submit early status on stream \(id): \(error)")
        }
    }
}

/// Monotonic nanoseconds for call durations.
enum DispatchTimeNanos {
    static func now() -> UInt64 { UInt64(NIODeadline.now().uptimeNanoseconds) }
}
