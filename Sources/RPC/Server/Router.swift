public import OMSProto

/// Maps `/package.Service/Method` paths to handlers.
///
/// Handlers come in the four gRPC shapes. Unary handlers have two forms: a
/// callback form that runs on the connection's event loop and answers through
/// a `UnaryResponder` (no task, no thread hop: the fast path for reads and for
/// writes handed to the single writer), and an `async` form for everything else.
public struct Router: Sendable {
    var routes: [String: Route] = [:]

    public init() {}

    /// All registered paths, sorted.
    public var paths: [String] { routes.keys.sorted() }

    /// Service names with at least one method.
    public var services: [String] {
        Set(routes.values.map(\.service)).sorted()
    }

    func route(for path: String) -> Route? { routes[path] }

    /// A unary handler that runs on the event loop and must not block.
    /// It answers exactly once through the responder (from any thread).
    public mutating func unary<Request, Response>(
        _ method: ProtoMethod<Request, Response>,
        _ handler: @escaping @Sendable (Request, ServerContext, UnaryResponder<Response>) -> Void
    ) {
        add(method, kind: .unary) { stream in
            guard let request: Request = stream.decodeUnaryRequest() else { return }
            handler(request, stream.context, UnaryResponder(stream: stream))
        }
    }

    /// A unary handler run as a task.
    public mutating func unary<Request, Response>(
        _ method: ProtoMethod<Request, Response>,
        async handler: @escaping @Sendable (Request, ServerContext) async throws -> Response
    ) {
        add(method, kind: .unary) { stream in
            guard let request: Request = stream.decodeUnaryRequest() else { return }
            let context = stream.context
            let responder = UnaryResponder<Response>(stream: stream)
            stream.startTask {
                do {
                    responder.succeed(try await handler(request, context))
                } catch {
                    responder.fail(error)
                }
            }
        }
    }

    /// One request, a stream of responses.
    public mutating func serverStreaming<Request, Response>(
        _ method: ProtoMethod<Request, Response>,
        _ handler: @escaping @Sendable (Request, ResponseWriter<Response>, ServerContext) async throws -> Void
    ) {
        add(method, kind: .serverStreaming) { stream in
            guard let request: Request = stream.decodeUnaryRequest() else { return }
            let context = stream.context
            let writer = ResponseWriter<Response>(stream: stream)
            stream.startTask {
                do {
                    try await handler(request, writer, context)
                    stream.finishFromAnyThread(RPCError(.ok, ""))
                } catch {
                    stream.finishFromAnyThread(error)
                }
            }
        }
    }

    /// A stream of requests, one response.
    public mutating func clientStreaming<Request, Response>(
        _ method: ProtoMethod<Request, Response>,
        _ handler: @escaping @Sendable (RequestStream<Request>, ServerContext) async throws -> Response
    ) {
        add(method, kind: .clientStreaming) { stream in
            let context = stream.context
            let requests = RequestStream<Request>(stream: stream)
            let responder = UnaryResponder<Response>(stream: stream)
            stream.startTask {
                do {
                    responder.succeed(try await handler(requests, context))
                } catch {
                    responder.fail(error)
                }
            }
        }
    }

    /// Requests and responses both streamed.
    public mutating func bidirectionalStreaming<Request, Response>(
        _ method: ProtoMethod<Request, Response>,
        _ handler:
            @escaping @Sendable (RequestStream<Request>, ResponseWriter<Response>, ServerContext) async throws -> Void
    ) {
        add(method, kind: .bidirectionalStreaming) { stream in
            let context = stream.context
            let requests = RequestStream<Request>(stream: stream)
            let writer = ResponseWriter<Response>(stream: stream)
            stream.startTask {
                do {
                    try await handler(requests, writer, context)
                    stream.finishFromAnyThread(RPCError(.ok, ""))
                } catch {
                    stream.finishFromAnyThread(error)
                }
            }
        }
    }

    private mutating func add<Request, Response>(
        _ method: ProtoMethod<Request, Response>, kind: Route.Kind,
        start: @escaping @Sendable (ServerStream) -> Void
    ) {
        precondition(routes[method.path] == nil, "\(method.path) registered twice")
        routes[method.path] = Route(
            path: method.path, service: method.service, method: method.name, kind: kind, start: start)
    }
}

/// A registered method, type-erased.
final class Route: Sendable {
    enum Kind: Sendable {
        case unary, serverStreaming, clientStreaming, bidirectionalStreaming
        /// The handler starts once the single request message has arrived.
        var waitsForRequest: Bool { self == .unary || self == .serverStreaming }
    }

    let path: String
    let service: String
    let method: String
    let kind: Kind
    /// Runs on the event loop: for unary and server-streaming once the request
    /// is complete, for client/bidi streaming as soon as the headers are accepted.
    let start: @Sendable (ServerStream) -> Void

    init(path: String, service: String, method: String, kind: Kind, start: @escaping @Sendable (ServerStream) -> Void) {
        self.path = path
        self.service = service
        self.method = method
        self.kind = kind
        self.start = start
    }
}
