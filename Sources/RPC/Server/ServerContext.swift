public import NIOCore

/// What a handler knows about the call it serves.
public struct ServerContext: Sendable {
    /// `/package.Service/Method`.
    public let path: String
    /// Custom request metadata (reserved and pseudo headers removed).
    public let metadata: Metadata
    /// When the client gives up (from `grpc-timeout`); nil if it set none.
    public let deadline: NIODeadline?
    /// Who is calling, as established by an authenticating interceptor.
    public let principal: String?
    /// The peer's socket address, for logs and audit.
    public let peer: String
    /// The connection's event loop; non-blocking work may run on it directly.
    public let eventLoop: any EventLoop
    /// Not the stream itself: the stream keeps its context, and a reference
    /// back would be a retain cycle that leaks every call.
    let cancellation: CancellationFlag

    /// True once the client cancelled, the deadline passed or the connection closed.
    /// Long handlers should check it and stop early.
    public var isCancelled: Bool { cancellation.isCancelled }

}

/// A call's request head as interceptors see it, before the request is read.
public struct ServerCallHead: Sendable {
    public let path: String
    /// `package.Service` part of the path.
    public let service: String
    /// `Method` part of the path.
    public let method: String
    public let metadata: Metadata
    /// The raw `authorization` header value, if sent.
    public let authorization: String?
    public let peer: String
    /// Set by an authenticating interceptor; handed to the handler in `ServerContext`.
    public var principal: String?
}

/// Runs for every call on the event loop: may reject it (auth) and observe its end (logging).
public protocol ServerInterceptor: Sendable {
    /// Called when the request headers are complete. Throw to end the call with that status.
    func intercept(_ head: inout ServerCallHead) throws(RPCError)
    /// Called once when the call ends, with its final status and duration.
    func callEnded(_ head: ServerCallHead, status: RPCError.Code, nanoseconds: UInt64)
}

extension ServerInterceptor {
    public func intercept(_ head: inout ServerCallHead) throws(RPCError) {}
    public func callEnded(_ head: ServerCallHead, status: RPCError.Code, nanoseconds: UInt64) {}
}
